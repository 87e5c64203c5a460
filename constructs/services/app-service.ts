import { defineService } from "./contract";

/** App Service: everything the library knows about it. */
export const appService = defineService({
  name: "App Service",
  namespaces: ["Microsoft.Web"],
  // @part resourceTypes
  // @part roles
  // @part authorization
  // @part assignments
  // @part keys
  // @part audit
  // @part network
  // @part mocks
});

// @targets
