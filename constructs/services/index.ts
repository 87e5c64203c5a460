import { shippedServicesLoaded } from "../azure/contract/registry";
// The services the library ships, registered in this order (the order of every generated table).
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
import { resourceManager } from "./resource-manager";
import { monitor } from "./monitor";
import { appService } from "./app-service";
import { virtualMachines } from "./virtual-machines";
import { containerApps } from "./container-apps";
import { containerInstances } from "./container-instances";
import { signalR } from "./signalr";
import { mysql } from "./mysql";

export const SHIPPED_SERVICES = [
  keyVault,
  storage,
  containerRegistry,
  serviceBus,
  eventHubs,
  appConfiguration,
  cognitiveServices,
  kubernetes,
  cosmosDb,
  redis,
  sql,
  postgresql,
  applicationInsights,
  eventGrid,
  search,
  managedIdentity,
  network,
  resourceManager,
  monitor,
  appService,
  virtualMachines,
  containerApps,
  containerInstances,
  mysql,
  signalR,
] as const;
shippedServicesLoaded();

// Reader comes before the identity roles, Resource Manager's other roles after the network ones.
const { Reader, ...resourceManagerRoles } = resourceManager.roles;

/**
 * Every role the library ships, by the key people name it with: the shipped services' roles
 * parts, in the order of Microsoft's built-in role categories the catalog has always had.
 */
export const Roles = {
  ...keyVault.roles,
  ...storage.roles,
  ...containerRegistry.roles,
  ...serviceBus.roles,
  ...eventHubs.roles,
  ...appConfiguration.roles,
  ...cognitiveServices.roles,
  ...kubernetes.roles,
  ...applicationInsights.roles,
  ...eventGrid.roles,
  ...search.roles,
  ...cosmosDb.roles,
  ...redis.roles,
  ...sql.roles,
  ...postgresql.roles,
  Reader,
  ...managedIdentity.roles,
  ...network.roles,
  ...resourceManagerRoles,
  ...signalR.roles,
} as const;

// For tests and tools: what they use of this layer beyond the public entry.
export { ManagedIdentityTarget } from "./managed-identity";
export { SubnetTarget } from "./network";
