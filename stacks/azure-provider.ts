import { AzurermBackend, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { EnvironmentSettings } from "./environment-settings";

/**
 * The azurerm provider and the state backend of one stack, both signing in with Entra ID. The
 * provider registers no resource provider on its own: that needs subscription rights the
 * pipeline does not have, and the bootstrap stack registers exactly what the environment needs.
 */
export function configureAzure(
  stack: TerraformStack,
  settings: EnvironmentSettings,
  stateKey: string,
): AzurermProvider {
  const provider = new AzurermProvider(stack, "azurerm", {
    features: [{}],
    subscriptionId: settings.subscriptionId,
    tenantId: settings.tenantId,
    // Storage accounts here refuse shared keys, so the provider's data-plane calls use Entra ID.
    storageUseAzuread: true,
    resourceProviderRegistrations: "none",
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
  return provider;
}
