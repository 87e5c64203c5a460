import { defineService } from "./contract";

/** App Configuration: everything the library knows about it. */
export const appConfiguration = defineService({
  name: "App Configuration",
  namespaces: ["Microsoft.AppConfiguration"],
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
