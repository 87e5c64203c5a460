import { IConstruct } from "constructs";
import { IdentityConfigError } from "../../core/errors";
import { AzureRoleDefinition } from "../role-catalog";

/** An ABAC condition on an assignment (version 2.0), e.g. to limit what RBAC Administrator may assign. */
export interface AbacCondition {
  readonly expression: string;
  /** What the condition allows, in words, for the report. */
  readonly summary: string;
}

/** Whoever will hold the conditioned role: an identity of this stack, or a principal object id. */
export type ConditionHolder = (IConstruct & { readonly principalId: string }) | string;

const ASSIGNMENTS = "Microsoft.Authorization/roleAssignments";

/**
 * Limits role-assignment writes and deletes to the given roles and to service principals, and
 * never to the holder itself: what makes Role Based Access Control Administrator safe to give a
 * deployer (it cannot grant Owner, nor anything to a person or group, nor widen its own rights).
 * A privileged role in the list is refused: the condition would hand it out.
 */
export function onlyAssignRoles(holder: ConditionHolder, roles: readonly AzureRoleDefinition[]): AbacCondition {
  const where = typeof holder === "string" ? "onlyAssignRoles" : holder;
  const privileged = roles.filter((r) => r.plane === "privileged").map((r) => r.name);
  if (privileged.length > 0) {
    throw new IdentityConfigError(where, {
      problem: "A condition meant to limit role assignment would allow assigning a privileged role",
      value: privileged,
      fix: "list only the data and control roles the estate grants; privileged roles are never delegated",
    });
  }
  if (roles.length === 0) {
    throw new IdentityConfigError(where, {
      problem: "A condition that limits role assignment needs at least one role",
      value: [],
      fix: "list the roles the holder may assign",
    });
  }
  const holderId = typeof holder === "string" ? holder : holder.principalId;
  const guids = [...new Set(roles.map((r) => r.guid))].sort().join(", ");
  const servicePrincipals = (source: string) =>
    `@${source}[${ASSIGNMENTS}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}`;
  const allowed = (source: string) =>
    `@${source}[${ASSIGNMENTS}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids}}`;
  const notHolder = `@Request[${ASSIGNMENTS}:PrincipalId] ForAnyOfAnyValues:GuidNotEquals {${holderId}}`;
  const unless = (verb: string, requirement: string) =>
    `((!(ActionMatches{'${ASSIGNMENTS}/${verb}'})) OR (${requirement}))`;
  return {
    expression: [
      unless("write", [allowed("Request"), servicePrincipals("Request"), notHolder].join(" AND ")),
      unless("delete", [allowed("Resource"), servicePrincipals("Resource")].join(" AND ")),
    ].join(" AND "),
    summary: `may assign only ${[...new Set(roles.map((r) => r.name))].sort().join(", ")} to service principals other than itself`,
  };
}
