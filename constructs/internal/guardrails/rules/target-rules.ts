import { Assignment } from "../../estate/estate-model";
import { grantText, hitsWhere, Rule } from "./rule";

function isDataRoleOnAccessPolicyVault(a: Assignment): boolean {
  const vault = a.scope.resource;
  return (
    a.role?.plane === "data" &&
    vault?.type === "azurerm_key_vault" &&
    vault.config.rbac_authorization_enabled !== true &&
    vault.config.enable_rbac_authorization !== true
  );
}

function isOnSharedKeyStorage(a: Assignment): boolean {
  const account = a.scope.resource;
  return account?.type === "azurerm_storage_account" && account.config.shared_access_key_enabled !== false;
}

export const keyVaultAccessPoliciesRule: Rule = {
  id: "IG006",
  name: "key-vault-access-policies",
  description: "A grant on a Key Vault that is not in RBAC mode does nothing.",
  check(estate) {
    return hitsWhere(estate.assignments, isDataRoleOnAccessPolicyVault, (a) => [
      `${grantText(a)}, but the vault uses access policies, so the role grants nothing`,
      `set rbac_authorization_enabled = true on ${a.scope.resource!.address}`,
    ]);
  },
};

export const storageSharedKeysRule: Rule = {
  id: "IG007",
  name: "storage-shared-keys",
  description: "A storage target that still accepts shared keys: anyone with a key bypasses the identity's grants.",
  check(estate) {
    return hitsWhere(estate.assignments, isOnSharedKeyStorage, (a) => [
      `${grantText(a)}, but the account still accepts shared keys`,
      `set shared_access_key_enabled = false on ${a.scope.resource!.address}`,
    ]);
  },
};
