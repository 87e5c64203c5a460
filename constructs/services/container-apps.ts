import { defineService } from "./contract";

/** Container Apps: everything the library knows about it. */
export const containerApps = defineService({
  name: "Container Apps",
  namespaces: ["Microsoft.App"],
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
