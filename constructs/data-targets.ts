import { CosmosdbAccount } from "@cdktf/provider-azurerm/lib/cosmosdb-account";
import { CosmosdbSqlDatabase } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-database";
import { CosmosdbSqlContainer } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-container";
import { RedisCache } from "@cdktf/provider-azurerm/lib/redis-cache";
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { EventgridTopic } from "@cdktf/provider-azurerm/lib/eventgrid-topic";
import { EventgridDomain } from "@cdktf/provider-azurerm/lib/eventgrid-domain";
import { SearchService } from "@cdktf/provider-azurerm/lib/search-service";
import { IdentityConfigError } from "./errors";
import { knownName } from "./internal/known-values";
import { ResourceTypes } from "./internal/resource-types";
import { ChildResource, childKind, childTarget, GrantTarget, targetOfKind } from "./targets";

const cosmosDatabase = childKind(ResourceTypes.cosmosDbDatabase, "dbs");
const cosmosContainer = childKind(ResourceTypes.cosmosDbContainer, "colls");

/**
 * A Cosmos DB account (NoSQL API), or one database or container in it. Data access is Cosmos DB's
 * own RBAC: grants here are `azurerm_cosmosdb_sql_role_assignment`s of the built-in data roles,
 * never Azure role assignments, which reach the account's management plane (and its keys) only.
 */
export class CosmosDbAccountTarget extends targetOfKind<"Cosmos DB", CosmosdbAccount>(
  ResourceTypes.cosmosDbAccount,
  true,
) {
  /** What the SDK and Functions' `<connection>__accountEndpoint` connect to. */
  get accountEndpoint(): string {
    return `https://${this.resourceId.name}.documents.azure.com:443/`;
  }

  /** One database: by name, by its data-plane id (`<account id>/dbs/<name>`), or a database of this stack. */
  database(database: string | CosmosdbSqlDatabase): GrantTarget<"Cosmos DB"> {
    return childTarget(this, cosmosDatabase, database, (r) => ({
      name: (r as CosmosdbSqlDatabase).accountNameInput,
    }));
  }

  /** One container of a database: by names, by its data-plane id, or a container of this stack. */
  container(
    database: string | CosmosdbSqlDatabase,
    container: string | CosmosdbSqlContainer,
  ): GrantTarget<"Cosmos DB"> {
    if (typeof container !== "string") {
      const account = knownName(container, container.accountNameInput ?? "");
      if (account.toLowerCase() !== this.resourceId.name.toLowerCase()) {
        throw new IdentityConfigError(container, {
          problem: `Cosmos DB container does not belong to Cosmos DB account ${this.label}`,
          value: account,
          fix: `grant on the account that holds this container, or pass a container of ${this.label}`,
        });
      }
    }
    return childTarget(this.database(database), cosmosContainer, container, (r: ChildResource) => ({
      name: (r as CosmosdbSqlContainer).databaseNameInput,
    }));
  }
}

/**
 * An Azure Cache for Redis with Microsoft Entra authentication: grants are access policy
 * assignments (Data Reader, Data Contributor, Data Owner), which clients use with the identity's
 * object id as the user name and an Entra token as the password.
 */
export class RedisCacheTarget extends targetOfKind<"Redis", RedisCache>(ResourceTypes.redisCache, true) {
  get hostName(): string {
    return `${this.resourceId.name}.redis.cache.windows.net`;
  }
}

/** An Application Insights component that accepts telemetry from Entra identities (Monitoring Metrics Publisher). */
export class ApplicationInsightsTarget extends targetOfKind<"Application Insights", ApplicationInsights>(
  ResourceTypes.applicationInsights,
) {
  /**
   * The component's connection string, for a component of this stack. It names the component and
   * its ingestion endpoint; with local authentication disabled it admits no telemetry without a token.
   */
  get connectionString(): string | undefined {
    return this.home instanceof ApplicationInsights ? this.home.connectionString : undefined;
  }
}

/** Where an Event Grid topic or domain accepts events; known to Terraform only for a resource of this stack. */
function endpointOf(target: GrantTarget<"Event Grid">): string {
  const home = target.home;
  if (home instanceof EventgridTopic || home instanceof EventgridDomain) return home.endpoint;
  throw new IdentityConfigError(target.label, {
    problem: `The endpoint of ${target.kind} ${target.label} is regional and known only to the stack that creates it`,
    value: target.resourceId.id,
    fix: "set `<connection>__topicEndpointUri` to its endpoint (`az eventgrid topic show --query endpoint`) in the app's settings",
  });
}

/** An Event Grid custom topic: publishers hold EventGrid Data Sender on it. */
export class EventGridTopicTarget extends targetOfKind<"Event Grid", EventgridTopic>(ResourceTypes.eventGridTopic) {
  get endpoint(): string {
    return endpointOf(this);
  }
}

/** An Event Grid domain: publishers hold EventGrid Data Sender on it. */
export class EventGridDomainTarget extends targetOfKind<"Event Grid", EventgridDomain>(ResourceTypes.eventGridDomain) {
  get endpoint(): string {
    return endpointOf(this);
  }
}

/** An Azure AI Search service, or one index in it, for the Search Index Data roles. */
export class SearchServiceTarget extends targetOfKind<"Search", SearchService>(ResourceTypes.searchService) {
  get endpoint(): string {
    return `https://${this.resourceId.name}.search.windows.net`;
  }

  /** One index, the narrowest scope the Search Index Data roles take. */
  index(name: string): GrantTarget<"Search"> {
    return childTarget(this, childKind(ResourceTypes.searchIndex, "indexes"), name);
  }
}
