import { IConstruct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { TerraformResource } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { IManagedIdentity } from "./identity";
import { AzureRoleDefinition, RoleDefinition, RoleService } from "./role-catalog";
import { ResourceId } from "./azure-ids";
import { AbacCondition } from "./abac/condition";
import type { ServiceDefinition } from "./contract";

export interface GrantOptions {
  /** Why the workload needs this access; written into the assignment's description. */
  readonly reason: string;
  /** The workload the grant serves; defaults to the identity's construct id. */
  readonly workload?: string;
  /**
   * Required for what the access policy refuses by default (a privileged or broad data role, a
   * control-plane role on a data service, a scope broader than one resource): why nothing
   * narrower works. It becomes the suppression of exactly the rules the grant breaks.
   */
  readonly justification?: string;
  readonly condition?: AbacCondition;
}

/** What a grant needs to know of its target; `GrantTarget` (targets.ts) is the one implementation. */
export interface GrantScope {
  readonly kind: string;
  /** Built from names: hashed into the assignment name, and carrying the subscription. */
  readonly resourceId: ResourceId;
  /** What the assignment's `scope` is set to: the resource's `id` reference, or the literal id. */
  readonly scopeReference: string;
  readonly services: readonly RoleService[];
  readonly tenantId: string;
  readonly label: string;
  readonly dependsOn: readonly ITerraformDependable[];
  /** The stack whose resource the target is, when it is one (its `id` is then a token of that stack). */
  readonly home?: IConstruct;
  /** The service whose resource it is: how its data roles are authorized and written. */
  readonly service?: ServiceDefinition;
  /** For a service that authorizes data itself (Cosmos DB, Redis, databases): where its grants are made. */
  readonly dataPlane?: DataPlaneScope;
  accepts(role: RoleDefinition): boolean;
}

/**
 * The resource that authorizes a data-plane grant (a Cosmos DB account, a Redis cache, a database
 * server), and for a database grant the database, its server's host name and the schema.
 */
export interface DataPlaneScope {
  /** Built from names. */
  readonly service: ResourceId;
  /** The service's `id` reference, or its literal id. */
  readonly serviceReference: string;
  readonly database?: DatabaseScope;
}

export interface DatabaseScope {
  readonly name: string;
  /** The server's host name clients connect to. */
  readonly host: string;
  /** PostgreSQL: the schema whose tables the privileges cover. */
  readonly schema?: string;
  /** What the server must have before its statements run, which the stack does not do: stated where they are output. */
  readonly prerequisites?: readonly string[];
}

/** A typed request for access to one target, to hand to a WorkloadIdentity. */
export interface GrantRequest {
  readonly target: GrantScope;
  readonly role: RoleDefinition;
  readonly options: Omit<GrantOptions, "workload">;
}

/**
 * One role granted on a target to an identity. `assignment` is the resource that grants it: an
 * Azure role assignment, a Cosmos DB SQL role assignment or a Redis access policy assignment; a
 * database role has none, since ARM cannot create database users (its statements are a stack output).
 */
export class Grant {
  constructor(
    readonly name: string,
    readonly role: RoleDefinition,
    readonly target: GrantScope,
    readonly identity: IManagedIdentity,
    readonly assignment: TerraformResource | undefined,
    readonly options: GrantOptions & { readonly platformUse?: string },
  ) {}
}

/** A grant made by an Azure role assignment. */
export type AzureGrant = Grant & { readonly role: AzureRoleDefinition; readonly assignment: RoleAssignment };

export const isAzureGrant = (g: Grant): g is AzureGrant => g.role.system === "azure-rbac";
