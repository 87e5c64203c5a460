// What the types refuse: each line below must be a type error, or `tsc` fails on the unused directive.
import { TerraformStack, Testing } from "cdktf";
import {
  AksClusterIdentity,
  ApplicationInsightsTarget,
  Connections,
  CosmosDbAccountTarget,
  EventGridTopicTarget,
  Identity,
  KeyVaultTarget,
  PostgresServerTarget,
  RedisCacheTarget,
  Roles,
  SearchServiceTarget,
  ServiceTarget,
  SqlServerTarget,
} from "@azure-identity-grants/cdktf";
import { azureMaps } from "./maps-service";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";

const stack = new TerraformStack(Testing.app(), "types");
const vault = KeyVaultTarget.fromId(
  stack,
  "/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
);
vault.allow(Roles.KeyVaultSecretsUser, "a Key Vault role on a vault type-checks");

// @ts-expect-error AcrPull is a Container Registry role: it does nothing on a vault.
vault.allow(Roles.AcrPull, "pulls images");

declare const cluster: KubernetesCluster;
// @ts-expect-error An AKS control plane takes a user-assigned identity only.
new AksClusterIdentity(stack, "aks", { cluster, controlPlane: Identity.systemAssigned() });

// Services that authorize data themselves, or through Azure RBAC: each takes its own roles only.
const data = "/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers";
const cosmos = CosmosDbAccountTarget.fromId(stack, `${data}/Microsoft.DocumentDB/databaseAccounts/orders-cosmos`);
const redis = RedisCacheTarget.fromId(stack, `${data}/Microsoft.Cache/redis/orders-cache`);
const sql = SqlServerTarget.fromId(stack, `${data}/Microsoft.Sql/servers/orders-sql`);
const postgres = PostgresServerTarget.fromId(stack, `${data}/Microsoft.DBforPostgreSQL/flexibleServers/orders-pg`);
const search = SearchServiceTarget.fromId(stack, `${data}/Microsoft.Search/searchServices/orders-search`);
const topic = EventGridTopicTarget.fromId(stack, `${data}/Microsoft.EventGrid/topics/orders-topic`);
const insights = ApplicationInsightsTarget.fromId(stack, `${data}/Microsoft.Insights/components/orders-ai`);
cosmos.container("orders", "items").allow(Roles.CosmosDbDataContributor, "a Cosmos DB role on a container type-checks");
redis.allow(Roles.RedisDataReader, "a Redis access policy on a cache type-checks");
sql.database("orders").allow(Roles.SqlDataReader, "a database role on a SQL database type-checks");
postgres.database("sales", "billing").allow(Roles.PostgresTableWriter, "table privileges on a schema type-check");
search.index("products").allow(Roles.SearchIndexDataReader, "a Search role on an index type-checks");
topic.allow(Roles.EventGridDataSender, "an Event Grid role on a topic type-checks");
insights.allow(Roles.MonitoringMetricsPublisher, "Monitoring Metrics Publisher on a component type-checks");

// @ts-expect-error Reader is an Azure role: on Cosmos DB it reaches the management plane, never the data.
cosmos.allow(Roles.Reader, "reads documents");
// @ts-expect-error A Redis access policy does nothing on a Cosmos DB database.
cosmos.database("orders").allow(Roles.RedisDataReader, "reads");
// @ts-expect-error A Cosmos DB role does nothing on a Redis cache.
redis.allow(Roles.CosmosDbDataReader, "reads");
// @ts-expect-error A PostgreSQL privilege does nothing in an Azure SQL database.
sql.database("orders").allow(Roles.PostgresTableReader, "reads");
// @ts-expect-error An Azure SQL database role does nothing on a PostgreSQL schema.
postgres.database("sales").allow(Roles.SqlDataReader, "reads");
// @ts-expect-error An Event Grid role does nothing on a search index.
search.index("products").allow(Roles.EventGridDataSender, "sends");
// @ts-expect-error Monitoring Metrics Publisher is Application Insights' role, not Event Grid's.
topic.allow(Roles.MonitoringMetricsPublisher, "publishes");
// @ts-expect-error A Search role does nothing on an Application Insights component.
insights.allow(Roles.SearchIndexDataReader, "reads");
// @ts-expect-error A Key Vault role does nothing on a database server.
sql.allow(Roles.KeyVaultSecretsUser, "reads");

// Connections take the target of their own service.
Connections.sqlDatabase("OrdersDb", sql.database("orders"));
Connections.postgres("Sales", postgres.database("sales"));
// @ts-expect-error A SQL connection string cannot point at a PostgreSQL database.
Connections.sqlDatabase("OrdersDb", postgres.database("sales"));
// @ts-expect-error A PostgreSQL connection cannot point at an Azure SQL database.
Connections.postgres("Sales", sql.database("orders"));
// @ts-expect-error A Cosmos DB connection needs a Cosmos DB account, not a Redis cache.
Connections.cosmosDb("Cosmos", redis);
// @ts-expect-error An Event Grid connection needs a topic or domain, not a search service.
Connections.eventGrid("Events", search);
// @ts-expect-error Application Insights' connection needs a component.
Connections.applicationInsights(topic);

// A consumer-defined service's targets take that service's roles only, and name its own types.
const maps = ServiceTarget.fromId(stack, azureMaps, "account", `${data}/Microsoft.Maps/accounts/orders-maps`);
maps.allow(azureMaps.roles.AzureMapsDataReader, "an Azure Maps role on its account type-checks");
// @ts-expect-error A Key Vault role does nothing on an Azure Maps account.
maps.allow(Roles.KeyVaultSecretsUser, "reads");
// @ts-expect-error An Azure Maps role does nothing on a vault.
vault.allow(azureMaps.roles.AzureMapsDataReader, "reads");
// @ts-expect-error "creator" is no resource type of the service.
ServiceTarget.fromId(stack, azureMaps, "creator", `${data}/Microsoft.Maps/accounts/orders-maps`);
