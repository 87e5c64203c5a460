import { isGuid } from "../../azure/azure-ids";
import { Assignment, block, TfResource } from "../../estate/estate-model";
import { localAuthProblem, sharedKeyProblem } from "../../azure/contract/keys";
import { serviceTerraformType } from "../../azure/contract/resource-types";
import { grantText, hit, hitsWhere, Rule } from "./rule";
import { acceptedKeys } from "./migration-rules";
import { EstateModel } from "../../estate/estate-model";

function isDataRoleOnAccessPolicyVault(a: Assignment): boolean {
  const vault = a.scope.resource;
  return (
    a.role?.plane === "data" &&
    vault?.type === serviceTerraformType("Key Vault", "vault") &&
    vault.config.rbac_authorization_enabled !== true &&
    vault.config.enable_rbac_authorization !== true
  );
}

/** How a grant's target still lets a caller in without the grant, or ignores it, as its service's keys part judges. */
function keyProblem(
  a: Assignment,
  judge: typeof localAuthProblem,
): readonly [message: string, fix: string] | undefined {
  const target = a.scope.resource;
  const problem = target && judge(target.type, target.config, block);
  return problem && [`${grantText(a)}, but ${problem.problem}`, `${problem.fix} on ${target.address}`];
}

/** A hit on each assignment whose target the judge finds a problem with; a migration before keys-off accepts it. */
const keyHits = (
  estate: EstateModel,
  assignments: readonly Assignment[],
  judge: typeof localAuthProblem,
  ruleId: string,
  today: string,
) =>
  assignments.flatMap((a) => {
    const problem = keyProblem(a, judge);
    if (!problem) return [];
    const acceptedBy = acceptedKeys(estate, a, ruleId, today);
    return [acceptedBy ? { ...hit(a.resource, ...problem), acceptedBy } : hit(a.resource, ...problem)];
  });

export const keyVaultAccessPoliciesRule: Rule = {
  id: "IG006",
  name: "key-vault-access-policies",
  description: "A grant on a Key Vault that is not in RBAC mode does nothing.",
  defaultSeverity: "error",
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
  defaultSeverity: "error",
  check(estate, { today }) {
    return keyHits(estate, estate.assignments, sharedKeyProblem, "IG007", today);
  },
};

export const targetKeysRule: Rule = {
  id: "IG028",
  name: "target-accepts-keys",
  description:
    "A data target that still accepts keys (anyone with a key bypasses the grants), or that does not accept Entra tokens at all (the grant does nothing).",
  defaultSeverity: "error",
  check(estate, { today }) {
    return keyHits(
      estate,
      estate.assignments.filter((a) => a.role?.plane === "data"),
      localAuthProblem,
      "IG028",
      today,
    );
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
  defaultSeverity: "error",
  check(estate) {
    return estate.resources.flatMap((server) => {
      const problem = passwordProblem(server);
      return problem ? [hit(server, ...problem)] : [];
    });
  },
};
