import { defineService } from "./contract";

/** Managed Identity: everything the library knows about it. */
export const managedIdentity = defineService({
  name: "Managed Identity",
  namespaces: ["Microsoft.ManagedIdentity"],
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
