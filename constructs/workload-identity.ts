import { Construct } from "constructs";
import { AttachableCompute } from "./compute/attachable-compute";
import { Grant, GrantSpec, grantRole } from "./grant";
import { IManagedIdentity, IUserAssignedIdentity, SystemAssignedIdentity } from "./identity";
import { Roles } from "./role-catalog";
import { UserAssignedIdentity, UserAssignedIdentityProps } from "./user-assigned-identity";

/** Which identity the workload's compute runs as. */
export type IdentityChoice =
  | { readonly type: "SystemAssigned" }
  | { readonly type: "UserAssigned"; readonly identity: IUserAssignedIdentity }
  | { readonly type: "NewUserAssigned"; readonly props: UserAssignedIdentityProps };

export const Identity = {
  /** Each compute (and each slot) gets its own principal, deleted with it. */
  systemAssigned: (): IdentityChoice => ({ type: "SystemAssigned" }),
  /** Share an identity made elsewhere (another workload's, or an existing one by id). */
  userAssigned: (identity: IUserAssignedIdentity): IdentityChoice => ({ type: "UserAssigned", identity }),
  /** Create a user-assigned identity for this workload, shared by all its computes. */
  newUserAssigned: (props: UserAssignedIdentityProps): IdentityChoice => ({ type: "NewUserAssigned", props }),
};

export interface WorkloadIdentityProps {
  readonly identity: IdentityChoice;
  /** The computes that run as the identity; an App Service's slots come with it. */
  readonly compute: readonly AttachableCompute[];
  /** The access the workload needs, as `target.allow(role, reason)`. */
  readonly grants: readonly GrantSpec[];
  /** The workload's name in assignment descriptions; defaults to the construct id. */
  readonly workload?: string;
}

/**
 * Identity, attachment and least-privilege grants as one unit: the compute gets its identity,
 * the identity gets exactly the listed roles on the exact targets, and the compute is wired to
 * use it (AZURE_CLIENT_ID, Key Vault references, registry pull).
 */
export class WorkloadIdentity extends Construct {
  /** The principals that were granted access: one user-assigned, or one per compute and slot. */
  readonly principals: readonly IManagedIdentity[];
  readonly grants: readonly Grant[];
  readonly userAssigned?: IUserAssignedIdentity;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const computes = props.compute.flatMap((c) => [c, ...c.slots]);
    const workload = props.workload ?? id;

    const attached: Array<{ compute: AttachableCompute; identity: IManagedIdentity }> = [];
    if (props.identity.type === "SystemAssigned") {
      for (const compute of computes) {
        const identity = new SystemAssignedIdentity(this, `system-identity-${compute.resource.node.id}`, {
          principalId: compute.enableSystemAssigned(),
          computeResourceId: compute.resourceId,
        });
        attached.push({ compute, identity });
      }
    } else {
      const identity =
        props.identity.type === "UserAssigned" ? props.identity.identity : new UserAssignedIdentity(this, "identity", props.identity.props);
      this.userAssigned = identity;
      for (const compute of computes) {
        compute.attachUserAssigned(identity);
        attached.push({ compute, identity });
      }
    }

    const principals = [...new Set(attached.map((a) => a.identity))];
    if (principals.length === 0 && this.userAssigned) principals.push(this.userAssigned);
    this.principals = principals;
    this.grants = principals.flatMap((identity) =>
      props.grants.map((spec) => grantRole(identity, spec.role, spec.target, { ...spec.options, workload, declaredBy: this })),
    );

    if (props.grants.some((spec) => spec.role === Roles.AcrPull)) {
      for (const { compute, identity } of attached) compute.pullImagesWith(identity);
    }
  }
}
