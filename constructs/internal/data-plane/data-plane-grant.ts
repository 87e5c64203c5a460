import { IConstruct } from "constructs";
import { TerraformResource } from "cdktf";
import { CosmosdbSqlRoleAssignment } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment";
import { RedisCacheAccessPolicyAssignment } from "@cdktf/provider-azurerm/lib/redis-cache-access-policy-assignment";
import { AbacCondition } from "../../abac/condition";
import { IdentityConfigError } from "../../errors";
import { DataPlaneScope, GrantScope } from "../../grant";
import { IManagedIdentity } from "../../identity";
import { DataPlaneRoleDefinition } from "../../role-catalog";
import { roleAssignmentName } from "../deterministic-name";
import { slug } from "../slug";
import { addDatabaseGrant } from "./database-access";
import { principalDisplayName } from "./principal-name";

export interface DataPlaneGrantSpec {
  readonly identity: IManagedIdentity;
  readonly where: IConstruct;
  readonly role: DataPlaneRoleDefinition;
  readonly target: GrantScope;
  readonly description: string;
  readonly condition?: AbacCondition;
}

/**
 * Grants a role of a service's own data plane: a Cosmos DB SQL role assignment, a Redis access
 * policy assignment, or a database user whose statements the stack outputs. Named like an Azure
 * role assignment (a UUID from the scope, the role and the identity's id), so a repeat is the same grant.
 */
export function writeDataPlaneGrant(spec: DataPlaneGrantSpec): {
  name: string;
  assignment: TerraformResource | undefined;
} {
  const { identity, where, role, target, condition } = spec;
  const dataPlane = target.dataPlane;
  if (!dataPlane) {
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
  // Neither resource has a description: the reason goes in a Terraform JSON comment, for the report.
  const described = <T extends TerraformResource>(resource: T): T => {
    resource.addOverride("//.description", spec.description);
    return resource;
  };
  switch (role.system) {
    case "cosmos-db":
      return {
        name,
        assignment: described(
          new CosmosdbSqlRoleAssignment(identity, id, {
            name,
            resourceGroupName: dataPlane.service.resourceGroup,
            accountName: dataPlane.service.name,
            roleDefinitionId: `${dataPlane.serviceReference}/sqlRoleDefinitions/${role.definition}`,
            principalId: identity.principalId,
            scope: target.scopeReference,
            dependsOn,
          }),
        ),
      };
    case "redis":
      return {
        name,
        assignment: described(
          new RedisCacheAccessPolicyAssignment(identity, id, {
            name,
            redisCacheId: dataPlane.serviceReference,
            accessPolicyName: role.definition,
            objectId: identity.principalId,
            objectIdAlias: principalDisplayName(identity),
            dependsOn,
          }),
        ),
      };
    case "azure-sql":
    case "postgresql":
      addDatabaseGrant({ ...spec, dataPlane: requireDatabase(where, dataPlane, target), name });
      return { name, assignment: undefined };
  }
}

function requireDatabase(where: IConstruct, dataPlane: DataPlaneScope, target: GrantScope) {
  if (dataPlane.database) return dataPlane as Required<DataPlaneScope>;
  throw new IdentityConfigError(where, {
    problem: `Database roles are granted in one database, not on ${target.kind} ${target.label}`,
    value: target.resourceId.id,
    fix: "grant on server.database(name): each database has its own users",
  });
}
