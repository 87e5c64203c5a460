import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { AuditLogs, configureIdentityStack } from "../constructs";
import { EnvironmentSettings } from "./environment-settings";
import { configureAzure } from "./azure-provider";

/**
 * A stack of one environment, with its own state key: provider and backend sign in with Entra ID
 * (OIDC in CI with ARM_USE_OIDC=true, the Azure CLI locally), so nothing here holds a secret. Every
 * synth runs the guardrails and writes the access report. Stacks of an environment share resource
 * ids only, never a cross-stack reference: one plan never waits for another stack's deploy, and
 * `cdktf deploy` runs the stacks in parallel (in `addDependency` order).
 */
export class AzureStack extends TerraformStack {
  readonly provider: AzurermProvider;

  constructor(
    scope: Construct,
    id: string,
    readonly settings: EnvironmentSettings,
    stateKey: string,
    auditLogs?: AuditLogs,
  ) {
    super(scope, id);
    configureIdentityStack(this, {
      subscriptionId: settings.subscriptionId,
      tenantId: settings.tenantId,
      environment: { name: settings.name, production: settings.production },
      guardrails: settings.guardrails,
      auditLogs,
    });
    this.provider = configureAzure(this, settings, stateKey);
  }
}
