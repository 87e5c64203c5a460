import { RoleService } from "../role-catalog";

/**
 * The Azure resource types roles are granted on: the services whose roles mean something there,
 * and the azurerm resource that creates them. Targets build on it; the guardrails read synthesized
 * JSON with it.
 */
export interface ResourceTypeInfo<S extends RoleService = RoleService> {
  /** How people name it, in messages. */
  readonly kind: string;
  /** `Namespace/type[/childType...]`, as in a resource id. */
  readonly azureType: string;
  readonly services: readonly S[];
  readonly terraformType?: string;
}

const type = <S extends RoleService>(
  kind: string,
  azureType: string,
  services: readonly S[],
  terraformType?: string,
): ResourceTypeInfo<S> => ({
  kind,
  azureType,
  services,
  terraformType,
});

const STORAGE_SERVICES = ["Storage Blob", "Storage Queue", "Storage Table", "Storage File"] as const;
export type StorageService = (typeof STORAGE_SERVICES)[number];

export const ResourceTypes = {
  keyVault: type("Key Vault", "Microsoft.KeyVault/vaults", ["Key Vault"], "azurerm_key_vault"),
  keyVaultSecret: type("Key Vault secret", "Microsoft.KeyVault/vaults/secrets", ["Key Vault"]),
  keyVaultKey: type("Key Vault key", "Microsoft.KeyVault/vaults/keys", ["Key Vault"]),
  keyVaultCertificate: type("Key Vault certificate", "Microsoft.KeyVault/vaults/certificates", ["Key Vault"]),
  storageAccount: type(
    "storage account",
    "Microsoft.Storage/storageAccounts",
    STORAGE_SERVICES,
    "azurerm_storage_account",
  ),
  blobContainer: type(
    "blob container",
    "Microsoft.Storage/storageAccounts/blobServices/containers",
    ["Storage Blob"],
    "azurerm_storage_container",
  ),
  storageQueue: type(
    "storage queue",
    "Microsoft.Storage/storageAccounts/queueServices/queues",
    ["Storage Queue"],
    "azurerm_storage_queue",
  ),
  storageTable: type(
    "storage table",
    "Microsoft.Storage/storageAccounts/tableServices/tables",
    ["Storage Table"],
    "azurerm_storage_table",
  ),
  fileShare: type(
    "file share",
    "Microsoft.Storage/storageAccounts/fileServices/fileshares",
    ["Storage File"],
    "azurerm_storage_share",
  ),
  containerRegistry: type(
    "container registry",
    "Microsoft.ContainerRegistry/registries",
    ["Container Registry"],
    "azurerm_container_registry",
  ),
  serviceBusNamespace: type(
    "Service Bus namespace",
    "Microsoft.ServiceBus/namespaces",
    ["Service Bus"],
    "azurerm_servicebus_namespace",
  ),
  serviceBusQueue: type(
    "Service Bus queue",
    "Microsoft.ServiceBus/namespaces/queues",
    ["Service Bus"],
    "azurerm_servicebus_queue",
  ),
  serviceBusTopic: type(
    "Service Bus topic",
    "Microsoft.ServiceBus/namespaces/topics",
    ["Service Bus"],
    "azurerm_servicebus_topic",
  ),
  eventHubsNamespace: type(
    "Event Hubs namespace",
    "Microsoft.EventHub/namespaces",
    ["Event Hubs"],
    "azurerm_eventhub_namespace",
  ),
  eventHub: type("event hub", "Microsoft.EventHub/namespaces/eventhubs", ["Event Hubs"], "azurerm_eventhub"),
  appConfiguration: type(
    "App Configuration store",
    "Microsoft.AppConfiguration/configurationStores",
    ["App Configuration"],
    "azurerm_app_configuration",
  ),
  cognitiveAccount: type(
    "Cognitive Services account",
    "Microsoft.CognitiveServices/accounts",
    ["Cognitive Services"],
    "azurerm_cognitive_account",
  ),
  kubernetesCluster: type(
    "AKS cluster",
    "Microsoft.ContainerService/managedClusters",
    ["Kubernetes Service"],
    "azurerm_kubernetes_cluster",
  ),
  cosmosDbAccount: type(
    "Cosmos DB account",
    "Microsoft.DocumentDB/databaseAccounts",
    ["Cosmos DB"],
    "azurerm_cosmosdb_account",
  ),
  // Cosmos DB's data-plane scopes (`<account id>/dbs/<db>/colls/<container>`), not ARM's sqlDatabases ids.
  cosmosDbDatabase: type("Cosmos DB database", "Microsoft.DocumentDB/databaseAccounts/dbs", ["Cosmos DB"]),
  cosmosDbContainer: type("Cosmos DB container", "Microsoft.DocumentDB/databaseAccounts/dbs/colls", ["Cosmos DB"]),
  // ARM's ids of the same (where an Azure role would be scoped): no Cosmos DB role takes them as scope.
  cosmosDbSqlDatabase: type(
    "Cosmos DB SQL database",
    "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
    ["Cosmos DB"],
    "azurerm_cosmosdb_sql_database",
  ),
  cosmosDbSqlContainer: type(
    "Cosmos DB SQL container",
    "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
    ["Cosmos DB"],
    "azurerm_cosmosdb_sql_container",
  ),
  redisCache: type("Redis cache", "Microsoft.Cache/redis", ["Redis"], "azurerm_redis_cache"),
  sqlServer: type("Azure SQL server", "Microsoft.Sql/servers", ["Azure SQL"], "azurerm_mssql_server"),
  sqlDatabase: type("Azure SQL database", "Microsoft.Sql/servers/databases", ["Azure SQL"], "azurerm_mssql_database"),
  postgresServer: type(
    "PostgreSQL flexible server",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    ["PostgreSQL"],
    "azurerm_postgresql_flexible_server",
  ),
  postgresDatabase: type(
    "PostgreSQL database",
    "Microsoft.DBforPostgreSQL/flexibleServers/databases",
    ["PostgreSQL"],
    "azurerm_postgresql_flexible_server_database",
  ),
  // Where table privileges are granted: one schema of a database (not an ARM resource).
  postgresSchema: type("PostgreSQL schema", "Microsoft.DBforPostgreSQL/flexibleServers/databases/schemas", [
    "PostgreSQL",
  ]),
  applicationInsights: type(
    "Application Insights component",
    "Microsoft.Insights/components",
    ["Application Insights"],
    "azurerm_application_insights",
  ),
  eventGridTopic: type("Event Grid topic", "Microsoft.EventGrid/topics", ["Event Grid"], "azurerm_eventgrid_topic"),
  eventGridDomain: type("Event Grid domain", "Microsoft.EventGrid/domains", ["Event Grid"], "azurerm_eventgrid_domain"),
  searchService: type("AI Search service", "Microsoft.Search/searchServices", ["Search"], "azurerm_search_service"),
  searchIndex: type("search index", "Microsoft.Search/searchServices/indexes", ["Search"]),
  subnet: type("subnet", "Microsoft.Network/virtualNetworks/subnets", ["Network"], "azurerm_subnet"),
  privateDnsZone: type(
    "private DNS zone",
    "Microsoft.Network/privateDnsZones",
    ["Network"],
    "azurerm_private_dns_zone",
  ),
  userAssignedIdentity: type(
    "user-assigned identity",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    ["Managed Identity"],
    "azurerm_user_assigned_identity",
  ),
} as const;

const ALL_TYPES: readonly ResourceTypeInfo[] = Object.values(ResourceTypes);

export function typeInfoByAzureType(azureType: string): ResourceTypeInfo | undefined {
  return ALL_TYPES.find((t) => t.azureType.toLowerCase() === azureType.toLowerCase());
}

export function typeInfoByTerraformType(terraformType: string): ResourceTypeInfo | undefined {
  return ALL_TYPES.find((t) => t.terraformType === terraformType);
}
