// The grant target types under the keys targets used before the service modules held them; the
// targets move to `<service>.resourceTypes.<type>` as they move into their service's module.
// Importing the shipped list first registers every service in its order, whoever loads this.
import "./index";
import { keyVault } from "./key-vault";
import { storage } from "./storage";
import { containerRegistry } from "./container-registry";
import { serviceBus } from "./service-bus";
import { eventHubs } from "./event-hubs";
import { appConfiguration } from "./app-configuration";
import { cognitiveServices } from "./cognitive-services";
import { kubernetes } from "./kubernetes";
import { cosmosDb } from "./cosmos-db";
import { redis } from "./redis";
import { sql } from "./sql";
import { postgresql } from "./postgresql";
import { applicationInsights } from "./application-insights";
import { eventGrid } from "./event-grid";
import { search } from "./search";
import { managedIdentity } from "./managed-identity";
import { network } from "./network";

export type { ResourceTypeInfo } from "../azure/contract/resource-types";

export const ResourceTypes = {
  keyVault: keyVault.resourceTypes.vault,
  keyVaultSecret: keyVault.resourceTypes.secret,
  keyVaultKey: keyVault.resourceTypes.key,
  keyVaultCertificate: keyVault.resourceTypes.certificate,
  storageAccount: storage.resourceTypes.account,
  blobContainer: storage.resourceTypes.blobContainer,
  storageQueue: storage.resourceTypes.queue,
  storageTable: storage.resourceTypes.table,
  fileShare: storage.resourceTypes.fileShare,
  containerRegistry: containerRegistry.resourceTypes.registry,
  serviceBusNamespace: serviceBus.resourceTypes.namespace,
  serviceBusQueue: serviceBus.resourceTypes.queue,
  serviceBusTopic: serviceBus.resourceTypes.topic,
  eventHubsNamespace: eventHubs.resourceTypes.namespace,
  eventHub: eventHubs.resourceTypes.eventHub,
  appConfiguration: appConfiguration.resourceTypes.store,
  cognitiveAccount: cognitiveServices.resourceTypes.account,
  kubernetesCluster: kubernetes.resourceTypes.cluster,
  cosmosDbAccount: cosmosDb.resourceTypes.account,
  cosmosDbDatabase: cosmosDb.resourceTypes.database,
  cosmosDbContainer: cosmosDb.resourceTypes.container,
  cosmosDbSqlDatabase: cosmosDb.resourceTypes.sqlDatabase,
  cosmosDbSqlContainer: cosmosDb.resourceTypes.sqlContainer,
  redisCache: redis.resourceTypes.cache,
  sqlServer: sql.resourceTypes.server,
  sqlDatabase: sql.resourceTypes.database,
  postgresServer: postgresql.resourceTypes.server,
  postgresDatabase: postgresql.resourceTypes.database,
  postgresSchema: postgresql.resourceTypes.schema,
  applicationInsights: applicationInsights.resourceTypes.component,
  eventGridTopic: eventGrid.resourceTypes.topic,
  eventGridDomain: eventGrid.resourceTypes.domain,
  searchService: search.resourceTypes.service,
  searchIndex: search.resourceTypes.index,
  subnet: network.resourceTypes.subnet,
  privateDnsZone: network.resourceTypes.privateDnsZone,
  userAssignedIdentity: managedIdentity.resourceTypes.userAssignedIdentity,
  federatedIdentityCredential: managedIdentity.resourceTypes.federatedCredential,
} as const;
