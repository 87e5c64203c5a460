// Mocked computed values for `terraform test` with `mock_provider "azurerm"`. They must look like
// Azure's: the real provider's validators still run on every argument a mocked value flows into
// (a role assignment's scope, a federated credential's parent_id, a UUID principal_id), and a
// random 8-character string fails them at plan.
import { createHash } from "node:crypto";
import { AZURE_TYPE_OF_TERRAFORM } from "../../constructs/internal/platform/azure-resource-types";

const MOCK_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const MOCK_RESOURCE_GROUP = "mock-rg";
const RG_ID = `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${MOCK_RESOURCE_GROUP}`;

/** A stable UUID (version-5 shaped) for a seed: same input, same HCL. */
function mockUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const MOCK_TENANT = mockUuid("mock-tenant");

/** A mocked value: a string, or an object for a nested block (Terraform mocks blocks as objects, never lists). */
export type MockValue = string | { readonly [attribute: string]: MockValue };

export interface MockDefaults {
  readonly values: Readonly<Record<string, MockValue>>;
  /** Set when the type is not in the table: the HCL says so, so a reviewer sees the guess. */
  readonly note?: string;
}

/**
 * Types whose binding has an `identity` block with computed principal_id and tenant_id
 * (checked against node_modules/@cdktf/provider-azurerm by the gate's tests).
 */
export const IDENTITY_BLOCK_TYPES: ReadonlySet<string> = new Set([
  "azurerm_app_configuration",
  "azurerm_cognitive_account",
  "azurerm_container_app",
  "azurerm_container_app_environment",
  "azurerm_container_app_job",
  "azurerm_container_group",
  "azurerm_container_registry",
  "azurerm_cosmosdb_account",
  "azurerm_eventgrid_domain",
  "azurerm_eventgrid_topic",
  "azurerm_eventhub_namespace",
  "azurerm_kubernetes_cluster",
  "azurerm_linux_function_app",
  "azurerm_linux_function_app_slot",
  "azurerm_linux_virtual_machine",
  "azurerm_linux_virtual_machine_scale_set",
  "azurerm_linux_web_app",
  "azurerm_linux_web_app_slot",
  "azurerm_log_analytics_workspace",
  "azurerm_mssql_server",
  "azurerm_postgresql_flexible_server",
  "azurerm_redis_cache",
  "azurerm_search_service",
  "azurerm_servicebus_namespace",
  "azurerm_storage_account",
  "azurerm_windows_function_app",
  "azurerm_windows_function_app_slot",
  "azurerm_windows_virtual_machine",
  "azurerm_windows_virtual_machine_scale_set",
  "azurerm_windows_web_app",
  "azurerm_windows_web_app_slot",
]);

const WEB_APP = ["default_hostname"];
const STORAGE_ENDPOINTS = ["blob", "dfs", "file", "queue", "table", "web"].flatMap((s) => [
  `primary_${s}_endpoint`,
  `primary_${s}_host`,
]);

/**
 * Computed-only attributes (no `...Input` getter in the binding) whose shape matters: ids, UUIDs,
 * URLs, host names. Others are left to Terraform's generated strings.
 */
export const COMPUTED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  azurerm_app_configuration: ["endpoint"],
  azurerm_application_insights: ["app_id"],
  azurerm_cognitive_account: ["endpoint"],
  azurerm_container_app: ["latest_revision_fqdn"],
  azurerm_container_app_environment: ["default_domain", "static_ip_address"],
  azurerm_container_group: ["fqdn", "ip_address"],
  azurerm_container_registry: ["login_server"],
  azurerm_key_vault: ["vault_uri"],
  azurerm_kubernetes_cluster: ["fqdn", "node_resource_group_id", "oidc_issuer_url"],
  azurerm_linux_function_app: WEB_APP,
  azurerm_linux_function_app_slot: WEB_APP,
  azurerm_linux_virtual_machine: ["private_ip_address", "virtual_machine_id"],
  azurerm_linux_virtual_machine_scale_set: ["unique_id"],
  azurerm_linux_web_app: WEB_APP,
  azurerm_linux_web_app_slot: WEB_APP,
  azurerm_log_analytics_workspace: ["workspace_id"],
  azurerm_nat_gateway: ["resource_guid"],
  azurerm_network_interface: ["mac_address", "private_ip_address"],
  azurerm_public_ip: ["ip_address"],
  azurerm_servicebus_namespace: ["endpoint"],
  azurerm_storage_account: STORAGE_ENDPOINTS,
  azurerm_storage_container: ["resource_manager_id"],
  azurerm_storage_queue: ["resource_manager_id", "url"],
  azurerm_storage_share: ["resource_manager_id", "url"],
  azurerm_storage_table: ["resource_manager_id"],
  azurerm_user_assigned_identity: ["client_id", "principal_id", "tenant_id"],
  azurerm_virtual_network: ["guid"],
  azurerm_windows_function_app: WEB_APP,
  azurerm_windows_function_app_slot: WEB_APP,
  azurerm_windows_virtual_machine: ["private_ip_address", "virtual_machine_id"],
  azurerm_windows_virtual_machine_scale_set: ["unique_id"],
  azurerm_windows_web_app: WEB_APP,
  azurerm_windows_web_app_slot: WEB_APP,
};

/** Data sources Azure answers about the caller, not about a resource. */
const DATA_SOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  azurerm_client_config: {
    id: mockUuid("azurerm_client_config.id"),
    client_id: mockUuid("azurerm_client_config.client_id"),
    object_id: mockUuid("azurerm_client_config.object_id"),
    subscription_id: MOCK_SUBSCRIPTION,
    tenant_id: MOCK_TENANT,
  },
  azurerm_subscription: {
    id: `/subscriptions/${MOCK_SUBSCRIPTION}`,
    subscription_id: MOCK_SUBSCRIPTION,
    tenant_id: MOCK_TENANT,
  },
};

/** Readable mock names, each valid under Azure's naming rule for its type (the tests parse them). */
const NAMES: Readonly<Record<string, string>> = {
  containerApps: "mock-app",
  containers: "mock-container",
  federatedIdentityCredentials: "mock-credential",
  managedClusters: "mock-aks",
  managedEnvironments: "mock-env",
  namespaces: "mock-namespace",
  networkInterfaces: "mock-nic",
  privateDnsZones: "privatelink.vaultcore.azure.net",
  queues: "mock-queue",
  registries: "mockregistry",
  serverFarms: "mock-plan",
  shares: "mock-share",
  sites: "mock-app",
  slots: "mock-slot",
  storageAccounts: "mockstorage",
  subnets: "mock-subnet",
  tables: "mocktable",
  userAssignedIdentities: "mock-identity",
  vaults: "mock-kv",
  virtualNetworkLinks: "mock-link",
  virtualMachines: "mock-vm",
  virtualMachineScaleSets: "mock-vmss",
  virtualNetworks: "mock-vnet",
};

/** The name of one type segment in a mocked id: `default` where Azure fixes it. */
function segmentName(typeSegment: string): string {
  if (/^(blob|queue|table|file)Services$/.test(typeSegment)) return "default";
  return NAMES[typeSegment] ?? `mock-${typeSegment.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
}

/** An ARM id of `Namespace/type[/childType...]`, one mock name per type segment. */
function armIdOf(azureType: string): string {
  if (azureType.toLowerCase() === "microsoft.resources/resourcegroups") return RG_ID;
  const [namespace, ...types] = azureType.split("/");
  const path = types.map((t) => `${t}/${segmentName(t)}`).join("/");
  if (namespace.toLowerCase() === "microsoft.authorization") {
    return `${RG_ID}/providers/${namespace}/${types.join("/")}/${mockUuid(azureType)}`;
  }
  return `${RG_ID}/providers/${namespace}/${path}`;
}

/** Ids that are not `<rg>/providers/<type>/<name>`: how azurerm 4.55 writes them. */
const SPECIAL_IDS: Readonly<Record<string, () => string>> = {
  azurerm_resource_provider_registration: () => `/subscriptions/${MOCK_SUBSCRIPTION}/providers/Microsoft.App`,
  // The table spells the share type `fileshares`; the provider's id (fileshares.ShareId) says `shares`.
  azurerm_storage_share: () =>
    `${armIdOf("Microsoft.Storage/storageAccounts")}/fileServices/default/shares/${segmentName("shares")}`,
  azurerm_monitor_diagnostic_setting: () => `${armIdOf("Microsoft.KeyVault/vaults")}|mock-diagnostics`,
  // The server's one policy: parse.ServerExtendedAuditingPolicyID expects the name `default`.
  azurerm_mssql_server_extended_auditing_policy: () =>
    `${armIdOf("Microsoft.Sql/servers")}/extendedAuditingSettings/default`,
  azurerm_key_vault_secret: () =>
    `https://${segmentName("vaults")}.vault.azure.net/secrets/mock-secret/${mockUuid("secret").replace(/-/g, "")}`,
  azurerm_key_vault_key: () =>
    `https://${segmentName("vaults")}.vault.azure.net/keys/mock-key/${mockUuid("key").replace(/-/g, "")}`,
  azurerm_key_vault_certificate: () =>
    `https://${segmentName("vaults")}.vault.azure.net/certificates/mock-certificate/${mockUuid("certificate").replace(/-/g, "")}`,
};

const UUID_ATTRIBUTES = new Set([
  "app_id",
  "client_id",
  "guid",
  "object_id",
  "principal_id",
  "resource_guid",
  "unique_id",
  "virtual_machine_id",
  "workspace_id",
]);

function attributeValue(terraformType: string, attribute: string, id: string): string {
  // `/subscriptions/s/resourceGroups/rg/providers/Namespace/type/name[/type/name...]`: the names.
  const names = id
    .split("/")
    .slice(7)
    .filter((_, i) => i % 2 === 1);
  const name = names[names.length - 1] ?? "mock";
  if (attribute === "tenant_id") return MOCK_TENANT;
  if (UUID_ATTRIBUTES.has(attribute)) return mockUuid(`${terraformType}.${attribute}`);
  const storage = (service: string) => `${segmentName("storageAccounts")}.${service}.core.windows.net`;
  const endpoint = /^primary_(\w+)_(endpoint|host)$/.exec(attribute);
  if (endpoint) {
    const host = storage(endpoint[1] === "web" ? "z6.web" : endpoint[1]);
    return endpoint[2] === "host" ? host : `https://${host}/`;
  }
  switch (`${terraformType}.${attribute}`) {
    case "azurerm_key_vault.vault_uri":
      return `https://${name}.vault.azure.net/`;
    case "azurerm_kubernetes_cluster.oidc_issuer_url":
      return `https://westeurope.oic.prod-aks.azure.com/${MOCK_TENANT}/${mockUuid("oidc-issuer")}/`;
    case "azurerm_kubernetes_cluster.fqdn":
      return `${name}-dns-4f2a1c3b.hcp.westeurope.azmk8s.io`;
    case "azurerm_kubernetes_cluster.node_resource_group_id":
      return `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/MC_${MOCK_RESOURCE_GROUP}_${name}_westeurope`;
    case "azurerm_container_group.fqdn":
      return `${name}.westeurope.azurecontainer.io`;
    case "azurerm_container_app_environment.default_domain":
      return `${name}.westeurope.azurecontainerapps.io`;
    case "azurerm_container_app.latest_revision_fqdn":
      return `${name}--mock.${segmentName("managedEnvironments")}.westeurope.azurecontainerapps.io`;
    case "azurerm_container_registry.login_server":
      return `${name}.azurecr.io`;
    case "azurerm_servicebus_namespace.endpoint":
      return `https://${name}.servicebus.windows.net:443/`;
    case "azurerm_app_configuration.endpoint":
      return `https://${name}.azconfig.io`;
    case "azurerm_cognitive_account.endpoint":
      return `https://${name}.cognitiveservices.azure.com/`;
    case "azurerm_storage_queue.url":
      return `https://${storage("queue")}/${name}`;
    case "azurerm_storage_share.url":
      return `https://${storage("file")}/${name}`;
  }
  if (attribute === "resource_manager_id") return id;
  if (attribute === "default_hostname") return `${names.join("-")}.azurewebsites.net`;
  if (attribute === "private_ip_address") return "10.0.1.4";
  if (attribute === "ip_address" || attribute === "static_ip_address") return "20.50.0.4";
  if (attribute === "mac_address") return "00-0D-3A-2B-4C-5D";
  throw new Error(
    `mock-defaults: no mock value for ${terraformType}.${attribute}; add one in tools/terraform-gate/mock-defaults.ts`,
  );
}

/** The mocked defaults of one resource (`kind` "resource") or data source type. */
export function mockDefaultsFor(terraformType: string, kind: "resource" | "data"): MockDefaults {
  if (kind === "data" && DATA_SOURCES[terraformType]) return { values: DATA_SOURCES[terraformType] };
  const azureType = AZURE_TYPE_OF_TERRAFORM[terraformType];
  const special = SPECIAL_IDS[terraformType];
  if (!azureType && !special) {
    const name = terraformType.replace(/^azurerm_/, "").replace(/_/g, "-");
    return {
      values: { id: `${RG_ID}/providers/Microsoft.Resources/unmappedTypes/mock-${name}` },
      note: `${terraformType} is not in AZURE_TYPE_OF_TERRAFORM: only a generic ARM id is mocked; add the type to constructs/internal/platform/azure-resource-types.ts if its id is parsed`,
    };
  }
  const id = special ? special() : armIdOf(azureType);
  const values: Record<string, MockValue> = { id };
  for (const attribute of COMPUTED_ATTRIBUTES[terraformType] ?? [])
    values[attribute] = attributeValue(terraformType, attribute, id);
  // A data source's identity is a computed list attribute, not a block: an object would not convert.
  if (kind === "resource" && IDENTITY_BLOCK_TYPES.has(terraformType)) {
    values.identity = { principal_id: mockUuid(`${terraformType}.identity.principal_id`), tenant_id: MOCK_TENANT };
  }
  return { values };
}
