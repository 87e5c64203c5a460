import { defineService } from "../azure/contract";
import { acceptsKeys } from "../azure/contract/keys";
import { dataPlaneRole } from "../azure/role-catalog";
import { commentOf } from "../azure/contract/assignments";
import { LOWER_DNS_LABEL } from "../azure/azure-names";
import { CosmosdbAccount } from "@cdktf/provider-azurerm/lib/cosmosdb-account";
import { CosmosdbSqlDatabase } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-database";
import { CosmosdbSqlContainer } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-container";
import { CosmosdbSqlRoleAssignment } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment";
import { IdentityConfigError } from "../core/errors";
import { knownName } from "../azure/known-values";
import { ChildResource, childTarget, GrantTarget, targetOfKind } from "../grants/targets";
import { functionsConnection, IdentityConnection } from "../grants/identity-connection";

const COSMOS_ROLE_ID = /\/sqlRoleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

// Cosmos DB's own limits ("Azure Cosmos DB service quotas"): any character but / \ # ?, no trailing space;
// this library also refuses spaces and non-ASCII, which reach the data-plane scope unencoded.
const DATABASE_OR_CONTAINER_NAME = {
  kind: "Cosmos DB database or container",
  min: 1,
  max: 255,
  pattern: /^[A-Za-z0-9_.()-]+$/,
  text: "letters, digits, underscores, periods, hyphens and parentheses",
};

/** Cosmos DB: everything the library knows about it. */
export const cosmosDb = defineService({
  name: "Cosmos DB",
  namespaces: ["Microsoft.DocumentDB"],
  resourceTypes: {
    account: {
      kind: "Cosmos DB account",
      azureType: "Microsoft.DocumentDB/databaseAccounts",
      terraformType: "azurerm_cosmosdb_account",
      services: ["Cosmos DB"],
      id: "inResourceGroup",
      name: {
        min: 3,
        max: 44,
        pattern: LOWER_DNS_LABEL,
        text: "lowercase letters, digits and single hyphens; starts and ends with a letter or digit",
      },
    },
    // Cosmos DB's data-plane scopes (`<account id>/dbs/<db>/colls/<container>`), not ARM's sqlDatabases ids.
    database: {
      kind: "Cosmos DB database",
      azureType: "Microsoft.DocumentDB/databaseAccounts/dbs",
      services: ["Cosmos DB"],
      id: { path: "dbs" },
      name: DATABASE_OR_CONTAINER_NAME,
    },
    container: {
      kind: "Cosmos DB container",
      azureType: "Microsoft.DocumentDB/databaseAccounts/dbs/colls",
      services: ["Cosmos DB"],
      id: { path: "colls" },
      name: DATABASE_OR_CONTAINER_NAME,
    },
    // ARM's ids of the same (where an Azure role would be scoped): no Cosmos DB role takes them as scope.
    sqlDatabase: {
      kind: "Cosmos DB SQL database",
      azureType: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
      terraformType: "azurerm_cosmosdb_sql_database",
      services: ["Cosmos DB"],
      id: { path: "sqlDatabases" },
      name: DATABASE_OR_CONTAINER_NAME,
    },
    sqlContainer: {
      kind: "Cosmos DB SQL container",
      azureType: "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
      terraformType: "azurerm_cosmosdb_sql_container",
      services: ["Cosmos DB"],
      id: { path: "containers" },
      name: DATABASE_OR_CONTAINER_NAME,
    },
    sqlRoleAssignment: {
      kind: "Cosmos DB SQL role assignment",
      azureType: "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
      terraformType: "azurerm_cosmosdb_sql_role_assignment",
      id: { path: "sqlRoleAssignments" },
    },
  },
  roles: {
    // Cosmos DB's own built-in SQL role definitions (`<account id>/sqlRoleDefinitions/<id>`).
    CosmosDbDataReader: dataPlaneRole(
      "cosmos-db",
      "Cosmos DB Built-in Data Reader",
      "00000000-0000-0000-0000-000000000001",
      "Cosmos DB",
    ),
    CosmosDbDataContributor: dataPlaneRole(
      "cosmos-db",
      "Cosmos DB Built-in Data Contributor",
      "00000000-0000-0000-0000-000000000002",
      "Cosmos DB",
    ),
  },
  // Data access is Cosmos DB's own RBAC: an SQL role assignment of a built-in data role, at the
  // account, a database or a container; Azure roles reach the management plane (and keys) only.
  authorization: {
    system: "cosmos-db",
    write: ({ identity, id, name, dataPlane, role, target, dependsOn }) =>
      new CosmosdbSqlRoleAssignment(identity, id, {
        name,
        resourceGroupName: dataPlane.service.resourceGroup,
        accountName: dataPlane.service.name,
        roleDefinitionId: `${dataPlane.serviceReference}/sqlRoleDefinitions/${role.definition}`,
        principalId: identity.principalId,
        scope: target.scopeReference,
        dependsOn,
      }),
  },
  assignments: {
    dialects: [
      {
        system: "cosmos-db",
        terraformTypes: ["azurerm_cosmosdb_sql_role_assignment"],
        read: ({ config: c }) => [
          {
            scope: c.scope,
            roleDefinitionId: c.role_definition_id,
            principalId: c.principal_id,
            name: c.name,
            description: commentOf(c),
          },
        ],
        // A role definition of an account: the account may be a reference, the definition is literal.
        roleKey: (written) => COSMOS_ROLE_ID.exec(written)?.[1],
      },
    ],
    // SQL role assignments written through azapi.
    unread: { azureTypes: /\/sqlroleassignments$/ },
  },
  keys: {
    localAuth: {
      azurerm_cosmosdb_account: (c) =>
        c.local_authentication_disabled === true
          ? undefined
          : acceptsKeys(
              "account still accepts its primary and secondary keys",
              "set local_authentication_disabled = true",
            ),
    },
    migration: {
      azurerm_cosmosdb_account: {
        // how-to-setup-cmk names a232010e-... the Azure Cosmos DB application; https://cosmos.azure.com resolves to it.
        tokenResource: { appId: "a232010e-820c-4083-83bb-3ace5fc29d0b", displayName: "Azure Cosmos DB" },
        // azure-monitor/reference/tables/cdbdataplanerequests: AadPrincipalId is the Entra caller; Microsoft
        // lists no values of AuthTokenType or KeyType, so a request without a principal is a key's (or a resource token's).
        keyUse: [
          { table: "CDBDataPlaneRequests", categories: ["DataPlaneRequests"], keyBased: "isempty(AadPrincipalId)" },
        ],
        revoke:
          "regenerate the primary and secondary keys, read-write and read-only (connection strings holding them stop working), and delete the database users' permissions that issue resource tokens",
      },
    },
    secretAttributes: {
      azurerm_cosmosdb_account:
        "primary_key primary_mongodb_connection_string primary_readonly_key primary_readonly_mongodb_connection_string primary_readonly_sql_connection_string primary_sql_connection_string secondary_key secondary_mongodb_connection_string secondary_readonly_key secondary_readonly_mongodb_connection_string secondary_readonly_sql_connection_string secondary_sql_connection_string",
      "data.azurerm_cosmosdb_account":
        "primary_key primary_mongodb_connection_string primary_readonly_key primary_readonly_mongodb_connection_string primary_readonly_sql_connection_string primary_sql_connection_string secondary_key secondary_mongodb_connection_string secondary_readonly_key secondary_readonly_mongodb_connection_string secondary_readonly_sql_connection_string secondary_sql_connection_string",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.DocumentDB/databaseAccounts"],
        logs: {
          kind: "Cosmos DB account",
          categories: ["DataPlaneRequests"],
          destinationType: "Dedicated",
          log: { table: "CDBDataPlaneRequests", callerIs: "AadPrincipalId == {oid}", operation: "OperationName" },
        },
      },
    ],
  },
  network: {
    privateDnsZones: { Sql: "privatelink.documents.azure.com" },
    targets: [{ terraformType: "azurerm_cosmosdb_account", privateLinkGroup: "Sql" }],
  },
  mocks: {
    identityBlock: ["azurerm_cosmosdb_account"],
    names: { "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers": "mock-container" },
  },
});

// @targets
/**
 * A Cosmos DB account (NoSQL API), or one database or container in it. Data access is Cosmos DB's
 * own RBAC: grants here are `azurerm_cosmosdb_sql_role_assignment`s of the built-in data roles,
 * never Azure role assignments, which reach the account's management plane (and its keys) only.
 */
export class CosmosDbAccountTarget extends targetOfKind<"Cosmos DB", CosmosdbAccount>(
  cosmosDb.resourceTypes.account,
  cosmosDb,
) {
  /** What the SDK and Functions' `<connection>__accountEndpoint` connect to. */
  get accountEndpoint(): string {
    return `https://${this.resourceId.name}.documents.azure.com:443/`;
  }

  /** One database: by name, by its data-plane id (`<account id>/dbs/<name>`), or a database of this stack. */
  database(database: string | CosmosdbSqlDatabase): GrantTarget<"Cosmos DB"> {
    return childTarget(this, cosmosDb.resourceTypes.database, database, (r) => ({
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
    return childTarget(this.database(database), cosmosDb.resourceTypes.container, container, (r: ChildResource) => ({
      name: (r as CosmosdbSqlContainer).databaseNameInput,
    }));
  }
}

/** Connections.cosmosDb: the account endpoint, as Functions' Cosmos DB trigger and bindings take it. */
export const cosmosDbConnection = (name: string, account: CosmosDbAccountTarget): IdentityConnection =>
  functionsConnection(name, { accountEndpoint: account.accountEndpoint });
