import { defineService } from "./contract";

/** Storage: everything the library knows about it. */
export const storage = defineService({
  name: "Storage",
  namespaces: ["Microsoft.Storage"],
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
