import { Construct } from "constructs";
import { IdentityConfigError } from "../constructs";
import { AzureStack } from "./azure-stack";
import { auditWorkspaceId, EnvironmentSettings, signInWorkspaceId } from "./environment-settings";
import { SharedResources } from "./shared-resources";
import { Workload, WorkloadClass } from "./workload";
import { OPTIONAL_WORKLOADS, WORKLOADS } from "./workloads";

/** One environment in one stack: the shared targets and the environment's workloads. The pipeline applies it. */
export class EnvironmentStack extends AzureStack {
  readonly shared: SharedResources;
  /** The environment's workloads, by name. */
  readonly workloads: ReadonlyMap<string, Workload>;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    // Each data grant's target sends its data-access logs to the workspace the bootstrap created.
    super(scope, settings.name, settings, settings.name, {
      workspaceId: auditWorkspaceId(settings),
      signInWorkspaceId: signInWorkspaceId(settings),
    });
    this.shared = new SharedResources(this, "shared", settings);
    const context = { env: settings, shared: this.shared };
    this.workloads = new Map(
      Object.entries(workloadsOf(this, settings)).map(([name, Class]) => [name, new Class(this, name, context)]),
    );
  }
}

/** Every environment's workloads, and the optional ones its settings name. */
function workloadsOf(stack: Construct, settings: EnvironmentSettings): Record<string, WorkloadClass> {
  const extra = settings.extraWorkloads ?? [];
  const twice = Object.keys(OPTIONAL_WORKLOADS).filter((name) => Object.hasOwn(WORKLOADS, name));
  if (twice.length > 0) {
    throw new IdentityConfigError(stack, {
      problem: "A workload is registered both for every environment and as optional",
      value: twice,
      fix: "keep it in WORKLOADS or in OPTIONAL_WORKLOADS (stacks/workloads/index.ts), not both",
    });
  }
  const unknown = extra.filter((name) => !Object.hasOwn(OPTIONAL_WORKLOADS, name));
  if (unknown.length > 0) {
    throw new IdentityConfigError(stack, {
      problem: `Environment ${settings.name} names workloads that are not optional workloads`,
      value: unknown,
      fix: `list names of OPTIONAL_WORKLOADS in stacks/workloads/index.ts (${Object.keys(OPTIONAL_WORKLOADS).join(", ")}), or register the workload there`,
    });
  }
  const workloads = { ...WORKLOADS, ...Object.fromEntries(extra.map((name) => [name, OPTIONAL_WORKLOADS[name]])) };
  const converted = Object.keys(settings.identityConversions ?? {}).filter((name) => !Object.hasOwn(workloads, name));
  if (converted.length > 0) {
    throw new IdentityConfigError(stack, {
      problem: `Environment ${settings.name} converts the identity of workloads it does not run`,
      value: converted,
      fix: `name workloads the environment runs (${Object.keys(workloads).join(", ")}) in identityConversions`,
    });
  }
  return workloads;
}
