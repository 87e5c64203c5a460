import type { IConstruct } from "constructs";
import type { ITerraformDependable, TerraformResource } from "cdktf";
import type { DataPlaneScope, GrantScope } from "../grant";
import type { IManagedIdentity } from "../identity";
import type { DataPlaneRoleDefinition } from "../role-catalog";
import type { DatabaseDialect } from "../database-statements";
import type { ServiceDefinition } from ".";
import { isNotApplicable } from "./part";
import { registeredServices } from "./registry";

/**
 * The authorization part: who authorizes the service's data. Control-plane roles are Azure RBAC
 * for every service; data roles are too, unless the service has its own role system (Cosmos DB's
 * SQL role assignments, Redis access policies, users inside a database), where an Azure role
 * assignment grants no data at all and the service's writer makes the assignment instead.
 */
export type AuthorizationPart = AzureRbacAuthorization | OwnAuthorization;

/** Its data roles are Azure roles, assigned with `azurerm_role_assignment` like every control-plane role. */
export interface AzureRbacAuthorization {
  readonly system: "azure-rbac";
}

/** Its data roles are its own: the role system they carry, and how a grant of one is written. */
export interface OwnAuthorization {
  readonly system: DataPlaneRoleDefinition["system"];
  readonly write: AssignmentWriter;
  /** A database engine's statements, for the database-access outputs written and read back. */
  readonly dialect?: DatabaseDialect;
}

/** One grant of a data role of the service's own system, checked and named by the library. */
export interface DataPlaneAssignment {
  readonly identity: IManagedIdentity;
  readonly where: IConstruct;
  readonly role: DataPlaneRoleDefinition;
  readonly target: GrantScope;
  readonly dataPlane: DataPlaneScope;
  readonly description: string;
  /** Deterministic: a UUID from the scope, the role and the identity, so a repeat is the same grant. */
  readonly name: string;
  /** The construct id its resource takes under the identity. */
  readonly id: string;
  readonly dependsOn: ITerraformDependable[] | undefined;
}

/** Makes the assignment: the resource that holds it, or none when it is not an ARM resource (database users). */
export type AssignmentWriter = (assignment: DataPlaneAssignment) => TerraformResource | undefined;

/** The service's own data-plane authorization, or undefined when Azure RBAC (or nothing) authorizes its data. */
export function ownAuthorization(service: ServiceDefinition | undefined): OwnAuthorization | undefined {
  const part = service?.authorization;
  return part !== undefined && !isNotApplicable(part) && "write" in part ? part : undefined;
}

/** The registered database engine whose role system is `system`, or undefined. */
export function findDatabaseDialect(system: string): DatabaseDialect | undefined {
  for (const service of registeredServices()) {
    const dialect = ownAuthorization(service)?.dialect;
    if (dialect?.system === system) return dialect;
  }
  return undefined;
}
