import { isGuid } from "../../../azure-ids";
import { Assignment, block, TfResource } from "../../estate/estate-model";
import { grantText, hit, hitsWhere, Rule } from "./rule";

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

/** How a data target of the stack still lets a caller in without the identity's grant, or ignores the grant. */
function keyProblem(a: Assignment): readonly [message: string, fix: string] | undefined {
  const target = a.scope.resource;
  if (a.role?.plane !== "data" || !target) return undefined;
  const c = target.config;
  const accepts = (what: string, fix: string) =>
    [
      `${grantText(a)}, but the ${what}: anyone holding a key bypasses the identity's grants`,
      `${fix} on ${target.address}`,
    ] as const;
  switch (target.type) {
    case "azurerm_cosmosdb_account":
      return c.local_authentication_disabled === true
        ? undefined
        : accepts("account still accepts its primary and secondary keys", "set local_authentication_disabled = true");
    case "azurerm_application_insights":
      return c.local_authentication_disabled === true
        ? undefined
        : accepts(
            "component still accepts telemetry by instrumentation key alone",
            "set local_authentication_disabled = true",
          );
    case "azurerm_eventgrid_topic":
    case "azurerm_eventgrid_domain":
      return c.local_auth_enabled === false
        ? undefined
        : accepts("endpoint still accepts access keys and SAS tokens", "set local_auth_enabled = false");
    case "azurerm_search_service":
      if (c.local_authentication_enabled === false) return undefined;
      // Keys on and no failure mode is Azure's "API keys only": the role is never consulted.
      return c.authentication_failure_mode === undefined
        ? [
            `${grantText(a)}, but the service accepts API keys only, so the role grants nothing`,
            `set local_authentication_enabled = false (and no authentication_failure_mode) on ${target.address}`,
          ]
        : accepts("service still accepts API keys", "set local_authentication_enabled = false");
    case "azurerm_redis_cache":
      if (block(c.redis_configuration)?.active_directory_authentication_enabled !== true)
        return [
          `${grantText(a)}, but the cache does not accept Microsoft Entra tokens, so the access policy grants nothing`,
          `set redis_configuration.active_directory_authentication_enabled = true on ${target.address}`,
        ];
      return c.access_keys_authentication_enabled === false
        ? undefined
        : accepts("cache still accepts its access keys", "set access_keys_authentication_enabled = false");
    default:
      return undefined;
  }
}

export const targetKeysRule: Rule = {
  id: "IG028",
  name: "target-accepts-keys",
  description:
    "A Cosmos DB account, Application Insights component, Event Grid topic or domain, AI Search service or Redis cache that still accepts keys (anyone with a key bypasses the grants), or that does not accept Entra tokens at all (the grant does nothing).",
  check(estate) {
    return estate.assignments.flatMap((a) => {
      const problem = keyProblem(a);
      return problem ? [hit(a.resource, ...problem)] : [];
    });
  },
};

/** What a database server of the stack still lets in besides Entra identities. */
function passwordProblem(server: TfResource): readonly [message: string, fix: string] | undefined {
  const c = server.config;
  // The Entra administrator holds every database's data: a group named by its literal object id, never a workload.
  const adminProblem = (objectId: unknown, type: unknown): readonly [string, string] | undefined =>
    typeof objectId === "string" && isGuid(objectId) && (type === undefined || type === "Group")
      ? undefined
      : [
          `${server.address} makes ${JSON.stringify(objectId ?? null)} its Entra administrator: that principal holds all the server's data`,
          "make the administrator the database admins' Entra group, by its literal object id (principal type Group)",
        ];
  if (server.type === "azurerm_postgresql_flexible_server_active_directory_administrator")
    return adminProblem(c.object_id, c.principal_type);
  if (server.type === "azurerm_mssql_server") {
    const admin = block(c.azuread_administrator);
    if (admin !== undefined) {
      const problem = adminProblem(admin.object_id, undefined);
      if (problem) return problem;
    }
    if (admin?.azuread_authentication_only === true) return undefined;
    return [
      `Azure SQL server ${server.address} still accepts SQL logins with passwords`,
      "set azuread_administrator { login_username, object_id (an Entra group), azuread_authentication_only = true } and drop administrator_login",
    ];
  }
  if (server.type === "azurerm_postgresql_flexible_server") {
    const auth = block(c.authentication);
    if (auth?.active_directory_auth_enabled === true && auth.password_auth_enabled === false) return undefined;
    return [
      `PostgreSQL flexible server ${server.address} ${auth?.active_directory_auth_enabled === true ? "still accepts passwords" : "does not accept Microsoft Entra identities"}`,
      "set authentication { active_directory_auth_enabled = true, password_auth_enabled = false } and an azurerm_postgresql_flexible_server_active_directory_administrator (an Entra group)",
    ];
  }
  return undefined;
}

export const databasePasswordsRule: Rule = {
  id: "IG029",
  name: "database-password-auth",
  description:
    "An Azure SQL server or PostgreSQL flexible server that still accepts passwords (a password is a secret the identity's database user was meant to replace), or whose Entra administrator is not a group named by its literal object id.",
  check(estate) {
    return estate.resources.flatMap((server) => {
      const problem = passwordProblem(server);
      return problem ? [hit(server, ...problem)] : [];
    });
  },
};
