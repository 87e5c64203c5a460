import { ResourceTypes } from "../resource-types";

/**
 * The Azure resource type each azurerm resource creates (`Namespace/type[/childType...]`): the
 * resource provider a subscription must have registered before the first create, and the shape
 * of the id Azure gives it. Grant targets come from `ResourceTypes`; the rest are the computes,
 * networks and plans stacks declare. A resource type missing here is an error where it matters
 * (registration), never a guess.
 */
const TARGET_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(ResourceTypes).flatMap((t) => (t.terraformType ? [[t.terraformType, t.azureType]] : [])),
);

export const AZURE_TYPE_OF_TERRAFORM: Readonly<Record<string, string>> = {
  ...TARGET_TYPES,
  azurerm_resource_group: "Microsoft.Resources/resourceGroups",
  azurerm_role_assignment: "Microsoft.Authorization/roleAssignments",
  azurerm_federated_identity_credential:
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
  azurerm_virtual_network: "Microsoft.Network/virtualNetworks",
  azurerm_subnet: "Microsoft.Network/virtualNetworks/subnets",
  azurerm_network_interface: "Microsoft.Network/networkInterfaces",
  azurerm_network_security_group: "Microsoft.Network/networkSecurityGroups",
  azurerm_public_ip: "Microsoft.Network/publicIPAddresses",
  azurerm_route_table: "Microsoft.Network/routeTables",
  azurerm_nat_gateway: "Microsoft.Network/natGateways",
  azurerm_private_dns_zone: "Microsoft.Network/privateDnsZones",
  azurerm_private_dns_zone_virtual_network_link: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
  azurerm_private_endpoint: "Microsoft.Network/privateEndpoints",
  azurerm_mssql_firewall_rule: "Microsoft.Sql/servers/firewallRules",
  azurerm_mssql_virtual_network_rule: "Microsoft.Sql/servers/virtualNetworkRules",
  azurerm_postgresql_flexible_server_firewall_rule: "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
  azurerm_service_plan: "Microsoft.Web/serverFarms",
  azurerm_linux_web_app: "Microsoft.Web/sites",
  azurerm_windows_web_app: "Microsoft.Web/sites",
  azurerm_linux_function_app: "Microsoft.Web/sites",
  azurerm_windows_function_app: "Microsoft.Web/sites",
  azurerm_linux_web_app_slot: "Microsoft.Web/sites/slots",
  azurerm_windows_web_app_slot: "Microsoft.Web/sites/slots",
  azurerm_linux_function_app_slot: "Microsoft.Web/sites/slots",
  azurerm_windows_function_app_slot: "Microsoft.Web/sites/slots",
  azurerm_linux_virtual_machine: "Microsoft.Compute/virtualMachines",
  azurerm_windows_virtual_machine: "Microsoft.Compute/virtualMachines",
  azurerm_linux_virtual_machine_scale_set: "Microsoft.Compute/virtualMachineScaleSets",
  azurerm_windows_virtual_machine_scale_set: "Microsoft.Compute/virtualMachineScaleSets",
  azurerm_kubernetes_cluster_node_pool: "Microsoft.ContainerService/managedClusters/agentPools",
  azurerm_container_app_environment: "Microsoft.App/managedEnvironments",
  azurerm_container_app: "Microsoft.App/containerApps",
  azurerm_container_app_job: "Microsoft.App/jobs",
  azurerm_container_group: "Microsoft.ContainerInstance/containerGroups",
  azurerm_log_analytics_workspace: "Microsoft.OperationalInsights/workspaces",
  azurerm_cosmosdb_sql_role_assignment: "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
  azurerm_redis_cache_access_policy_assignment: "Microsoft.Cache/redis/accessPolicyAssignments",
  azurerm_postgresql_flexible_server_active_directory_administrator:
    "Microsoft.DBforPostgreSQL/flexibleServers/administrators",
  azurerm_monitor_diagnostic_setting: "Microsoft.Insights/diagnosticSettings",
  azurerm_mssql_server_extended_auditing_policy: "Microsoft.Sql/servers/extendedAuditingSettings",
  // Entra ID's own diagnostic settings (tenant level), under the microsoft.aadiam provider.
  azurerm_monitor_aad_diagnostic_setting: "microsoft.aadiam/diagnosticSettings",
};

/**
 * Namespaces Azure registers in every subscription (Microsoft's "resource providers registered
 * by default"): nothing to do for them, and the pipeline could not unregister them anyway.
 */
export const REGISTERED_BY_DEFAULT: ReadonlySet<string> = new Set([
  "Microsoft.Authorization",
  "Microsoft.Features",
  "Microsoft.Resources",
]);

/** The namespace of a Terraform resource type, or undefined when the table does not know it. */
export function resourceProviderOf(terraformType: string): string | undefined {
  return AZURE_TYPE_OF_TERRAFORM[terraformType]?.split("/")[0];
}
