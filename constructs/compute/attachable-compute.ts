import { IConstruct } from "constructs";
import { ResourceId } from "../azure-ids";
import { GrantSpec } from "../grant";
import { IManagedIdentity, IUserAssignedIdentity } from "../identity";
import { HasIdentityBlock, mergeIdentity } from "./identity-block";
import type { ContainerRegistryTarget } from "../targets";

/** A compute resource a WorkloadIdentity can give an identity to. */
export interface AttachableCompute {
  /** The compute resource itself (named in errors). */
  readonly resource: IConstruct;
  /** Its resource id built from names: the principal id hashed for its system-assigned identity. */
  readonly resourceId: ResourceId;
  /** Parts that carry their own identity block and must hold the same access (App Service slots). */
  readonly slots: readonly AttachableCompute[];
  /** Access the platform itself needs to run the compute (a function app's host storage). */
  readonly platformGrants: readonly GrantSpec[];
  /** Turns on the system-assigned identity, keeping any user-assigned ones; returns its principal id. */
  enableSystemAssigned(): string;
  /** Adds the identity to `identity_ids` and wires what the platform needs to use it. */
  attachUserAssigned(identity: IUserAssignedIdentity): void;
  /**
   * Adds settings the code reads (app settings, environment variables). Absent where the platform
   * has no such settings (VMs): the code there is configured by other means.
   */
  readonly setEnvironment?: (settings: Readonly<Record<string, string>>) => void;
  /** Makes the platform pull container images with this identity instead of registry credentials. */
  pullImagesWith(identity: IManagedIdentity, registry: ContainerRegistryTarget): void;
}

/** A compute resource with an identity block and a `principal_id` for its system-assigned identity. */
interface IdentityResource extends HasIdentityBlock {
  readonly identity: { readonly principalId: string };
}

/** A compute that is one resource with one identity block (no slots, no platform grants of its own). */
export abstract class SingleResourceCompute<R extends IdentityResource> implements AttachableCompute {
  readonly slots: readonly AttachableCompute[] = [];
  readonly platformGrants: readonly GrantSpec[] = [];

  protected constructor(
    readonly resource: R,
    readonly resourceId: ResourceId,
  ) {}

  enableSystemAssigned(): string {
    mergeIdentity(this.resource, true, []);
    return this.resource.identity.principalId;
  }

  attachUserAssigned(identity: IUserAssignedIdentity): void {
    mergeIdentity(this.resource, false, [identity.id]);
  }

  abstract pullImagesWith(identity: IManagedIdentity, registry: ContainerRegistryTarget): void;
}
