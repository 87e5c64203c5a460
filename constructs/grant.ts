import { IConstruct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { IManagedIdentity } from "./identity";
import { RoleDefinition, RoleService } from "./role-catalog";
import { ResourceId } from "./azure-ids";
import { AbacCondition } from "./abac/condition";

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
  accepts(role: RoleDefinition): boolean;
}

/** A typed request for access to one target, to hand to a WorkloadIdentity. */
export interface GrantRequest {
  readonly target: GrantScope;
  readonly role: RoleDefinition;
  readonly options: Omit<GrantOptions, "workload">;
}

/** One role assignment: the result of granting a role on a target to an identity. */
export class Grant {
  constructor(
    readonly name: string,
    readonly role: RoleDefinition,
    readonly target: GrantScope,
    readonly identity: IManagedIdentity,
    readonly assignment: RoleAssignment,
    readonly options: GrantOptions & { readonly platformUse?: string },
  ) {}
}
