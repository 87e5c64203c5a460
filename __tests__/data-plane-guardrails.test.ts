/**
 * The guardrails of the services that authorize data themselves or through Entra tokens, judged
 * on the synthesized JSON: IG027 (an Azure role where only the service's own authorization
 * reaches the data), IG028 (the target still takes keys, or ignores Entra) and IG029 (a database
 * server still takes passwords); and the older rules on the new assignment resources.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { RoleAssignment, RoleAssignmentConfig } from "@cdktf/provider-azurerm/lib/role-assignment";
import {
  CosmosdbSqlRoleAssignment,
  CosmosdbSqlRoleAssignmentConfig,
} from "@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment";
import { RedisCacheAccessPolicyAssignment } from "@cdktf/provider-azurerm/lib/redis-cache-access-policy-assignment";
import { CosmosdbAccount, CosmosdbAccountConfig } from "@cdktf/provider-azurerm/lib/cosmosdb-account";
import { RedisCache, RedisCacheConfig } from "@cdktf/provider-azurerm/lib/redis-cache";
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { EventgridTopic } from "@cdktf/provider-azurerm/lib/eventgrid-topic";
import { EventgridDomain } from "@cdktf/provider-azurerm/lib/eventgrid-domain";
import { SearchService, SearchServiceConfig } from "@cdktf/provider-azurerm/lib/search-service";
import { MssqlServer, MssqlServerConfig } from "@cdktf/provider-azurerm/lib/mssql-server";
import {
  PostgresqlFlexibleServer,
  PostgresqlFlexibleServerConfig,
} from "@cdktf/provider-azurerm/lib/postgresql-flexible-server";
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { ServicebusNamespace, ServicebusNamespaceConfig } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { EventhubNamespace, EventhubNamespaceConfig } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { AppConfiguration, AppConfigurationConfig } from "@cdktf/provider-azurerm/lib/app-configuration";
import { CognitiveAccount, CognitiveAccountConfig } from "@cdktf/provider-azurerm/lib/cognitive-account";
import {
  AppConfigurationTarget,
  AppServiceCompute,
  ApplicationInsightsTarget,
  CognitiveServicesTarget,
  configureIdentityStack,
  CosmosDbAccountTarget,
  EventGridDomainTarget,
  EventGridTopicTarget,
  EventHubsNamespaceTarget,
  Identity,
  NetworkPath,
  PostgresServerTarget,
  RedisCacheTarget,
  Roles,
  ScopeTarget,
  SearchServiceTarget,
  ServiceBusNamespaceTarget,
  SqlServerTarget,
  UserAssignedIdentity,
  WorkloadIdentity,
  buildAccessReport,
} from "../constructs";
import { stepsOfGrants } from "../constructs/estate";
import { AzureStack } from "../stacks/azure-stack";
import { auditWorkspaceId, ENVIRONMENTS } from "../stacks/environment-settings";
import { network, subnet } from "./network-fixtures";
import { inRg, SUBSCRIPTION, TENANT, tempDirs, testStack } from "./helpers";
import { evaluateGuardrails } from "../constructs/guardrails";
import { describeGuardrailCases, findings, GuardrailCase } from "./guardrail-cases";

const USER = "0f0f0f0f-0000-4000-8000-0000000000a1";
const NAME = "0d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c";
const providers = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers`;
const roleId = (guid: string) =>
  `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const COSMOS_READER = "00000000-0000-0000-0000-000000000001";

/** The stack's one workload identity, made on first use. */
const identity = (stack: TerraformStack) =>
  (stack.node.tryFindChild("app") as UserAssignedIdentity | undefined) ??
  new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });

/** An Azure role assignment written by hand, for a managed identity of the stack, unless `config` says otherwise. */
function rawAzure(stack: TerraformStack, id: string, config: Partial<RoleAssignmentConfig>): RoleAssignment {
  return new RoleAssignment(stack, id, {
    name: NAME,
    scope: `${providers}/Microsoft.DocumentDB/databaseAccounts/orders-cosmos`,
    roleDefinitionId: roleId(Roles.Reader.guid),
    principalId: identity(stack).principalId,
    principalType: "ServicePrincipal",
    ...config,
  });
}

/** A Cosmos DB SQL role assignment written by hand: correct unless `config` says otherwise. */
function rawCosmos(
  stack: TerraformStack,
  id: string,
  config: Partial<CosmosdbSqlRoleAssignmentConfig> = {},
): CosmosdbSqlRoleAssignment {
  const account = cosmos(stack);
  return new CosmosdbSqlRoleAssignment(stack, id, {
    name: NAME,
    resourceGroupName: "data-rg",
    accountName: "orders-cosmos",
    roleDefinitionId: `${account.id}/sqlRoleDefinitions/${COSMOS_READER}`,
    principalId: identity(stack).principalId,
    scope: account.id,
    ...config,
  });
}

const cosmos = (stack: TerraformStack, config: Partial<CosmosdbAccountConfig> = {}) =>
  (stack.node.tryFindChild("cosmos") as CosmosdbAccount | undefined) ??
  new CosmosdbAccount(stack, "cosmos", {
    ...inRg,
    name: "orders-cosmos",
    offerType: "Standard",
    consistencyPolicy: { consistencyLevel: "Session" },
    geoLocation: [{ location: "westeurope", failoverPriority: 0 }],
    localAuthenticationDisabled: true,
    ...config,
  });
const redis = (stack: TerraformStack, config: Partial<RedisCacheConfig> = {}) =>
  new RedisCache(stack, "redis", {
    ...inRg,
    name: "orders-cache",
    capacity: 1,
    family: "C",
    skuName: "Standard",
    redisConfiguration: { activeDirectoryAuthenticationEnabled: true },
    accessKeysAuthenticationEnabled: false,
    ...config,
  });
const search = (stack: TerraformStack, config: Partial<SearchServiceConfig> = {}) =>
  new SearchService(stack, "search", {
    ...inRg,
    name: "orders-search",
    sku: "basic",
    localAuthenticationEnabled: false,
    ...config,
  });
// Local auth off unless `config` says otherwise: the provider leaves it on by default.
const bus = (stack: TerraformStack, config: Partial<ServicebusNamespaceConfig> = {}) =>
  new ServicebusNamespace(stack, "bus", {
    ...inRg,
    name: "orders-bus",
    sku: "Standard",
    localAuthEnabled: false,
    ...config,
  });
const hubs = (stack: TerraformStack, config: Partial<EventhubNamespaceConfig> = {}) =>
  new EventhubNamespace(stack, "hubs", {
    ...inRg,
    name: "orders-hubs",
    sku: "Standard",
    localAuthenticationEnabled: false,
    ...config,
  });
const appConfig = (stack: TerraformStack, config: Partial<AppConfigurationConfig> = {}) =>
  new AppConfiguration(stack, "appconfig", { ...inRg, name: "orders-config", localAuthEnabled: false, ...config });
const cognitive = (stack: TerraformStack, config: Partial<CognitiveAccountConfig> = {}) =>
  new CognitiveAccount(stack, "openai", {
    ...inRg,
    name: "orders-openai",
    kind: "OpenAI",
    skuName: "S0",
    localAuthEnabled: false,
    ...config,
  });
const ENTRA_ONLY_SQL = {
  azureadAdministrator: {
    loginUsername: "sql-admins",
    objectId: "8e4f2b1c-7a6d-4e3f-9b2a-1c0d9e8f7a65",
    azureadAuthenticationOnly: true,
  },
};
const sqlServer = (stack: TerraformStack, config: Partial<MssqlServerConfig> = ENTRA_ONLY_SQL) =>
  new MssqlServer(stack, "sql", { ...inRg, name: "orders-sql", version: "12.0", ...config });
const ENTRA_ONLY_PG = { activeDirectoryAuthEnabled: true, passwordAuthEnabled: false, tenantId: TENANT };
const pgServer = (stack: TerraformStack, config: Partial<PostgresqlFlexibleServerConfig> = {}) =>
  new PostgresqlFlexibleServer(stack, "pg", { ...inRg, name: "orders-pg", authentication: ENTRA_ONLY_PG, ...config });

/** Integrates the web app with a subnet and gives each database server a private endpoint there (IG030). */
const reachable = (scope: Construct, web: LinuxWebApp, servers: (SqlServerTarget | PostgresServerTarget)[]) => {
  const stack = TerraformStack.of(scope);
  const vnet = network(stack);
  web.virtualNetworkSubnetId = subnet(stack, vnet, "apps", "10.0.2.0/26").id;
  const endpoints = subnet(stack, vnet, "endpoints", "10.0.3.0/27");
  servers.forEach((target, i) =>
    NetworkPath.privateEndpoint(scope, `path-${i}`, { target, subnet: endpoints, dns: { virtualNetworkId: vnet.id } }),
  );
};

/** The identity granted `role` on a target of the stack. */
type Grantable = { grant: (...args: any[]) => unknown };
const grantOn = (stack: TerraformStack, target: Grantable, role: unknown) =>
  target.grant(identity(stack), role, { reason: "uses it" });

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A target whose local auth the provider leaves on unless the config turns it off (IG028). */
interface LocalAuth {
  readonly what: string;
  readonly address: string;
  /** The Terraform attribute, and the config property that writes it. */
  readonly attribute: string;
  readonly make: (stack: TerraformStack, localAuth?: boolean) => Grantable;
  /** The narrower target the unset case grants on (a queue, an event hub), and the path it adds. */
  readonly child?: readonly [narrow: (target: any) => Grantable, path: string];
  readonly role: { readonly name: string };
  readonly accepts: string;
}

const LOCAL_AUTH: readonly LocalAuth[] = [
  {
    what: "a Service Bus namespace",
    address: "azurerm_servicebus_namespace.bus",
    attribute: "local_auth_enabled",
    make: (s, on) => ServiceBusNamespaceTarget.of(bus(s, { localAuthEnabled: on })),
    child: [(t) => t.queue("orders"), "/queues/orders"],
    role: Roles.ServiceBusDataSender,
    accepts:
      "the namespace still accepts shared access signatures (SAS) of its own and its queues' and topics' policies",
  },
  {
    what: "an Event Hubs namespace",
    address: "azurerm_eventhub_namespace.hubs",
    attribute: "local_authentication_enabled",
    make: (s, on) => EventHubsNamespaceTarget.of(hubs(s, { localAuthenticationEnabled: on })),
    child: [(t) => t.eventHub("telemetry"), "/eventhubs/telemetry"],
    role: Roles.EventHubsDataReceiver,
    accepts: "the namespace still accepts shared access signatures (SAS) of its own and its event hubs' policies",
  },
  {
    what: "an App Configuration store",
    address: "azurerm_app_configuration.appconfig",
    attribute: "local_auth_enabled",
    make: (s, on) => AppConfigurationTarget.of(appConfig(s, { localAuthEnabled: on })),
    role: Roles.AppConfigurationDataReader,
    accepts: "the store still accepts its read-only and read-write access keys",
  },
  {
    what: "a Cognitive Services account",
    address: "azurerm_cognitive_account.openai",
    attribute: "local_auth_enabled",
    make: (s, on) => CognitiveServicesTarget.of(cognitive(s, { localAuthEnabled: on })),
    role: Roles.CognitiveServicesOpenAIUser,
    accepts: "the account still accepts its API keys (key1 and key2)",
  },
];

/** Each target's local auth left unset (through its narrower target, where it has one) and turned on: both IG028. */
function localAuthCases(t: LocalAuth): GuardrailCase[] {
  const [narrow, path] = t.child ?? [(target: Grantable) => target, ""];
  return [
    { setting: "never set", on: undefined, reach: narrow, at: path },
    { setting: "explicitly on", on: true, reach: (target: Grantable) => target, at: "" },
  ].map(({ setting, on, reach, at }) => ({
    ruleId: "IG028",
    about: `${t.what} with ${t.attribute} ${setting}${at ? `, reached through ${at}` : ""}`,
    bad: (s: TerraformStack) => grantOn(s, reach(t.make(s, on)), t.role),
    good: (s: TerraformStack) => grantOn(s, reach(t.make(s, false)), t.role),
    message: new RegExp(
      `^${escapeRegExp(`${t.role.name} for `)}.* ${escapeRegExp(`on ${t.address}${at}, but ${t.accepts}: anyone holding a key bypasses the identity's grants`)}$`,
    ),
    fix: new RegExp(`^${escapeRegExp(`set ${t.attribute} = false on ${t.address}`)}$`),
  }));
}

const CASES: GuardrailCase[] = [
  {
    ruleId: "IG027",
    about: "Reader written by hand on a Cosmos DB account of the stack",
    bad: (s) => rawAzure(s, "reader", { scope: cosmos(s).id }),
    good: (s) => grantOn(s, CosmosDbAccountTarget.of(cosmos(s)), Roles.CosmosDbDataReader),
    message:
      /^Azure role Reader for azurerm_user_assigned_identity\.app_identity_[0-9A-F]+ on azurerm_cosmosdb_account\.cosmos: a Cosmos DB account authorizes data access itself, so no Azure role reaches its data$/,
    fix: /^grant the narrowest data role that makes the call succeed \(Cosmos DB Built-in Data Reader, Cosmos DB Built-in Data Contributor\), granted on the Cosmos DB account target/,
  },
  {
    ruleId: "IG027",
    about: "an Azure data role of another service on a Cosmos DB database scope",
    bad: (s) =>
      rawAzure(s, "secrets", {
        scope: `${providers}/Microsoft.DocumentDB/databaseAccounts/orders-cosmos/dbs/orders`,
        roleDefinitionId: roleId(Roles.KeyVaultSecretsUser.guid),
      }),
    good: (s) =>
      grantOn(
        s,
        CosmosDbAccountTarget.fromId(s, `${providers}/Microsoft.DocumentDB/databaseAccounts/orders-cosmos`).database(
          "orders",
        ),
        Roles.CosmosDbDataReader,
      ),
    message:
      /^Azure role Key Vault Secrets User for .* on \/subscriptions\/.*\/dbs\/orders: a Cosmos DB database authorizes/,
    fix: /granted on the Cosmos DB database target/,
  },
  {
    ruleId: "IG027",
    about: "Reader on a Redis cache",
    bad: (s) => rawAzure(s, "reader", { scope: redis(s).id }),
    good: (s) => grantOn(s, RedisCacheTarget.of(redis(s)), Roles.RedisDataReader),
    message: /^Azure role Reader for .* on azurerm_redis_cache\.redis: a Redis cache authorizes data access itself/,
    fix: /\(Redis Data Reader, Redis Data Contributor\)/,
  },
  {
    ruleId: "IG027",
    about: "Reader on an Azure SQL database",
    bad: (s) => rawAzure(s, "reader", { scope: `${sqlServer(s).id}/databases/ordersdb` }),
    good: (s) => grantOn(s, SqlServerTarget.of(sqlServer(s)).database("ordersdb"), Roles.SqlDataReader),
    message:
      /^Azure role Reader for .* on azurerm_mssql_server\.sql\/databases\/ordersdb: a Azure SQL database authorizes/,
    fix: /\(SQL db_datareader, SQL db_datawriter\), granted on the Azure SQL database target/,
  },
  {
    ruleId: "IG027",
    about: "Reader on a PostgreSQL flexible server",
    bad: (s) => rawAzure(s, "reader", { scope: pgServer(s).id }),
    good: (s) => grantOn(s, PostgresServerTarget.of(pgServer(s)).database("sales"), Roles.PostgresTableReader),
    message:
      /^Azure role Reader for .* on azurerm_postgresql_flexible_server\.pg: a PostgreSQL flexible server authorizes/,
    fix: /PostgreSQL table reader, PostgreSQL table writer/,
  },
  {
    ruleId: "IG028",
    about: "a Cosmos DB account that keeps its keys",
    bad: (s) =>
      grantOn(s, CosmosDbAccountTarget.of(cosmos(s, { localAuthenticationDisabled: false })), Roles.CosmosDbDataReader),
    good: (s) => grantOn(s, CosmosDbAccountTarget.of(cosmos(s)), Roles.CosmosDbDataReader),
    message:
      /^Cosmos DB Built-in Data Reader for .* on azurerm_cosmosdb_account\.cosmos, but the account still accepts its primary and secondary keys: anyone holding a key bypasses the identity's grants$/,
    fix: /^set local_authentication_disabled = true on azurerm_cosmosdb_account\.cosmos$/,
  },
  {
    ruleId: "IG028",
    about: "a Cosmos DB account that never set local authentication, reached through a container",
    bad: (s) =>
      grantOn(
        s,
        CosmosDbAccountTarget.of(cosmos(s, { localAuthenticationDisabled: undefined })).container("orders", "items"),
        Roles.CosmosDbDataContributor,
      ),
    good: (s) =>
      grantOn(s, CosmosDbAccountTarget.of(cosmos(s)).container("orders", "items"), Roles.CosmosDbDataContributor),
    message:
      /on azurerm_cosmosdb_account\.cosmos\/dbs\/orders\/colls\/items, but the account still accepts its primary and secondary keys/,
    fix: /^set local_authentication_disabled = true on azurerm_cosmosdb_account\.cosmos$/,
  },
  {
    ruleId: "IG028",
    about: "an Application Insights component that takes the instrumentation key alone",
    bad: (s) =>
      grantOn(
        s,
        ApplicationInsightsTarget.of(
          new ApplicationInsights(s, "ai", { ...inRg, name: "orders-ai", applicationType: "web" }),
        ),
        Roles.MonitoringMetricsPublisher,
      ),
    good: (s) =>
      grantOn(
        s,
        ApplicationInsightsTarget.of(
          new ApplicationInsights(s, "ai", {
            ...inRg,
            name: "orders-ai",
            applicationType: "web",
            localAuthenticationDisabled: true,
          }),
        ),
        Roles.MonitoringMetricsPublisher,
      ),
    message:
      /^Monitoring Metrics Publisher for .* on azurerm_application_insights\.ai, but the component still accepts telemetry by instrumentation key alone/,
    fix: /^set local_authentication_disabled = true on azurerm_application_insights\.ai$/,
  },
  {
    ruleId: "IG028",
    about: "an Event Grid topic that takes access keys and SAS tokens",
    bad: (s) =>
      grantOn(
        s,
        EventGridTopicTarget.of(new EventgridTopic(s, "topic", { ...inRg, name: "orders-topic" })),
        Roles.EventGridDataSender,
      ),
    good: (s) =>
      grantOn(
        s,
        EventGridTopicTarget.of(
          new EventgridTopic(s, "topic", { ...inRg, name: "orders-topic", localAuthEnabled: false }),
        ),
        Roles.EventGridDataSender,
      ),
    message:
      /^EventGrid Data Sender for .* on azurerm_eventgrid_topic\.topic, but the endpoint still accepts access keys and SAS tokens/,
    fix: /^set local_auth_enabled = false on azurerm_eventgrid_topic\.topic$/,
  },
  {
    ruleId: "IG028",
    about: "an Event Grid domain with local auth explicitly on",
    bad: (s) =>
      grantOn(
        s,
        EventGridDomainTarget.of(
          new EventgridDomain(s, "domain", { ...inRg, name: "orders-domain", localAuthEnabled: true }),
        ),
        Roles.EventGridDataSender,
      ),
    good: (s) =>
      grantOn(
        s,
        EventGridDomainTarget.of(
          new EventgridDomain(s, "domain", { ...inRg, name: "orders-domain", localAuthEnabled: false }),
        ),
        Roles.EventGridDataSender,
      ),
    message: /on azurerm_eventgrid_domain\.domain, but the endpoint still accepts access keys and SAS tokens/,
    fix: /^set local_auth_enabled = false on azurerm_eventgrid_domain\.domain$/,
  },
  {
    ruleId: "IG028",
    about: "an AI Search service on API keys only, where the role is never consulted",
    bad: (s) =>
      grantOn(
        s,
        SearchServiceTarget.of(search(s, { localAuthenticationEnabled: undefined })).index("products"),
        Roles.SearchIndexDataReader,
      ),
    good: (s) => grantOn(s, SearchServiceTarget.of(search(s)).index("products"), Roles.SearchIndexDataReader),
    message:
      /^Search Index Data Reader for .* on azurerm_search_service\.search\/indexes\/products, but the service accepts API keys only, so the role grants nothing$/,
    fix: /^set local_authentication_enabled = false \(and no authentication_failure_mode\) on azurerm_search_service\.search$/,
  },
  {
    ruleId: "IG028",
    about: "an AI Search service taking both keys and Entra tokens",
    bad: (s) =>
      grantOn(
        s,
        SearchServiceTarget.of(search(s, { localAuthenticationEnabled: true, authenticationFailureMode: "http403" })),
        Roles.SearchIndexDataContributor,
      ),
    good: (s) => grantOn(s, SearchServiceTarget.of(search(s)), Roles.SearchIndexDataContributor),
    message: /on azurerm_search_service\.search, but the service still accepts API keys: anyone holding a key bypasses/,
    fix: /^set local_authentication_enabled = false on azurerm_search_service\.search$/,
  },
  {
    ruleId: "IG028",
    about: "a Redis cache without Entra authentication, where the access policy grants nothing",
    bad: (s) => grantOn(s, RedisCacheTarget.of(redis(s, { redisConfiguration: {} })), Roles.RedisDataReader),
    good: (s) => grantOn(s, RedisCacheTarget.of(redis(s)), Roles.RedisDataReader),
    message:
      /^Redis Data Reader for .* on azurerm_redis_cache\.redis, but the cache does not accept Microsoft Entra tokens, so the access policy grants nothing$/,
    fix: /^set redis_configuration\.active_directory_authentication_enabled = true on azurerm_redis_cache\.redis$/,
  },
  {
    ruleId: "IG028",
    about: "a Redis cache with Entra authentication that keeps its access keys",
    bad: (s) =>
      grantOn(
        s,
        RedisCacheTarget.of(redis(s, { accessKeysAuthenticationEnabled: undefined })),
        Roles.RedisDataContributor,
      ),
    good: (s) => grantOn(s, RedisCacheTarget.of(redis(s)), Roles.RedisDataContributor),
    message:
      /on azurerm_redis_cache\.redis, but the cache still accepts its access keys: anyone holding a key bypasses/,
    fix: /^set access_keys_authentication_enabled = false on azurerm_redis_cache\.redis$/,
  },
  ...LOCAL_AUTH.flatMap(localAuthCases),
  {
    ruleId: "IG029",
    about: "an Azure SQL server with a SQL administrator login",
    bad: (s) =>
      grantOn(
        s,
        SqlServerTarget.of(
          sqlServer(s, { administratorLogin: "sqladmin", administratorLoginPassword: "${var.sql_password}" }),
        ).database("ordersdb"),
        Roles.SqlDataReader,
      ),
    good: (s) => grantOn(s, SqlServerTarget.of(sqlServer(s)).database("ordersdb"), Roles.SqlDataReader),
    message: /^Azure SQL server azurerm_mssql_server\.sql still accepts SQL logins with passwords$/,
    fix: /^set azuread_administrator \{ login_username, object_id \(an Entra group\), azuread_authentication_only = true \} and drop administrator_login$/,
  },
  {
    ruleId: "IG029",
    about: "an Azure SQL server with an Entra administrator that still allows SQL authentication",
    bad: (s) =>
      sqlServer(s, {
        azureadAdministrator: { ...ENTRA_ONLY_SQL.azureadAdministrator, azureadAuthenticationOnly: false },
      }),
    good: (s) => sqlServer(s),
    message: /^Azure SQL server azurerm_mssql_server\.sql still accepts SQL logins with passwords$/,
    fix: /azuread_authentication_only = true/,
  },
  {
    ruleId: "IG029",
    about: "a PostgreSQL flexible server without Entra authentication",
    bad: (s) =>
      grantOn(
        s,
        PostgresServerTarget.of(pgServer(s, { authentication: undefined })).database("sales"),
        Roles.PostgresTableReader,
      ),
    good: (s) => grantOn(s, PostgresServerTarget.of(pgServer(s)).database("sales"), Roles.PostgresTableReader),
    message:
      /^PostgreSQL flexible server azurerm_postgresql_flexible_server\.pg does not accept Microsoft Entra identities$/,
    fix: /^set authentication \{ active_directory_auth_enabled = true, password_auth_enabled = false \}/,
  },
  {
    ruleId: "IG029",
    about: "a PostgreSQL flexible server that takes Entra identities and passwords",
    bad: (s) => pgServer(s, { authentication: { ...ENTRA_ONLY_PG, passwordAuthEnabled: true } }),
    good: (s) => pgServer(s),
    message: /^PostgreSQL flexible server azurerm_postgresql_flexible_server\.pg still accepts passwords$/,
    fix: /password_auth_enabled = false/,
  },
  {
    ruleId: "IG029",
    about: "an Azure SQL server whose Entra administrator is a workload's identity",
    bad: (s) =>
      sqlServer(s, {
        azureadAdministrator: { ...ENTRA_ONLY_SQL.azureadAdministrator, objectId: identity(s).principalId },
      }),
    good: (s) => sqlServer(s),
    message:
      /^azurerm_mssql_server\.sql makes "\$\{azurerm_user_assigned_identity\.app_identity_[0-9A-F]+\.principal_id\}" its Entra administrator: that principal holds all the server's data$/,
    fix: /^make the administrator the database admins' Entra group, by its literal object id/,
  },
  {
    ruleId: "IG029",
    about: "a PostgreSQL Entra administrator that is a user",
    bad: (s) =>
      new PostgresqlFlexibleServerActiveDirectoryAdministrator(s, "admin", {
        serverName: pgServer(s).name,
        resourceGroupName: "app-rg",
        tenantId: TENANT,
        objectId: USER,
        principalName: "someone@contoso.com",
        principalType: "User",
      }),
    good: (s) =>
      new PostgresqlFlexibleServerActiveDirectoryAdministrator(s, "admin", {
        serverName: pgServer(s).name,
        resourceGroupName: "app-rg",
        tenantId: TENANT,
        objectId: ENTRA_ONLY_SQL.azureadAdministrator.objectId,
        principalName: "contoso-database-admins",
        principalType: "Group",
      }),
    message:
      /^azurerm_postgresql_flexible_server_active_directory_administrator\.admin makes "0f0f0f0f-0000-4000-8000-0000000000a1" its Entra administrator/,
    fix: /principal type Group/,
  },
  {
    ruleId: "IG021",
    about: "a Cosmos DB SQL role assignment written by hand for a user's object id",
    bad: (s) => rawCosmos(s, "person", { principalId: USER }),
    good: (s) => rawCosmos(s, "workload"),
    message:
      /^Cosmos DB Built-in Data Reader for 0f0f0f0f-0000-4000-8000-0000000000a1 on azurerm_cosmosdb_account\.cosmos is held by a principal that is no managed identity of the estate$/,
    fix: /^grant the role to the workload's managed identity/,
  },
  {
    ruleId: "IG021",
    about: "a Redis access policy assignment written by hand for a user's object id",
    bad: (s) =>
      new RedisCacheAccessPolicyAssignment(s, "person", {
        name: NAME,
        redisCacheId: redis(s).id,
        accessPolicyName: "Data Contributor",
        objectId: USER,
        objectIdAlias: "someone",
      }),
    good: (s) => grantOn(s, RedisCacheTarget.of(redis(s)), Roles.RedisDataContributor),
    message:
      /^Redis Data Contributor for 0f0f0f0f-0000-4000-8000-0000000000a1 on azurerm_redis_cache\.redis is held by/,
    fix: /managed identity/,
  },
  {
    ruleId: "IG012",
    about: "a Cosmos DB SQL role assignment without a name (a random one at apply)",
    bad: (s) => rawCosmos(s, "random", { name: undefined }),
    good: (s) => rawCosmos(s, "stable"),
    message:
      /^Cosmos DB Built-in Data Reader for azurerm_user_assigned_identity\..* on azurerm_cosmosdb_account\.cosmos has name null$/,
    fix: /^name it uuidv5\(/,
  },
  {
    ruleId: "IG008",
    about: "a Cosmos DB grant written again by hand beside the construct's",
    bad: (s) => {
      const account = cosmos(s);
      grantOn(s, CosmosDbAccountTarget.of(account), Roles.CosmosDbDataReader);
      new CosmosdbSqlRoleAssignment(s, "again", {
        name: "1d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
        resourceGroupName: "data-rg",
        accountName: "orders-cosmos",
        roleDefinitionId: `${account.id}/sqlRoleDefinitions/${COSMOS_READER}`,
        principalId: identity(s).principalId,
        scope: account.id,
      });
    },
    good: (s) => {
      const account = CosmosDbAccountTarget.of(cosmos(s));
      grantOn(s, account, Roles.CosmosDbDataReader);
      grantOn(s, account, Roles.CosmosDbDataReader);
    },
    message:
      /^Cosmos DB Built-in Data Reader for .* on azurerm_cosmosdb_account\.cosmos is also declared as azurerm_cosmosdb_sql_role_assignment\./,
    fix: /declare the grant once/,
  },
];

describeGuardrailCases(CASES);

describe("the new targets, well configured, raise nothing", () => {
  it("passes a workload granted on every new target, and reads each grant in its own system", () => {
    // Its targets' data access logged to a workspace, as the grants set it up (IG026).
    const stack = new TerraformStack(Testing.app(), "test");
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "error" },
      auditLogs: {
        workspaceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`,
      },
    });
    const web = new LinuxWebApp(stack, "web", { ...inRg, name: "orders-web", servicePlanId: "/plan", siteConfig: {} });
    const sql = SqlServerTarget.of(sqlServer(stack));
    const pg = PostgresServerTarget.of(pgServer(stack));
    reachable(stack, web, [sql, pg]);
    new WorkloadIdentity(stack, "orders", {
      identity: Identity.newUserAssigned({ ...inRg, name: "orders-id" }),
      compute: [AppServiceCompute.linuxWebApp(web)],
      grants: [
        CosmosDbAccountTarget.of(cosmos(stack)).database("orders").allow(Roles.CosmosDbDataReader, "reads orders"),
        RedisCacheTarget.of(redis(stack)).allow(Roles.RedisDataContributor, "caches sessions"),
        SearchServiceTarget.of(search(stack)).index("products").allow(Roles.SearchIndexDataReader, "searches"),
        sql.database("ordersdb").allow(Roles.SqlDataWriter, "writes orders"),
        pg.database("sales").allow(Roles.PostgresTableReader, "reads sales"),
        ApplicationInsightsTarget.of(
          new ApplicationInsights(stack, "ai", {
            ...inRg,
            name: "orders-ai",
            applicationType: "web",
            localAuthenticationDisabled: true,
          }),
        ).allow(Roles.MonitoringMetricsPublisher, "sends telemetry"),
        EventGridTopicTarget.of(
          new EventgridTopic(stack, "topic", { ...inRg, name: "orders-topic", localAuthEnabled: false }),
        ).allow(Roles.EventGridDataSender, "publishes"),
        EventGridDomainTarget.of(
          new EventgridDomain(stack, "domain", { ...inRg, name: "orders-domain", localAuthEnabled: false }),
        ).allow(Roles.EventGridDataSender, "publishes"),
      ],
    });
    const all = evaluateGuardrails(stack, { severity: "error", today: "2026-11-22" });
    expect(all.map((f) => `${f.ruleId} ${f.address}: ${f.message}`)).toEqual([]);
  });

  it("leaves IG027 to IG001 for a privileged role on a Cosmos DB account", () => {
    const stack = testStack();
    rawAzure(stack, "contributor", { scope: cosmos(stack).id, roleDefinitionId: roleId(Roles.Contributor.guid) });
    const ids = evaluateGuardrails(stack, { severity: "error" }).map((f) => f.ruleId);
    expect(ids).toContain("IG001");
    expect(ids).not.toContain("IG027");
    expect(ids).not.toContain("IG004");
  });

  // Library gap (the Cosmos DB service module gives Microsoft.DocumentDB/databaseAccounts/sqlDatabases no role
  // services, so the policy sees no own data plane there): an Azure role on the account's ARM
  // child scope (`.../sqlDatabases/<db>`) passes IG027, at grant time and in the guardrails, while the
  // same role on the account or on a PostgreSQL database is refused. Remove `.failing` once it is caught.
  it("finds an Azure role on a Cosmos DB account's ARM sqlDatabases scope too", () => {
    const stack = testStack();
    rawAzure(stack, "reader", {
      scope: `${providers}/Microsoft.DocumentDB/databaseAccounts/orders-cosmos/sqlDatabases/orders`,
    });
    expect(findings(stack, "IG027")).toHaveLength(1);
  });

  it("never asks a Cosmos DB, Redis or database grant for a principal type (IG009)", () => {
    const stack = testStack();
    grantOn(stack, CosmosDbAccountTarget.of(cosmos(stack)), Roles.CosmosDbDataReader);
    grantOn(stack, RedisCacheTarget.of(redis(stack)), Roles.RedisDataReader);
    grantOn(stack, SqlServerTarget.of(sqlServer(stack)).database("ordersdb"), Roles.SqlDataReader);
    expect(findings(stack, "IG009")).toEqual([]);
    rawAzure(stack, "untyped", {
      scope: `${providers}/Microsoft.Search/searchServices/orders-search`,
      roleDefinitionId: roleId(Roles.SearchIndexDataReader.guid),
      principalType: undefined,
    });
    expect(findings(stack, "IG009").map((f) => f.address)).toEqual(["azurerm_role_assignment.untyped"]);
  });

  it("reports a justified Azure role on a Cosmos DB account as suppressed by its justification", () => {
    const stack = testStack();
    ScopeTarget.fromId(stack, `${providers}/Microsoft.DocumentDB/databaseAccounts/orders-cosmos`).grant(
      identity(stack),
      Roles.Reader,
      { reason: "reads metadata", justification: "the capacity dashboard reads the account's throughput" },
    );
    const ig027 = evaluateGuardrails(stack, { severity: "error" }).filter((f) => f.ruleId === "IG027");
    expect(ig027).toHaveLength(1);
    expect(ig027[0].suppression?.reason).toBe(
      "justified in code: the capacity dashboard reads the account's throughput",
    );
  });
});

describe("a prod-like stack fails the synth", () => {
  const tempDir = tempDirs("data-plane-guardrails-");
  const settings = (name: string) => {
    const env = ENVIRONMENTS.find((e) => e.name === name)!;
    return { ...env, guardrails: { ...env.guardrails, today: "2026-11-22" } };
  };
  /** A web app of the environment reading one Azure SQL database as its user-assigned identity. */
  const synthesize = (environment: string, server: Partial<MssqlServerConfig>) => {
    const app = new App({ outdir: tempDir(), stackTraces: false });
    const env = settings(environment);
    const stack = new AzureStack(app, environment, env, environment, { workspaceId: auditWorkspaceId(env) });
    const scope = new Construct(stack, "orders");
    const sql = new MssqlServer(scope, "sql", { ...inRg, name: "orders-sql", version: "12.0", ...server });
    const web = new LinuxWebApp(scope, "web", { ...inRg, name: "orders-web", servicePlanId: "/plan", siteConfig: {} });
    reachable(scope, web, [SqlServerTarget.of(sql)]);
    new WorkloadIdentity(scope, "access", {
      identity: Identity.newUserAssigned({ ...inRg, name: "orders-id" }),
      compute: [AppServiceCompute.linuxWebApp(web)],
      grants: [SqlServerTarget.of(sql).database("ordersdb").allow(Roles.SqlDataReader, "reads orders")],
    });
    app.synth();
    return join(app.outdir, "stacks", environment);
  };

  it("when an Azure SQL server a grant targets keeps SQL authentication", () => {
    expect(() =>
      synthesize("prod", { administratorLogin: "sqladmin", administratorLoginPassword: "${var.sql_password}" }),
    ).toThrow(
      /\[prod\/orders\/sql\] IG029 database-password-auth at azurerm_mssql_server\.orders_sql_[0-9A-F]+: Azure SQL server azurerm_mssql_server\.orders_sql_[0-9A-F]+ still accepts SQL logins with passwords\. Fix: set azuread_administrator/,
    );
  });

  it("passes with Entra-only authentication, and the report lists the user to create", () => {
    const dir = synthesize("prod", ENTRA_ONLY_SQL);
    const report = JSON.parse(readFileSync(join(dir, "guardrails.json"), "utf8"));
    expect(report.findings.filter((f: { suppression?: unknown }) => !f.suppression)).toEqual([]);
    const access = readFileSync(join(dir, "access-report.md"), "utf8");
    expect(access).toContain("## Database users to create after apply");
    expect(access).toContain("CREATE USER [orders-id] FROM EXTERNAL PROVIDER WITH OBJECT_ID = ");
  });

  it("only warns in dev for the same server", () => {
    const dir = synthesize("dev", {
      administratorLogin: "sqladmin",
      administratorLoginPassword: "${var.sql_password}",
    });
    const report = JSON.parse(readFileSync(join(dir, "guardrails.json"), "utf8"));
    expect(report.findings.map((f: { ruleId: string; severity: string }) => [f.ruleId, f.severity])).toEqual([
      ["IG029", "warning"],
    ]);
  });
});

describe("database-access outputs are judged as they are written", () => {
  /** A SQL grant, and the output that carries its statements. */
  const withSqlGrant = () => {
    const stack = testStack();
    grantOn(stack, SqlServerTarget.of(sqlServer(stack)).database("ordersdb"), Roles.SqlDataReader);
    const output = stack.node
      .findChild("database-access")
      .node.findChild("database-access-orders-sql-ordersdb") as TerraformOutput;
    return { stack, output };
  };
  const forged = "ALTER ROLE [db_owner] ADD MEMBER [app-id];";

  it("reads the statements the grants call for: nothing to report", () => {
    const { stack } = withSqlGrant();
    expect(findings(stack, "IG022")).toEqual([]);
  });

  it("refuses statements overridden to say more than the grants (IG022), and reports the grants' own", () => {
    const { stack, output } = withSqlGrant();
    output.addOverride("value.steps", [{ database: "ordersdb", statements: forged }]);
    expect(findings(stack, "IG022").map((f) => [f.address, f.message])).toEqual([
      [
        "output.database-access-orders-sql-ordersdb",
        "output.database-access-orders-sql-ordersdb grants access or runs commands in a way no rule reads",
      ],
    ]);
    const [users] = buildAccessReport("dev", stack.toTerraform()).databaseUsers;
    expect(users.steps[0].statements).not.toContain("db_owner");
    expect(users.steps[0].statements).toContain("ALTER ROLE [db_datareader] ADD MEMBER [app-id];");
  });

  it("refuses a grant overridden to name a role outside the catalog (IG022)", () => {
    const { stack, output } = withSqlGrant();
    output.addOverride("value.grants.0.role", "db_owner");
    expect(findings(stack, "IG022").map((f) => f.address)).toEqual(["output.database-access-orders-sql-ordersdb"]);
  });

  it("reads a grant added by hand, statements and all, as an assignment: a user's is IG021", () => {
    const { stack, output } = withSqlGrant();
    const value = (stack.toTerraform() as Record<string, any>).output["database-access-orders-sql-ordersdb"].value;
    const person = { ...value.grants[0], principal_name: "someone", principal_id: USER, name: NAME };
    const { principal_client_id: _, ...unclient } = person;
    const forged = { ...value, grants: [...value.grants, unclient] };
    // Statements exactly as the grants call for them: the person is judged as an assignment.
    output.value = { ...forged, steps: stepsOfGrants(forged) };
    expect(output.value.steps[0].statements).toContain(
      `CREATE USER [someone] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '${USER}';`,
    );
    expect(findings(stack, "IG022")).toEqual([]);
    expect(findings(stack, "IG021").map((f) => [f.address, f.message])).toEqual([
      [
        "output.database-access-orders-sql-ordersdb",
        `SQL db_datareader for ${USER} on azurerm_mssql_server.sql/databases/ordersdb is held by a principal that is no managed identity of the estate`,
      ],
    ]);
  });

  it("refuses a hand-written output named like one, that does not say what it is (IG022)", () => {
    const stack = testStack();
    new TerraformOutput(stack, "database-access-extra", { value: { steps: [{ database: "x", statements: forged }] } });
    expect(findings(stack, "IG022").map((f) => f.address)).toEqual(["output.database-access-extra"]);
  });
});
