import { Construct } from "constructs";
import { DeveloperAccess } from "../constructs";
import { AzureStack } from "./azure-stack";
import { EnvironmentSettings, requireDeveloperAccessAllowed } from "./environment-settings";
import { EnvironmentStack } from "./environment-stack";

/**
 * The developers' access to one environment: its group gets the data roles the environment's
 * workloads hold, on the same targets. An admin applies it after the environment's deploy (the
 * targets must exist, and the pipeline may assign roles to service principals only), and again
 * when a workload's grants change; `cdktf deploy <env> <env>-developers` keeps the order.
 */
export class DeveloperAccessStack extends AzureStack {
  readonly access: DeveloperAccess;

  constructor(scope: Construct, settings: EnvironmentSettings, groupObjectId: string, environment: EnvironmentStack) {
    requireDeveloperAccessAllowed(scope, settings, groupObjectId);
    super(scope, `${settings.name}-developers`, settings, `${settings.name}-developers`);
    this.access = new DeveloperAccess(this, "developers", { groupObjectId, estate: [environment] });
    this.addDependency(environment);
  }
}
