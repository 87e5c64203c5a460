import { IConstruct } from "constructs";
import { ResourceId } from "../azure/azure-ids";
import { GrantRequest } from "../azure/grant";
import { IManagedIdentity, IUserAssignedIdentity } from "../azure/identity";
import { HasIdentityBlock, mergeIdentity } from "./identity-block";
import type { ContainerRegistryTarget } from "../services/container-registry";
import type { UserAssignedIdentityChoice } from "../identities/identity-choice";

/**
 * A user-assigned identity the platform itself runs as, when the workload's identity is
 * system-assigned: such an identity exists only once the compute does, too late for what the
 * platform reads at its first start (a Functions host's storage).
 */
export interface PlatformIdentityNeed {
  /** The same for an app and its slots: one identity, and one set of grants, serves them all. */
  readonly key: object;
  readonly choice: UserAssignedIdentityChoice;
  /** Attaches it and tells the platform to use it. */
  use(identity: IUserAssignedIdentity): void;
}

/** A compute resource a WorkloadIdentity can give an identity to. */
export interface AttachableCompute {
  /** The compute resource itself (named in errors). */
  readonly resource: IConstruct;
  /** Its resource id built from names: the principal id hashed for its system-assigned identity. */
  readonly resourceId: ResourceId;
  /** Parts that carry their own identity block and must hold the same access (App Service slots). */
  readonly slots: readonly AttachableCompute[];
  /**
   * Access the platform itself needs to run the compute (a function app's host storage): granted
   * before the compute exists, to the workload's user-assigned identity or to `platformIdentity`.
   */
  readonly platformGrants: readonly GrantRequest[];
  readonly platformIdentity?: PlatformIdentityNeed;
  /** Turns on the system-assigned identity, keeping any user-assigned ones; returns its principal id. */
  enableSystemAssigned(): string;
  /** Adds the identity to `identity_ids` and wires what the platform needs to use it. */
  attachUserAssigned(identity: IUserAssignedIdentity): void;
  /**
   * Adds settings the code reads (app settings, environment variables). Absent where the platform
   * has no such settings (VMs): the code there is configured by other means.
   */
  readonly setEnvironment?: (settings: Readonly<Record<string, string>>) => void;
  /** Whether the app settings hold `name` (where a secret migration's setting can live: App Service and Functions). */
  readonly hasSetting?: (name: string) => boolean;
  /** Checks that the platform runs what reads these connections (Functions triggers need a host that stays awake). */
  readonly acceptConnections?: (names: readonly string[]) => void;
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
  readonly platformGrants: readonly GrantRequest[] = [];

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
