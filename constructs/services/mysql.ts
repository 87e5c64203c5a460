import { Construct } from "constructs";
import { MysqlFlexibleServer } from "@cdktf/provider-azurerm/lib/mysql-flexible-server";
import { MysqlFlexibleDatabase } from "@cdktf/provider-azurerm/lib/mysql-flexible-database";
import { MysqlFlexibleServerActiveDirectoryAdministrator } from "@cdktf/provider-azurerm/lib/mysql-flexible-server-active-directory-administrator";
import { MysqlFlexibleServerConfiguration } from "@cdktf/provider-azurerm/lib/mysql-flexible-server-configuration";
import { MysqlFlexibleServerFirewallRule } from "@cdktf/provider-azurerm/lib/mysql-flexible-server-firewall-rule";
import type { AuditNeeds } from "../azure/contract/audit";
import { defineService, notApplicable } from "../azure/contract";
import { FLEXIBLE_SERVER_NAME } from "../azure/azure-names";
import { AZURE_SERVICES_RANGE, serverHome } from "../azure/contract/network";
import { dataPlaneRole } from "../azure/role-catalog";
import { isGuid } from "../azure/azure-ids";
import { DatabaseScope } from "../azure/grant";
import { resolveInStack } from "../azure/known-values";
import { IdentityConfigError } from "../core/errors";
import { databaseUsers } from "../grants/database-access";
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

/**
 * MySQL: user names of at most 32 characters (MySQL 5.7.8 and later); identifiers in backticks
 * with a backtick doubled, strings in `'...'` with `'` doubled. A backslash escapes inside a MySQL
 * string unless sql_mode has NO_BACKSLASH_ESCAPES, which no script can count on: no value holding
 * one is written at all. Its own accounts (`root`, `mysql.*`) and Azure's (`azure_superuser`) are
 * on every server.
 */
const MYSQL: DatabaseDialect = {
  system: "mysql",
  engine: "MySQL",
  language: "MySQL",
  maxName: { length: 32, unit: "characters" },
  principalNoun: "user name",
  builtInPrincipals: {
    holder: "server",
    described: "`root`, `mysql.*` and Azure's `azure_*` accounts",
    includes: (lowerCaseName) =>
      lowerCaseName === "root" || lowerCaseName.startsWith("mysql.") || lowerCaseName.startsWith("azure_"),
  },
  quoting: {
    name: (n) => `\`${noBackslash(n).replace(/`/g, "``")}\``,
    text: (t) => `'${noBackslash(t).replace(/'/g, "''")}'`,
  },
  statements: mysqlStatements,
};

function noBackslash(value: string): string {
  if (!value.includes("\\")) return value;
  throw new IdentityConfigError("MySQL statements", {
    problem:
      "A value holds a backslash, which MySQL reads as an escape inside a string unless NO_BACKSLASH_ESCAPES is set",
    value,
    fix: "name the identity and the database without backslashes",
  });
}

/**
 * MySQL database users are created from a client id (`CREATE AADUSER ... IDENTIFIED BY '<client
 * id>'`), which azurerm exports for a user-assigned identity only: a system-assigned one is refused.
 */
const mysqlUsers = databaseUsers(MYSQL);

/**
 * Microsoft's "Microsoft Entra authentication for Azure Database for MySQL" (Permissions): the server
 * reads Entra users through its identity, whose Microsoft Graph rights the library does not grant.
 */
const GRAPH_PERMISSIONS =
  "the server's identity must hold Microsoft Graph's User.Read.All, GroupMember.Read.All and Application.Read.All (or the Directory Readers role), granted by a Privileged Role Administrator or Global Administrator, or CREATE AADUSER fails";

/** The statements read INFORMATION_SCHEMA.USER_ATTRIBUTES and write ALTER USER ... ATTRIBUTE: MySQL 8.0.21 and later. */
const MINIMUM_VERSION = "8.0.21";

/** MySQL's server resources (firewall rules, parameters) name their server by name and resource group. */
const BY_SERVER_NAME = (type: string) => ({
  type,
  nameField: "server_name",
  resourceGroupField: "resource_group_name",
});

/**
 * Microsoft's "Audit logs in Azure Database for MySQL - Flexible Server": audit logs are off by
 * default (audit_log_enabled = ON turns them on) and audit_log_events picks the events; CONNECTION
 * (or CONNECTION_V2) is the one naming who connected to which database. The library does not count
 * on a default: both parameters must be set, by resources certain to exist.
 */
const AUDIT_LOGGING: AuditNeeds = {
  fix: "set the server parameters audit_log_enabled = ON and audit_log_events listing CONNECTION (azurerm_mysql_flexible_server_configuration)",
  unmet(onServer) {
    const parameters = onServer(BY_SERVER_NAME("azurerm_mysql_flexible_server_configuration")).filter((p) => p.certain);
    const valueOf = (name: string) => {
      const value = parameters.find((p) => p.config.name === name)?.config.value;
      return typeof value === "string" ? value.toUpperCase() : undefined;
    };
    const events = (valueOf("audit_log_events") ?? "").split(",").map((e) => e.trim());
    return [
      ...(valueOf("audit_log_enabled") === "ON"
        ? []
        : [
            "its audit_log_enabled parameter is not set to ON (audit logs are off by default), so MySQL writes no audit event",
          ]),
      ...(events.includes("CONNECTION") || events.includes("CONNECTION_V2")
        ? []
        : ["its audit_log_events parameter does not list CONNECTION, so no audit event names the user who connected"]),
    ];
  },
};

/** Azure Database for MySQL flexible server: everything the library knows about it. */
export const mysql = defineService({
  name: "MySQL",
  namespaces: ["Microsoft.DBforMySQL"],
  resourceTypes: {
    server: {
      kind: "MySQL flexible server",
      azureType: "Microsoft.DBforMySQL/flexibleServers",
      terraformType: "azurerm_mysql_flexible_server",
      services: ["MySQL"],
      id: "inResourceGroup",
      name: FLEXIBLE_SERVER_NAME,
    },
    // azurerm_mysql_flexible_database names its server by server_name (and resource_group_name), not by id.
    database: {
      kind: "MySQL database",
      azureType: "Microsoft.DBforMySQL/flexibleServers/databases",
      terraformType: "azurerm_mysql_flexible_database",
      services: ["MySQL"],
      id: { parentName: "server_name", path: "databases" },
      name: { min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/, text: "letters, digits, hyphens and underscores" },
    },
    firewallRule: {
      kind: "MySQL firewall rule",
      azureType: "Microsoft.DBforMySQL/flexibleServers/firewallRules",
      terraformType: "azurerm_mysql_flexible_server_firewall_rule",
      id: { parentName: "server_name", path: "firewallRules" },
    },
    configuration: {
      kind: "MySQL server parameter",
      azureType: "Microsoft.DBforMySQL/flexibleServers/configurations",
      terraformType: "azurerm_mysql_flexible_server_configuration",
      id: { parentName: "server_name", path: "configurations" },
    },
    // parse.FlexibleServerAzureActiveDirectoryAdministratorID: .../flexibleServers/<server>/administrators/<name>
    administrator: {
      kind: "MySQL Entra administrator",
      azureType: "Microsoft.DBforMySQL/flexibleServers/administrators",
      terraformType: "azurerm_mysql_flexible_server_active_directory_administrator",
      id: { parentId: "server_id", path: "administrators" },
    },
  },
  roles: {
    // Privileges on every table of one MySQL database (`GRANT ... ON `db`.*`), for an Entra user of the server.
    MysqlDataReader: dataPlaneRole("mysql", "MySQL data reader", "SELECT", "MySQL"),
    MysqlDataWriter: dataPlaneRole("mysql", "MySQL data writer", "SELECT, INSERT, UPDATE, DELETE", "MySQL"),
  },
  // Database users: ARM cannot create them, so the stack outputs the statements that do.
  authorization: {
    ...mysqlUsers,
    write: (assignment) => {
      if (assignment.identity.kind !== "UserAssigned") {
        throw new IdentityConfigError(assignment.where, {
          problem:
            "A MySQL database user is created from its identity's client id, which azurerm does not export for a system-assigned identity",
          value: assignment.identity.kind,
          fix: "grant a user-assigned identity (UserAssignedIdentity) on the MySQL database",
        });
      }
      return mysqlUsers.write(assignment);
    },
  },
  assignments: notApplicable(
    "its database users are made by the statements a database-access output holds, which the estate reader reads",
  ),
  keys: {
    // azurerm 4.55 mysql_flexible_server_resource.go: administrator_password is Sensitive, _wo WriteOnly.
    secretAttributes: {
      azurerm_mysql_flexible_server: "administrator_password administrator_password_wo",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.DBforMySQL/flexibleServers"],
        logs: {
          // Microsoft's "Audit logs in Azure Database for MySQL - Flexible Server" (concepts-audit-logs):
          // AzureDiagnostics, Category MySqlAuditLogs, user_s the MySQL user, db_s its database.
          kind: "MySQL flexible server",
          categories: ["MySqlAuditLogs"],
          log: {
            table: "AzureDiagnostics",
            where: ['ResourceProvider == "MICROSOFT.DBFORMYSQL"', 'Category == "MySqlAuditLogs"'],
            callerIs: "user_s == {name}",
            operation: "event_subclass_s",
            database: "db_s",
          },
          needs: AUDIT_LOGGING,
          gap: "MySQL's audit log names who connected to which database (CONNECTION events), not what they read or wrote: that needs TABLE_ACCESS or DML in audit_log_events, which the library does not require",
        },
        databaseType: "databases",
      },
    ],
  },
  network: {
    // Microsoft's "Azure Private Endpoint DNS zone values": group mysqlServer.
    privateDnsZones: { mysqlServer: "privatelink.mysql.database.azure.com" },
    targets: [
      {
        terraformType: "azurerm_mysql_flexible_server",
        privateLinkGroup: "mysqlServer",
        // azurerm 4.55: public_network_access is "Enabled" | "Disabled" (Azure's default Enabled).
        publicAccess: { attribute: "public_network_access", disabled: "Disabled" },
        injectedSubnet: "delegated_subnet_id",
        firewallRules: BY_SERVER_NAME("azurerm_mysql_flexible_server_firewall_rule"),
        firewallRuleCommand: "az mysql flexible-server firewall-rule create",
        rules: {
          targetOf: "MysqlServerTarget.of(server)",
          home: (server) =>
            server instanceof MysqlFlexibleServer
              ? serverHome(server, server.publicNetworkAccessInput === "Disabled", server.delegatedSubnetIdInput)
              : undefined,
          allowAzureServices: (scope, id, server) => {
            const home = server.home;
            // By name and resource group, in the provider's subscription: only a server of this stack is surely there.
            if (!(home instanceof MysqlFlexibleServer)) {
              throw new IdentityConfigError(scope, {
                problem:
                  "A MySQL firewall rule names its server by name and resource group, in the stack's subscription: it is written here only for a server of this stack",
                value: server.resourceId.id,
                fix: "pass MysqlServerTarget.of(server) for the azurerm_mysql_flexible_server this stack creates, or add the rule in the server's own stack",
              });
            }
            // Named as PostgreSQL's portal names its rule, so a rule listing says what it is.
            return new MysqlFlexibleServerFirewallRule(scope, id, {
              serverName: home.name,
              resourceGroupName: home.resourceGroupName,
              ...AZURE_SERVICES_RANGE,
              name: "AllowAllAzureServicesAndResourcesWithinAzureIps",
            });
          },
        },
      },
    ],
  },
  // The server's identity block takes user-assigned identities only: nothing computed to mock.
  mocks: {},
});

// @targets
const serverParent = (r: ChildResource) => ({ name: (r as MysqlFlexibleDatabase).serverNameInput });

/** The Entra group that administers the server, and the server identity that reads Microsoft Graph. */
export interface MysqlEntraAdministratorProps {
  /** The database admins' Entra group: its object id (a literal GUID) and its display name, the login. */
  readonly group: { readonly objectId: string; readonly login: string };
  /**
   * A user-assigned identity in the server's identity block: Azure reads Entra users through it.
   * It needs Microsoft Graph's User.Read.All, GroupMember.Read.All and Application.Read.All (or the
   * Directory Readers role), which only a Privileged Role Administrator grants, outside Terraform.
   */
  readonly serverIdentityId: string;
}

/**
 * An Azure Database for MySQL flexible server, for its databases. Like Azure SQL and PostgreSQL,
 * a grant becomes statements in the stack's output: `CREATE AADUSER` from the identity's client
 * id, run by the server's Entra administrator, then the privileges on the database.
 */
export class MysqlServerTarget extends targetOfKind<"MySQL", MysqlFlexibleServer>(mysql.resourceTypes.server, mysql) {
  get fqdn(): string {
    return `${this.resourceId.name}.mysql.database.azure.com`;
  }

  /** Every table of one database. */
  database(database: string | MysqlFlexibleDatabase): GrantTarget<"MySQL"> {
    const dbName = childName(this.label, database);
    // GRANT reads `_` and `%` in a database name as wildcards (unless partial_revokes is on).
    if (/[_%]/.test(dbName)) {
      throw new IdentityConfigError(this.label, {
        problem:
          "MySQL reads `_` and `%` in a database name in GRANT as wildcards: the grant would reach other databases",
        value: dbName,
        fix: "grant on a MySQL database whose name has letters, digits and hyphens only",
      });
    }
    requireDatabasePrincipalName(this.label, MYSQL.system, dbName, "database");
    const prerequisites = [
      GRAPH_PERMISSIONS,
      ...(this.versionKnownRecent() ? [] : [`the server must run MySQL ${MINIMUM_VERSION} or later`]),
    ];
    return childTarget(
      this,
      mysql.resourceTypes.database,
      database,
      serverParent,
      this.dataPlane && { ...this.dataPlane, database: { name: dbName, host: this.fqdn, prerequisites } },
    );
  }

  /** Whether the server's version is written literally, as one the statements run on; a literal 5.7 is refused. */
  private versionKnownRecent(): boolean {
    const server = this.home;
    if (!(server instanceof MysqlFlexibleServer) || server.versionInput === undefined) return false;
    const written = resolveInStack(server, server.versionInput);
    if (written.includes("${")) return false;
    if (written.startsWith("5.")) {
      throw new IdentityConfigError(server, {
        problem: `The MySQL statements read INFORMATION_SCHEMA.USER_ATTRIBUTES and write ALTER USER ... ATTRIBUTE, which MySQL has from ${MINIMUM_VERSION}`,
        value: written,
        fix: `set the server's version to "${MINIMUM_VERSION}" or "8.4"`,
      });
    }
    return true;
  }

  /**
   * Makes the server's Entra administrator the database admins' group and turns off MySQL
   * passwords (server parameter aad_auth_only = ON): azurerm 4.55 has no authentication block
   * for a MySQL flexible server, and its administrator password stays required at create.
   */
  entraAdministrator(scope: Construct, id: string, props: MysqlEntraAdministratorProps): Construct {
    const server = this.home;
    if (!(server instanceof MysqlFlexibleServer)) {
      throw new IdentityConfigError(scope, {
        problem: "The MySQL server's Entra administrator is set here only for a server of this stack",
        value: this.resourceId.id,
        fix: "pass MysqlServerTarget.of(server) for the azurerm_mysql_flexible_server this stack creates",
      });
    }
    const host = new Construct(scope, id);
    const { objectId, login } = props.group;
    if (typeof objectId !== "string" || !isGuid(objectId) || typeof login !== "string" || login.trim() === "") {
      throw new IdentityConfigError(host, {
        problem: "The MySQL Entra administrator must be a group named by its literal object id and its display name",
        value: { objectId: resolveInStack(host, String(objectId)), login: resolveInStack(host, String(login)) },
        fix: "pass the database admins' group: { objectId: <its object id GUID>, login: <its display name> }",
      });
    }
    const ids = server.identityInput?.identityIds ?? [];
    const serverIdentity = resolveInStack(host, props.serverIdentityId);
    if (!ids.some((i) => resolveInStack(host, i) === serverIdentity)) {
      throw new IdentityConfigError(host, {
        problem: "Microsoft Entra authentication on MySQL needs the server identity in the server's identity block",
        value: serverIdentity,
        fix: 'add the identity to identity { type = "UserAssigned", identity_ids } of the MySQL server',
      });
    }
    const tenantId = this.tenantId;
    if (tenantId === undefined) {
      throw new IdentityConfigError(host, {
        problem: "The MySQL Entra administrator names its tenant, and the server's target has none",
        value: this.resourceId.id,
        fix: "call configureIdentityStack(stack, { subscriptionId, tenantId, guardrails }) on the server's stack",
      });
    }
    const administrator = new MysqlFlexibleServerActiveDirectoryAdministrator(host, "administrator", {
      serverId: server.id,
      identityId: props.serverIdentityId,
      login,
      objectId,
      tenantId,
    });
    // Both write the server: Entra-only sign-in landing before its administrator would lock everyone out.
    new MysqlFlexibleServerConfiguration(host, "entra-only", {
      name: "aad_auth_only",
      value: "ON",
      serverName: server.name,
      resourceGroupName: server.resourceGroupName,
      dependsOn: [administrator],
    });
    return host;
  }
}

const PREPARED = "grant_step";

/**
 * Runs `statement` when `condition` holds, else nothing: MySQL has no IF outside stored programs.
 * Only for statements MySQL prepares (its "SQL Syntax Permitted in Prepared Statements": DROP USER is).
 */
function runIf(condition: Statement, statement: Statement): Statement[] {
  return [
    sql`SET @grant_sql = IF(${condition}, ${text(render(MYSQL, statement))}, 'DO 0');`,
    sql`PREPARE ${name(PREPARED)} FROM @grant_sql;`,
    sql`EXECUTE ${name(PREPARED)};`,
    sql`DEALLOCATE PREPARE ${name(PREPARED)};`,
  ];
}

const CLIENT_ID_ATTRIBUTE = "entra_client_id";

/** A user of that name (at `%`) that these statements did not create for this client id, which they record as a user attribute. */
function mysqlStaleUser(user: DatabaseUser & { clientId: string }): Statement {
  return sql`EXISTS (SELECT 1 FROM mysql.user AS u WHERE u.User = ${text(user.name)} AND u.Host = '%' AND NOT EXISTS (SELECT 1 FROM information_schema.USER_ATTRIBUTES AS a WHERE a.USER = u.User AND a.HOST = u.Host AND LOWER(JSON_UNQUOTE(JSON_EXTRACT(a.ATTRIBUTE, ${text(`$.${CLIENT_ID_ATTRIBUTE}`)}))) = ${id(user.clientId)}))`;
}

function requireClientId(user: DatabaseUser): DatabaseUser & { clientId: string } {
  if (user.clientId !== undefined) return user as DatabaseUser & { clientId: string };
  throw new IdentityConfigError("MySQL statements", {
    problem: `Database user ${user.name} has no client id, from which MySQL creates an Entra user`,
    value: user.name,
    fix: "grant a user-assigned identity on the MySQL database",
  });
}

/**
 * MySQL, in one step: as Microsoft's samples do before creating a user from a managed identity's
 * client id, aad_auth_validate_oids_in_tenant is set OFF (as they write it); then per user, a
 * same-named user of another principal is dropped; the Entra user is created from the client id
 * when missing (`CREATE AADUSER IF NOT EXISTS`, as Azure's release notes name it, not prepared), and
 * the client id recorded on it (INFORMATION_SCHEMA USER_ATTRIBUTES: MySQL 8.0.21 and later); then
 * the privileges on every table of the database. Each statement checks first, so the script can
 * run again; the client stops at the first error, so when a drop fails nothing after it is granted.
 */
function mysqlStatements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[] {
  const statements = users.map(requireClientId).flatMap((user) => {
    const granted = PRIVILEGES.filter((p) => new Set(user.roles.flatMap((r) => r.definition.split(", "))).has(p));
    return [
      ...runIf(mysqlStaleUser(user), sql`DROP USER ${text(user.name)}@'%'`),
      // A user left of that name carries this client id, which these statements recorded on it.
      sql`CREATE AADUSER IF NOT EXISTS ${text(user.name)} IDENTIFIED BY ${id(user.clientId)};`,
      sql`ALTER USER ${text(user.name)}@'%' ATTRIBUTE ${text(JSON.stringify({ [CLIENT_ID_ATTRIBUTE]: user.clientId }))};`,
      sql`GRANT ${privileges(granted)} ON ${name(database.name)}.* TO ${text(user.name)}@'%';`,
    ];
  });
  return [
    {
      database: database.name,
      statements: [sql`SET aad_auth_validate_oids_in_tenant = OFF;`, ...statements]
        .map((s) => render(MYSQL, s))
        .join("\n"),
    },
  ];
}
