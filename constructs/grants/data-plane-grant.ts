import { IConstruct } from "constructs";
import { TerraformResource } from "cdktf";
import { AbacCondition } from "../azure/abac/condition";
import { IdentityConfigError } from "../core/errors";
import { GrantScope } from "../azure/grant";
import { IManagedIdentity } from "../azure/identity";
import { DataPlaneRoleDefinition } from "../azure/role-catalog";
import { ownAuthorization } from "../azure/contract/authorization";
import { roleAssignmentName } from "../core/deterministic-name";
import { slug } from "../core/slug";

export interface DataPlaneGrantSpec {
  readonly identity: IManagedIdentity;
  readonly where: IConstruct;
  readonly role: DataPlaneRoleDefinition;
  readonly target: GrantScope;
  readonly description: string;
  readonly condition?: AbacCondition;
}

/**
 * Grants a role of a service's own data plane through the target's service, whose writer makes
 * the assignment (a Cosmos DB SQL role assignment, a Redis access policy assignment, a database
 * user whose statements the stack outputs). Named like an Azure role assignment (a UUID from the
 * scope, the role and the identity's id), so a repeat is the same grant.
 */
export function writeDataPlaneGrant(spec: DataPlaneGrantSpec): {
  name: string;
  assignment: TerraformResource | undefined;
} {
  const { identity, where, role, target, condition } = spec;
  const dataPlane = target.dataPlane;
  const authorization = ownAuthorization(target.service);
  if (!dataPlane || authorization?.system !== role.system) {
    throw new IdentityConfigError(where, {
      problem: `${role.name} is granted by ${role.service} itself, not by an Azure role assignment on ${target.kind} ${target.label}`,
      value: target.resourceId.id,
      fix: `grant it on the ${role.service} target (CosmosDbAccountTarget, RedisCacheTarget, SqlServerTarget, PostgresServerTarget), which makes the service's own assignment`,
    });
  }
  if (condition) {
    throw new IdentityConfigError(where, {
      problem: `${role.name} cannot carry an ABAC condition: conditions are an Azure RBAC feature`,
      value: condition.expression,
      fix: "grant it on a narrower scope (a database or container) instead of conditioning it",
    });
  }
  const name = roleAssignmentName(
    target.resourceId.id,
    `${role.system}:${role.definition}`,
    identity.principalResourceId.id,
  );
  const id = `${slug(role.name)}-on-${target.label}`;
  if (identity.node.tryFindChild(id)) {
    throw new IdentityConfigError(where, {
      problem: "Two different targets share the label that names this grant",
      value: target.label,
      fix: "give one of the targets a distinct `label` when you create it",
    });
  }
  const dependsOn = target.dependsOn.length > 0 ? [...target.dependsOn] : undefined;
  const assignment = authorization.write({ ...spec, dataPlane, name, id, dependsOn });
  // No such resource has a description: the reason goes in a Terraform JSON comment, for the report.
  assignment?.addOverride("//.description", spec.description);
  return { name, assignment };
}
