import { defineService } from "./contract";

/** Key Vault: everything the library knows about it. */
export const keyVault = defineService({
  name: "Key Vault",
  namespaces: ["Microsoft.KeyVault"],
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
