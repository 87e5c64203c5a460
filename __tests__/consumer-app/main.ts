// A workload of another team's repository, through the package's public entry point only.
import { App, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { MapsAccount } from "@cdktf/provider-azurerm/lib/maps-account";
import {
  AppServiceCompute,
  configureIdentityStack,
  Identity,
  KeyVaultTarget,
  Roles,
  ServiceTarget,
  WorkloadIdentity,
} from "@azure-identity-grants/cdktf";
import { azureMaps } from "./maps-service";

const subscriptionId = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
const tenantId = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9";
const group = { resourceGroupName: "orders-rg", location: "westeurope" };
const vaultId = `/subscriptions/${subscriptionId}/resourceGroups/orders-rg/providers/Microsoft.KeyVault/vaults/orders-kv`;
const planId = `/subscriptions/${subscriptionId}/resourceGroups/orders-rg/providers/Microsoft.Web/serverFarms/orders-plan`;

const app = new App({ stackTraces: false });
const stack = new TerraformStack(app, "orders");
new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId, tenantId });
const workspaceId = `/subscriptions/${subscriptionId}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/orders-audit`;
configureIdentityStack(stack, {
  subscriptionId,
  tenantId,
  guardrails: { severity: "error" },
  auditLogs: { workspaceId },
});

const web = new LinuxWebApp(stack, "web", { ...group, name: "orders-web", servicePlanId: planId, siteConfig: {} });
// A service the library does not ship, with its local auth off: its guardrails have nothing to say.
const maps = new MapsAccount(stack, "maps", {
  ...group,
  name: "orders-maps",
  skuName: "G2",
  localAuthenticationEnabled: false,
});
new WorkloadIdentity(stack, "orders", {
  identity: Identity.newUserAssigned({ ...group, name: "orders-id" }),
  compute: [AppServiceCompute.linuxWebApp(web)],
  grants: [
    KeyVaultTarget.fromId(stack, vaultId).allow(Roles.KeyVaultSecretsUser, "reads its API secrets"),
    ServiceTarget.of(azureMaps, "account", maps).allow(azureMaps.roles.AzureMapsDataReader, "renders delivery maps"),
  ],
});
app.synth();
