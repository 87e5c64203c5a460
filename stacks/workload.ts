import { Construct } from "constructs";
import {
  Identity,
  IdentityChoice,
  UserAssignedIdentityChoice,
  WorkloadIdentity,
  WorkloadIdentityProps,
} from "../constructs";
import { EnvironmentSettings, resourceGroupName } from "./environment-settings";
import { SharedResources } from "./shared-resources";

/** What every workload of an environment is built from. */
export interface WorkloadContext {
  readonly env: EnvironmentSettings;
  readonly shared: SharedResources;
}

/** A workload class, as the registry in `workloads/index.ts` lists it. */
export type WorkloadClass = new (scope: Construct, name: string, context: WorkloadContext) => Workload;

/**
 * A workload of one environment, named once: its construct id is its name. The name gives its
 * tags (`workload = <name>`), its resource names (`<prefix>-<name>[-<suffix>]`), its identities'
 * names and the `workload` of its grants, so the report, the tags and the portal agree.
 */
export abstract class Workload extends Construct {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  protected readonly env: EnvironmentSettings;
  protected readonly shared: SharedResources;

  constructor(scope: Construct, name: string, { env, shared }: WorkloadContext) {
    super(scope, name);
    this.name = name;
    this.env = env;
    this.shared = shared;
    this.tags = { ...env.tags, workload: name };
  }

  /** `<prefix>-<name>`, or `<prefix>-<name>-<suffix>` for a second resource of the workload. */
  protected resourceName(suffix?: string): string {
    return [this.env.namePrefix, this.name, suffix].filter((part) => part !== undefined).join("-");
  }

  /** Where the workload's resources live: the environment's group and region, with its tags. */
  protected get placement(): { resourceGroupName: string; location: string; tags: Record<string, string> } {
    return { resourceGroupName: resourceGroupName(this.env), location: this.env.location, tags: { ...this.tags } };
  }

  /**
   * A new user-assigned identity, `<prefix>-<name>-id` (or `<prefix>-<name>-<suffix>-id`), protected
   * from destroy where the environment says: a replaced identity is a new principal without grants.
   */
  protected newIdentity(suffix?: string): UserAssignedIdentityChoice {
    return Identity.newUserAssigned({
      ...this.placement,
      name: `${this.resourceName(suffix)}-id`,
      preventDestroy: this.env.protectIdentities,
    });
  }

  /**
   * The system-assigned identity, or, where the environment converts this workload
   * (`identityConversions`), the conversion to its new user-assigned identity in the phase named there.
   */
  protected systemAssignedOrConverting(): IdentityChoice {
    const terms = this.env.identityConversions?.[this.name];
    return terms ? Identity.convertToUserAssigned(this.newIdentity(), terms) : Identity.systemAssigned();
  }

  /** The workload's identity, attachment, grants and wiring, its grants described as this workload's. */
  protected workloadIdentity(props: Omit<WorkloadIdentityProps, "workload">): WorkloadIdentity {
    return new WorkloadIdentity(this, "access", { ...props, workload: this.name });
  }
}
