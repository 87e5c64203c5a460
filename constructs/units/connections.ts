import { serviceBusConnection } from "../services/service-bus";
import { eventHubsConnection } from "../services/event-hubs";
import { storageQueuesConnection } from "../services/storage";
import { cosmosDbConnection } from "../services/cosmos-db";
import { eventGridConnection } from "../services/event-grid";
import { searchConnection } from "../services/search";
import { redisConnection } from "../services/redis";
import { applicationInsightsConnection } from "../services/application-insights";
import { sqlDatabaseConnection } from "../services/sql";
import { postgresConnection } from "../services/postgresql";

/** The identity-based connections an app reads from its settings: each service's module writes its own. */
export const Connections = {
  /** A Service Bus trigger or client: `<name>__fullyQualifiedNamespace`. */
  serviceBus: serviceBusConnection,
  /** An Event Hubs trigger or client: `<name>__fullyQualifiedNamespace`. */
  eventHubs: eventHubsConnection,
  /** A storage queue trigger or client: `<name>__queueServiceUri`. */
  storageQueues: storageQueuesConnection,
  /** A Cosmos DB trigger or binding: `<name>__accountEndpoint` (the identity needs a Cosmos DB data role). */
  cosmosDb: cosmosDbConnection,
  /** An Event Grid output binding or publisher: `<name>__topicEndpointUri`. */
  eventGrid: eventGridConnection,
  /** An AI Search client: `<name>__endpoint`. */
  search: searchConnection,
  /** A Redis client with Entra authentication: `<name>__hostName`; the user name is the identity's object id. */
  redis: redisConnection,
  /**
   * Application Insights with Entra authentication: `APPLICATIONINSIGHTS_CONNECTION_STRING` (for a
   * component of the stack) and `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` = `Authorization=AAD`,
   * with `ClientId=` for a user-assigned identity. Autoinstrumentation and the Functions host read
   * both; the OpenTelemetry distros take the credential in code.
   */
  applicationInsights: applicationInsightsConnection,
  /**
   * An Azure SQL database, as a Microsoft.Data.SqlClient connection string with no secret:
   * `Authentication=Active Directory Managed Identity`, and `User Id=<client id>` for a user-assigned identity.
   */
  sqlDatabase: sqlDatabaseConnection,
  /** A PostgreSQL database: `<name>__host`, `__database` and `__user` (the Entra role the statements create). */
  postgres: postgresConnection,
};
