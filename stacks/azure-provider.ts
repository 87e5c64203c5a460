import { AzurermBackend, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { EnvironmentSettings } from "./environment-settings";

/** The azurerm provider and the state backend of one stack, both signing in with Entra ID. */
export function configureAzure(stack: TerraformStack, settings: EnvironmentSettings, stateKey: string): void {
  new AzurermProvider(stack, "azurerm", {
    features: [{}],
    subscriptionId: settings.subscriptionId,
    tenantId: settings.tenantId,
    // Storage accounts here refuse shared keys, so the provider's data-plane calls use Entra ID.
    storageUseAzuread: true,
  });
  new AzurermBackend(stack, {
    subscriptionId: settings.state.subscriptionId,
    tenantId: settings.tenantId,
    resourceGroupName: settings.state.resourceGroupName,
    storageAccountName: settings.state.storageAccountName,
    containerName: settings.state.containerName,
    key: `identity-grants/${stateKey}.tfstate`,
    useAzureadAuth: true,
  });
}
