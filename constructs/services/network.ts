import { defineService } from "./contract";

/** Network: everything the library knows about it. */
export const network = defineService({
  name: "Network",
  namespaces: ["Microsoft.Network"],
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
