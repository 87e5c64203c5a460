import { Construct } from "constructs";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { StorageQueue } from "@cdktf/provider-azurerm/lib/storage-queue";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { ServicebusQueue } from "@cdktf/provider-azurerm/lib/servicebus-queue";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { CosmosdbAccount } from "@cdktf/provider-azurerm/lib/cosmosdb-account";
import { CosmosdbSqlDatabase } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-database";
import { CosmosdbSqlContainer } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-container";
import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { MssqlDatabase } from "@cdktf/provider-azurerm/lib/mssql-database";
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import {
  ApplicationInsightsTarget,
  ContainerRegistryTarget,
  CosmosDbAccountTarget,
  GrantTarget,
  KeyVaultTarget,
  NetworkPath,
  ServiceBusNamespaceTarget,
  SqlServerTarget,
  StorageAccountTarget,
} from "../constructs";
import { auditWorkspaceId, EnvironmentSettings, resourceGroupName } from "./environment-settings";

/**
 * What the environment's workloads share, as targets to grant on (all identity-only) and the ids
 * of what they run in; the resources themselves stay private to this construct.
 */
export class SharedResources extends Construct {
  /** The plan web and function apps run on. */
  readonly planId: string;
  /** The subnet VMs and the AKS nodes join (AksClusterIdentity grants the cluster its role there). */
  readonly computeSubnetId: string;
  /** The subnet App Service apps integrate with to reach private endpoints (delegated to Microsoft.Web/serverFarms). */
  readonly appsSubnetId: string;
  readonly vault: KeyVaultTarget;
  readonly storage: StorageAccountTarget;
  readonly bus: ServiceBusNamespaceTarget;
  readonly reportsContainer: GrantTarget<"Storage Blob">;
  readonly jobsQueue: GrantTarget<"Storage Queue">;
  readonly ingestQueue: GrantTarget<"Service Bus">;
  readonly ordersQueue: GrantTarget<"Service Bus">;
  /** The platform team's registry in another subscription, referenced by id. */
  readonly registry: ContainerRegistryTarget;
  /** Telemetry, accepted from Entra identities only. */
  readonly insights: ApplicationInsightsTarget;
  readonly cosmos: CosmosDbAccountTarget;
  /** The shopping carts container of the `shop` Cosmos DB database. */
  readonly cartsContainer: GrantTarget<"Cosmos DB">;
  /** The orders database on the environment's Azure SQL server. */
  readonly ordersDatabase: GrantTarget<"Azure SQL">;

  constructor(scope: Construct, id: string, env: EnvironmentSettings) {
    super(scope, id);
    const group = resourceGroupName(env);
    const inGroup = { location: env.location, tags: { ...env.tags }, resourceGroupName: group };

    const plan = new ServicePlan(this, "plan", {
      ...inGroup,
      name: `${env.namePrefix}-plan`,
      osType: "Linux",
      skuName: env.appServiceSku,
    });
    const network = new VirtualNetwork(this, "network", {
      ...inGroup,
      name: `${env.namePrefix}-vnet`,
      addressSpace: [env.network.addressSpace],
    });
    const computeSubnet = new Subnet(this, "compute-subnet", {
      name: "compute",
      resourceGroupName: group,
      virtualNetworkName: network.name,
      addressPrefixes: [env.network.computeSubnet],
    });
    const appsSubnet = new Subnet(this, "apps-subnet", {
      name: "apps",
      resourceGroupName: group,
      virtualNetworkName: network.name,
      addressPrefixes: [env.network.appsSubnet],
      delegation: [
        {
          name: "app-service",
          serviceDelegation: {
            name: "Microsoft.Web/serverFarms",
            actions: ["Microsoft.Network/virtualNetworks/subnets/action"],
          },
        },
      ],
    });
    const endpointsSubnet = new Subnet(this, "endpoints-subnet", {
      name: "endpoints",
      resourceGroupName: group,
      virtualNetworkName: network.name,
      addressPrefixes: [env.network.endpointsSubnet],
    });

    // RBAC mode: role assignments on a vault in access-policy mode grant nothing.
    const vault = new KeyVault(this, "vault", {
      ...inGroup,
      name: `${env.namePrefix}-kv`,
      tenantId: env.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: env.keyVaultPurgeProtection,
      softDeleteRetentionDays: 90,
    });

    // Identity-only: no shared keys, and the portal defaults to Entra ID.
    const storage = new StorageAccount(this, "storage", {
      ...inGroup,
      name: `${env.namePrefix.replace(/-/g, "")}data`,
      accountTier: "Standard",
      accountReplicationType: env.storageReplication,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      minTlsVersion: "TLS1_2",
      allowNestedItemsToBePublic: false,
    });
    const reports = new StorageContainer(this, "reports", { name: "reports", storageAccountId: storage.id });
    const jobs = new StorageQueue(this, "jobs", { name: "jobs", storageAccountId: storage.id });

    // Identity-only: SAS keys and connection strings are refused.
    const bus = new ServicebusNamespace(this, "bus", {
      ...inGroup,
      name: `${env.namePrefix}-bus`,
      sku: "Standard",
      localAuthEnabled: false,
      minimumTlsVersion: "1.2",
    });
    const ingest = new ServicebusQueue(this, "ingest-queue", { name: "ingest", namespaceId: bus.id });
    const orders = new ServicebusQueue(this, "orders-queue", { name: "orders", namespaceId: bus.id });

    // Entra only: no instrumentation-key ingestion, no account keys, no SQL logins.
    const insights = new ApplicationInsights(this, "insights", {
      ...inGroup,
      name: `${env.namePrefix}-appi`,
      applicationType: "web",
      workspaceId: auditWorkspaceId(env),
      localAuthenticationDisabled: true,
    });
    const cosmos = new CosmosdbAccount(this, "cosmos", {
      ...inGroup,
      name: `${env.namePrefix}-cosmos`,
      offerType: "Standard",
      kind: "GlobalDocumentDB",
      localAuthenticationDisabled: true,
      consistencyPolicy: { consistencyLevel: "Session" },
      geoLocation: [{ location: env.location, failoverPriority: 0 }],
    });
    const shop = new CosmosdbSqlDatabase(this, "shop", {
      name: "shop",
      resourceGroupName: group,
      accountName: cosmos.name,
    });
    const carts = new CosmosdbSqlContainer(this, "carts", {
      name: "carts",
      resourceGroupName: group,
      accountName: cosmos.name,
      databaseName: shop.name,
      partitionKeyPaths: ["/customerId"],
    });
    const sql = new MssqlServer(this, "sql", {
      ...inGroup,
      name: `${env.namePrefix}-sql`,
      version: "12.0",
      minimumTlsVersion: "1.2",
      // Reached only through its private endpoint: orders-web from the apps subnet, admins from the VNet.
      publicNetworkAccessEnabled: false,
      azureadAdministrator: {
        loginUsername: env.databaseAdmins.groupName,
        objectId: env.databaseAdmins.groupObjectId,
        tenantId: env.tenantId,
        azureadAuthenticationOnly: true,
      },
    });
    const ordersDb = new MssqlDatabase(this, "orders-db", { name: "orders", serverId: sql.id, skuName: "S0" });

    this.planId = plan.id;
    this.computeSubnetId = computeSubnet.id;
    this.appsSubnetId = appsSubnet.id;
    this.vault = KeyVaultTarget.of(vault);
    this.storage = StorageAccountTarget.of(storage);
    this.bus = ServiceBusNamespaceTarget.of(bus);
    this.reportsContainer = this.storage.container(reports);
    this.jobsQueue = this.storage.queue(jobs);
    this.ingestQueue = this.bus.queue(ingest);
    this.ordersQueue = this.bus.queue(orders);
    this.registry = ContainerRegistryTarget.fromId(this, env.sharedRegistryId);
    this.insights = ApplicationInsightsTarget.of(insights);
    this.cosmos = CosmosDbAccountTarget.of(cosmos);
    this.cartsContainer = this.cosmos.container(shop, carts);
    const sqlServer = SqlServerTarget.of(sql);
    this.ordersDatabase = sqlServer.database(ordersDb);
    NetworkPath.privateEndpoint(this, "sql-path", {
      target: sqlServer,
      subnet: endpointsSubnet,
      dns: { virtualNetworkId: network.id },
      tags: { ...env.tags },
    });
  }
}
