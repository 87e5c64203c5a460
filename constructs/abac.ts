import { AbacCondition } from "./grant";
import { RoleDefinition } from "./role-catalog";

/** RBAC Administrator is safe only under a condition that limits which roles it may assign. */
export function limitsRoles(condition: string | undefined): boolean {
  return !!condition && condition.includes("roleAssignments/write") && condition.includes("RoleDefinitionId");
}

/**
 * Limits role-assignment writes and deletes to the given roles and to service principals: what
 * makes Role Based Access Control Administrator safe to give a deployer (it cannot grant Owner,
 * nor anything to a person or group).
 */
export function onlyAssignRoles(roles: readonly RoleDefinition[]): AbacCondition {
  const guids = [...new Set(roles.map((r) => r.guid))].sort().join(", ");
  const action = (verb: string, source: string, extra: string) =>
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${verb}'})) OR (@${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids}}${extra}))`;
  return {
    expression: [
      action("write", "Request", " AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}"),
      action("delete", "Resource", " AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}"),
    ].join(" AND "),
    summary: `may assign only ${[...new Set(roles.map((r) => r.name))].sort().join(", ")} to service principals`,
  };
}
