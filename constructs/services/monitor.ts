import { defineService, notApplicable } from "../azure/contract";

/** Azure Monitor: everything the library knows about it. */
export const monitor = defineService({
  name: "Azure Monitor",
  namespaces: ["Microsoft.OperationalInsights", "Microsoft.Insights", "microsoft.aadiam"],
  resourceTypes: {
    logAnalyticsWorkspace: {
      kind: "Log Analytics workspace",
      azureType: "Microsoft.OperationalInsights/workspaces",
      terraformType: "azurerm_log_analytics_workspace",
      id: "inResourceGroup",
    },
    diagnosticSetting: {
      kind: "diagnostic setting",
      azureType: "Microsoft.Insights/diagnosticSettings",
      terraformType: "azurerm_monitor_diagnostic_setting",
      id: "extension",
    },
    // Entra ID's own diagnostic settings (tenant level), under the microsoft.aadiam provider.
    aadDiagnosticSetting: {
      kind: "Entra ID diagnostic setting",
      azureType: "microsoft.aadiam/diagnosticSettings",
      terraformType: "azurerm_monitor_aad_diagnostic_setting",
      id: "tenant",
    },
  },
  roles: notApplicable(
    "no role is granted on its resources; Monitoring Metrics Publisher, its ingestion role, is Application Insights'",
  ),
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    secretAttributes: {
      azurerm_log_analytics_workspace: "primary_shared_key secondary_shared_key",
      "data.azurerm_log_analytics_workspace": "primary_shared_key secondary_shared_key",
    },
  },
  // The workspace the audit logs go to; Monitor's own resources hold no data a grant reads.
  audit: {
    workspace: {
      type: "Microsoft.OperationalInsights/workspaces",
      terraformType: "azurerm_log_analytics_workspace",
      settingTerraformType: "azurerm_monitor_diagnostic_setting",
    },
  },
  network: notApplicable(
    "Log Analytics is written and queried through Azure Monitor's endpoints (or an Azure Monitor Private Link Scope), which the library does not judge",
  ),
  mocks: {
    identityBlock: ["azurerm_log_analytics_workspace"],
    computed: { azurerm_log_analytics_workspace: ["workspace_id"] },
    ids: {
      azurerm_monitor_diagnostic_setting: (w) => `${w.armId("Microsoft.KeyVault/vaults")}|mock-diagnostics`,
    },
  },
});

// @targets
