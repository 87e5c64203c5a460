import { Construct } from "constructs";
import { Annotations, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { AzureContext, Guardrails, onStackSynthesis, reportAccessOnSynth } from "../constructs";
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
  ) {
    super(scope, id);
    AzureContext.register(this, { subscriptionId: settings.subscriptionId, tenantId: settings.tenantId });
    new Guardrails(this, "guardrails", settings.guardrails);
    reportAccessOnSynth(this);

    this.provider = configureAzure(this, settings, stateKey);

    // A cross-stack token becomes a remote-state read of the other stack's outputs: this stack's
    // plan then needs the other one deployed first. Deploy order alone is `addDependency`.
    onStackSynthesis(new Construct(this, "cross-stack-check"), (json) => {
      for (const name of Object.keys(json().data?.terraform_remote_state ?? {})) {
        Annotations.of(this).addError(
          `${id} references another stack through a cross-stack token (remote state ${name}). Fix: pass the resource id string (built from names) instead, so each stack plans on its own`,
        );
      }
    });
  }
}
