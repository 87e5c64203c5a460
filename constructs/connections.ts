import { IManagedIdentity, IUserAssignedIdentity } from "./identity";
import { EventHubsNamespaceTarget, GrantTarget, ServiceBusNamespaceTarget, StorageAccountTarget } from "./targets";
import {
  ApplicationInsightsTarget,
  CosmosDbAccountTarget,
  EventGridDomainTarget,
  EventGridTopicTarget,
  RedisCacheTarget,
  SearchServiceTarget,
} from "./data-targets";
import { principalDisplayName } from "./internal/data-plane/principal-name";
import { IdentityConfigError } from "./errors";

/**
 * What an app reads from its settings to reach a service as its identity: the endpoint and which
 * identity to use, never a connection string with a key or password.
 */
export interface IdentityConnection {
  readonly name: string;
  /** A Functions trigger source: its host must be running to see events (see AppServiceCompute). */
  readonly trigger: boolean;
  /** The settings for the identity the compute runs as. */
  settings(identity: IManagedIdentity): Readonly<Record<string, string>>;
}

const clientIdOf = (identity: IManagedIdentity) =>
  identity.kind === "UserAssigned" ? (identity as IUserAssignedIdentity).clientId : undefined;

/**
 * A Functions identity-based connection (`<name>__<property>`); a user-assigned identity must be
 * named (`credential`, `clientId`), or the SDK uses the system-assigned one.
 */
function functionsConnection(
  name: string,
  properties: Readonly<Record<string, string>>,
  trigger = true,
): IdentityConnection {
  return {
    name,
    trigger,
    settings: (identity) => {
      const clientId = clientIdOf(identity);
      const all = clientId ? { ...properties, credential: "managedidentity", clientId } : properties;
      return Object.fromEntries(Object.entries(all).map(([key, value]) => [`${name}__${key}`, value]));
    },
  };
}

export const Connections = {
  /** A Service Bus trigger or client: `<name>__fullyQualifiedNamespace`. */
  serviceBus: (name: string, namespace: ServiceBusNamespaceTarget): IdentityConnection =>
    functionsConnection(name, { fullyQualifiedNamespace: namespace.fullyQualifiedNamespace }),
  /** An Event Hubs trigger or client: `<name>__fullyQualifiedNamespace`. */
  eventHubs: (name: string, namespace: EventHubsNamespaceTarget): IdentityConnection =>
    functionsConnection(name, { fullyQualifiedNamespace: namespace.fullyQualifiedNamespace }),
  /** A storage queue trigger or client: `<name>__queueServiceUri`. */
  storageQueues: (name: string, account: StorageAccountTarget): IdentityConnection =>
    functionsConnection(name, { queueServiceUri: account.queueServiceUri }),
  /** A Cosmos DB trigger or binding: `<name>__accountEndpoint` (the identity needs a Cosmos DB data role). */
  cosmosDb: (name: string, account: CosmosDbAccountTarget): IdentityConnection =>
    functionsConnection(name, { accountEndpoint: account.accountEndpoint }),
  /** An Event Grid output binding or publisher: `<name>__topicEndpointUri`. */
  eventGrid: (name: string, topic: EventGridTopicTarget | EventGridDomainTarget): IdentityConnection =>
    functionsConnection(name, { topicEndpointUri: topic.endpoint }, false),
  /** An AI Search client: `<name>__endpoint`. */
  search: (name: string, service: SearchServiceTarget): IdentityConnection =>
    functionsConnection(name, { endpoint: service.endpoint }, false),
  /** A Redis client with Entra authentication: `<name>__hostName`; the user name is the identity's object id. */
  redis: (name: string, cache: RedisCacheTarget): IdentityConnection =>
    functionsConnection(name, { hostName: cache.hostName }, false),

  /**
   * Application Insights with Entra authentication: `APPLICATIONINSIGHTS_CONNECTION_STRING` (for a
   * component of the stack) and `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` = `Authorization=AAD`,
   * with `ClientId=` for a user-assigned identity. Autoinstrumentation and the Functions host read
   * both; the OpenTelemetry distros take the credential in code.
   */
  applicationInsights: (component: ApplicationInsightsTarget): IdentityConnection => ({
    name: "APPLICATIONINSIGHTS",
    trigger: false,
    settings: (identity) => {
      const clientId = clientIdOf(identity);
      const connectionString = component.connectionString;
      return {
        ...(connectionString === undefined ? {} : { APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString }),
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: clientId
          ? `Authorization=AAD;ClientId=${clientId}`
          : "Authorization=AAD",
      };
    },
  }),

  /**
   * An Azure SQL database, as a Microsoft.Data.SqlClient connection string with no secret:
   * `Authentication=Active Directory Managed Identity`, and `User Id=<client id>` for a user-assigned identity.
   */
  sqlDatabase: (name: string, database: GrantTarget<"Azure SQL">): IdentityConnection => ({
    name,
    trigger: false,
    settings: (identity) => {
      const { host, name: db } = databaseOf(name, database);
      const clientId = clientIdOf(identity);
      return {
        [name]: `Server=tcp:${host},1433;Database=${db};Authentication=Active Directory Managed Identity;Encrypt=True;${clientId ? `User Id=${clientId};` : ""}`,
      };
    },
  }),

  /** A PostgreSQL database: `<name>__host`, `__database` and `__user` (the Entra role the statements create). */
  postgres: (name: string, database: GrantTarget<"PostgreSQL">): IdentityConnection => ({
    name,
    trigger: false,
    settings: (identity) => {
      const { host, name: db } = databaseOf(name, database);
      const clientId = clientIdOf(identity);
      return {
        [`${name}__host`]: host,
        [`${name}__database`]: db,
        [`${name}__user`]: principalDisplayName(identity),
        ...(clientId ? { [`${name}__clientId`]: clientId } : {}),
      };
    },
  }),
};

function databaseOf(name: string, target: GrantTarget<"Azure SQL" | "PostgreSQL">) {
  const database = target.dataPlane?.database;
  if (database) return database;
  throw new IdentityConfigError(name, {
    problem: `Connection ${name} needs a database, not ${target.kind} ${target.label}`,
    value: target.resourceId.id,
    fix: "pass server.database(name)",
  });
}
