import { IConstruct } from "constructs";
import { ResourceId } from "../azure-ids";
import { IManagedIdentity, IUserAssignedIdentity } from "../identity";

/** A compute resource a WorkloadIdentity can give an identity to. */
export interface AttachableCompute {
  /** The compute resource itself (named in errors). */
  readonly resource: IConstruct;
  /** Its resource id built from names: the principal id hashed for its system-assigned identity. */
  readonly resourceId: ResourceId;
  /** Parts that carry their own identity block and must hold the same access (App Service slots). */
  readonly slots: readonly AttachableCompute[];
  /** Turns on the system-assigned identity, keeping any user-assigned ones; returns its principal id. */
  enableSystemAssigned(): string;
  /** Adds the identity to `identity_ids` and wires what the code needs to select it. */
  attachUserAssigned(identity: IUserAssignedIdentity): void;
  /** Makes the platform pull container images with this identity instead of registry credentials. */
  pullImagesWith(identity: IManagedIdentity): void;
}
