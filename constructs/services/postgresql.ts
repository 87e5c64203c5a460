import { defineService, notApplicable } from "../azure/contract";
import { FLEXIBLE_SERVER_NAME } from "../azure/azure-names";
import { AZURE_SERVICES_RANGE, serverHome } from "../azure/contract/network";
import { PostgresqlFlexibleServerFirewallRule } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-firewall-rule";
import { dataPlaneRole } from "../azure/role-catalog";
import type { AuditNeeds } from "../azure/contract/audit";
import { PostgresqlFlexibleServer } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server";
import { PostgresqlFlexibleServerDatabase } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-database";
import { DatabaseScope } from "../azure/grant";
import { DataPlaneRoleDefinition } from "../azure/role-catalog";
import { databaseUsers } from "../grants/database-access";
import { principalDisplayName } from "../grants/principal-name";
import {
  DatabaseDialect,
  DatabaseUser,
  id,
  name,
  PRIVILEGES,
  privileges,
  render,
  requireDatabasePrincipalName,
  sql,
  Statement,
  StatementStep,
  text,
} from "../azure/database-statements";
import { ChildResource, childName, childTarget, GrantTarget, targetOfKind } from "../grants/targets";
import { databaseConnection, IdentityConnection } from "../grants/identity-connection";

/** PostgreSQL's spellings of a boolean `on`. */
const POSTGRES_ON = new Set(["on", "true", "yes", "1"]);

/** Connections name their user only while log_connections stays on (its default). */
const CONNECTION_LOGGING: AuditNeeds = {
  fix: "keep log_connections on",
  unmet: (onServer) =>
    onServer({ type: "azurerm_postgresql_flexible_server_configuration", field: "server_id" }).some(
      ({ config: c }) =>
        c.name === "log_connections" && !(typeof c.value === "string" && POSTGRES_ON.has(c.value.toLowerCase())),
    )
      ? ["its log_connections parameter is set to other than on, so no connection names its user"]
      : [],
};

/**
 * PostgreSQL: names of at most 63 bytes (it truncates longer ones); `"..."` with `"` doubled,
 * `'...'` with `'` doubled (backslashes are literal: standard_conforming_strings is on, the
 * default since PostgreSQL 9.1 and on Azure). It reads `"public"` in GRANT as PUBLIC (every role),
 * reserves `none` and `pg_*` (its predefined roles), and Azure adds its administrator and
 * superuser roles. Privileges cover one schema of a database.
 */
const POSTGRES: DatabaseDialect = {
  system: "postgresql",
  engine: "PostgreSQL",
  language: "SQL",
  maxName: { length: 63, unit: "bytes" },
  principalNoun: "role name",
  builtInPrincipals: {
    holder: "server",
    described: "`public`, `none`, `pg_*` and Azure's own roles",
    includes: (lowerCaseName) => PG_BUILT_IN_PRINCIPALS.has(lowerCaseName) || lowerCaseName.startsWith("pg_"),
  },
  defaultSchema: "public",
  quoting: { name: (n) => `"${n.replace(/"/g, '""')}"`, text: (t) => `'${t.replace(/'/g, "''")}'` },
  statements: postgresStatements,
};
const PG_BUILT_IN_PRINCIPALS: ReadonlySet<string> = new Set([
  "public",
  "none",
  "azure_pg_admin",
  "azuresu",
  "azure_superuser",
  "replication",
]);

/** PostgreSQL: everything the library knows about it. */
export const postgresql = defineService({
  name: "PostgreSQL",
  namespaces: ["Microsoft.DBforPostgreSQL"],
  resourceTypes: {
    server: {
      kind: "PostgreSQL flexible server",
      azureType: "Microsoft.DBforPostgreSQL/flexibleServers",
      terraformType: "azurerm_postgresql_flexible_server",
      services: ["PostgreSQL"],
      id: "inResourceGroup",
      name: FLEXIBLE_SERVER_NAME,
    },
    database: {
      kind: "PostgreSQL database",
      azureType: "Microsoft.DBforPostgreSQL/flexibleServers/databases",
      terraformType: "azurerm_postgresql_flexible_server_database",
      services: ["PostgreSQL"],
      id: { parentId: "server_id", path: "databases" },
      name: { min: 1, max: 63, pattern: /^[A-Za-z0-9_-]+$/, text: "letters, digits, hyphens and underscores" },
    },
    // Where table privileges are granted: one schema of a database. Not an ARM resource: an
    // identifier in the database, named in the statements the stack outputs.
    schema: {
      kind: "PostgreSQL schema",
      azureType: "Microsoft.DBforPostgreSQL/flexibleServers/databases/schemas",
      services: ["PostgreSQL"],
      id: { path: "schemas" },
      name: {
        min: 1,
        max: 63,
        pattern: /^[A-Za-z_][A-Za-z0-9_$]*$/,
        text: "letters, digits, underscores and $; starts with a letter or underscore",
      },
    },
    firewallRule: {
      kind: "PostgreSQL firewall rule",
      azureType: "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
      terraformType: "azurerm_postgresql_flexible_server_firewall_rule",
      id: { path: "firewallRules" },
    },
    administrator: {
      kind: "PostgreSQL Entra administrator",
      azureType: "Microsoft.DBforPostgreSQL/flexibleServers/administrators",
      terraformType: "azurerm_postgresql_flexible_server_active_directory_administrator",
      id: { path: "administrators" },
    },
  },
  roles: {
    // Table privileges on one schema of a PostgreSQL database, for an Entra role of the server.
    PostgresTableReader: dataPlaneRole("postgresql", "PostgreSQL table reader", "SELECT", "PostgreSQL"),
    PostgresTableWriter: dataPlaneRole(
      "postgresql",
      "PostgreSQL table writer",
      "SELECT, INSERT, UPDATE, DELETE",
      "PostgreSQL",
    ),
  },
  // Database roles: ARM cannot create them, so the stack outputs the statements that do.
  authorization: databaseUsers(POSTGRES),
  assignments: notApplicable(
    "its database users are made by the statements a database-access output holds, which the estate reader reads",
  ),
  keys: {
    secretAttributes: {
      azurerm_postgresql_flexible_server: "administrator_password",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.DBforPostgreSQL/flexibleServers"],
        logs: {
          kind: "PostgreSQL flexible server",
          categories: ["PostgreSQLLogs"],
          needs: CONNECTION_LOGGING,
          log: {
            table: "AzureDiagnostics",
            where: [
              'ResourceProvider == "MICROSOFT.DBFORPOSTGRESQL"',
              'Category == "PostgreSQLLogs"',
              'Message has "connection authorized"',
            ],
            callerIs: 'extract(@"user=(\\S+)", 1, Message) == {name}',
            operation: "OperationName",
            database: 'extract(@"database=(\\S+)", 1, Message)',
          },
          gap: "PostgreSQL logs who connected to which database (log_connections, on by default), not what they read or wrote: statements need pgaudit (shared_preload_libraries, pgaudit.log), which the library does not set",
        },
        databaseType: "databases",
      },
    ],
  },
  network: {
    privateDnsZones: { postgresqlServer: "privatelink.postgres.database.azure.com" },
    targets: [
      {
        terraformType: "azurerm_postgresql_flexible_server",
        privateLinkGroup: "postgresqlServer",
        injectedSubnet: "delegated_subnet_id",
        // No virtual network rules: a flexible server takes a private endpoint or VNet injection.
        firewallRules: { type: "azurerm_postgresql_flexible_server_firewall_rule", field: "server_id" },
        firewallRuleCommand: "az postgres flexible-server firewall-rule create",
        rules: {
          targetOf: "PostgresServerTarget.of(server)",
          home: (server) =>
            server instanceof PostgresqlFlexibleServer
              ? serverHome(server, server.publicNetworkAccessEnabledInput === false, server.delegatedSubnetIdInput)
              : undefined,
          // The name the portal gives the rule, so `az postgres flexible-server firewall-rule list` shows what it is.
          allowAzureServices: (scope, id, server) =>
            new PostgresqlFlexibleServerFirewallRule(scope, id, {
              serverId: server.scopeReference,
              ...AZURE_SERVICES_RANGE,
              name: "AllowAllAzureServicesAndResourcesWithinAzureIps",
            }),
        },
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_postgresql_flexible_server"],
  },
});

// @targets
const serverParent = (r: ChildResource) => ({ id: (r as PostgresqlFlexibleServerDatabase).serverIdInput });

/**
 * A PostgreSQL flexible server, for one schema of one of its databases. Like Azure SQL, the grant
 * becomes statements in the stack's output: `pgaadauth_create_principal_with_oid` in `postgres`,
 * then the table privileges on the schema. Guardrail IG029 requires Entra authentication only.
 */
export class PostgresServerTarget extends targetOfKind<"PostgreSQL", PostgresqlFlexibleServer>(
  postgresql.resourceTypes.server,
  postgresql,
) {
  get fqdn(): string {
    return `${this.resourceId.name}.postgres.database.azure.com`;
  }

  /** The tables of one schema (`public` unless named) of one database. */
  database(database: string | PostgresqlFlexibleServerDatabase, schema = "public"): GrantTarget<"PostgreSQL"> {
    const dbName = childName(this.label, database);
    const db = childTarget(this, postgresql.resourceTypes.database, database, serverParent);
    requireDatabasePrincipalName(db.label, POSTGRES.system, schema, "schema");
    return childTarget(
      db,
      postgresql.resourceTypes.schema,
      schema,
      undefined,
      this.dataPlane && { ...this.dataPlane, database: { name: dbName, host: this.fqdn, schema } },
    );
  }
}

/** Connections.postgres: host, database and user (the Entra role the statements create), no password. */
export const postgresConnection = (setting: string, database: GrantTarget<"PostgreSQL">): IdentityConnection =>
  databaseConnection(setting, database, ({ host, name: db }, identity, clientId) => ({
    [`${setting}__host`]: host,
    [`${setting}__database`]: db,
    [`${setting}__user`]: principalDisplayName(identity),
    ...(clientId ? { [`${setting}__clientId`]: clientId } : {}),
  }));

/**
 * A PostgreSQL `DO` block whose dollar-quote tag does not occur in its body, so nothing in the
 * body can close it: names and messages are quoted strings or identifiers, and ids are hex
 * digits (a reference, until apply, holds no `$` either).
 */
function doBlock(body: string): string {
  let tag = "grant";
  for (let n = 1; body.includes(`$${tag}$`); n++) tag = `grant_${n}`;
  return `DO $${tag}$\nBEGIN\n${body}\nEND\n$${tag}$;`;
}

function privilegesOf(roles: readonly DataPlaneRoleDefinition[]) {
  const granted = new Set(roles.flatMap((r) => r.definition.split(", ")));
  return PRIVILEGES.filter((p) => granted.has(p));
}

/**
 * A role of that name mapped to another Entra object, or to none: Azure keeps each role's object
 * id in its `pgaadauth` security label (`aadauth,oid=<object id>,type=...`), a shared catalog
 * readable from every database.
 */
function pgStaleRole(user: DatabaseUser): Statement {
  return sql`EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = ${text(user.name)} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_shseclabel AS l WHERE l.objoid = r.oid AND l.classoid = 'pg_catalog.pg_authid'::regclass AND l.provider = 'pgaadauth' AND position(',oid=' || lower(${id(user.principalId)}) || ',' IN ',' || lower(l.label) || ',') > 0))`;
}

/**
 * PostgreSQL, in three steps. A role of the identity's name that is mapped to another Entra
 * object loses what these statements grant in the database, then is dropped in `postgres`
 * (DROP ROLE refuses while it holds privileges anywhere, and reports where). The Entra role is
 * made once per server, in `postgres`, by object id, only when missing: a SELECT, no DO block.
 * Then the privileges: on the schema's tables now and later (created by the role that runs the
 * script), and, for writers, on its sequences, which serial and identity columns draw from.
 */
function postgresStatements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[] {
  const schema = name(database.schema ?? "public");
  const db = name(database.name);
  const pg = (s: Statement) => render(POSTGRES, s);
  const revoke = users.map(
    (user) => sql`  IF ${pgStaleRole(user)} THEN
    RAISE NOTICE 'Role % is mapped to another Entra object: revoking its privileges here before it is replaced', ${text(user.name)};
    REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${name(user.name)};
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${name(user.name)};
    ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${name(user.name)};
    ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON SEQUENCES FROM ${name(user.name)};
    REVOKE ALL ON SCHEMA ${schema} FROM ${name(user.name)};
    REVOKE ALL ON DATABASE ${db} FROM ${name(user.name)};
  END IF;`,
  );
  const drop = users.map(
    (user) => sql`  IF ${pgStaleRole(user)} THEN
    RAISE NOTICE 'Dropping role %: it is mapped to another Entra object', ${text(user.name)};
    DROP ROLE ${name(user.name)};
  END IF;`,
  );
  const create = users.map(
    (user) =>
      sql`SELECT pg_catalog.pgaadauth_create_principal_with_oid(${text(user.name)}, ${id(user.principalId)}, 'service', false, false)
  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${text(user.name)});`,
  );
  const grants = users.flatMap((user) => {
    const who = name(user.name);
    const granted = privileges(privilegesOf(user.roles));
    const writes = privilegesOf(user.roles).some((p) => p !== "SELECT");
    return [
      // A role of the name still mapped to another object (its drop failed) stops the block, which
      // then grants nothing to anyone: privileges never reach a principal that is not the identity.
      sql`  IF ${pgStaleRole(user)} THEN
    RAISE EXCEPTION 'Role % is mapped to another Entra object and was not replaced: nothing granted', ${text(user.name)};
  END IF;`,
      sql`  GRANT CONNECT ON DATABASE ${db} TO ${who};`,
      sql`  GRANT USAGE ON SCHEMA ${schema} TO ${who};`,
      sql`  GRANT ${granted} ON ALL TABLES IN SCHEMA ${schema} TO ${who};`,
      sql`  ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${granted} ON TABLES TO ${who};`,
      ...(writes
        ? [
            sql`  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${who};`,
            sql`  ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${who};`,
          ]
        : []),
    ];
  });
  return [
    { database: database.name, statements: doBlock(revoke.map(pg).join("\n")) },
    { database: "postgres", statements: [doBlock(drop.map(pg).join("\n")), ...create.map(pg)].join("\n") },
    { database: database.name, statements: doBlock(grants.map(pg).join("\n")) },
  ];
}
