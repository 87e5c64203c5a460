import { defineService, notApplicable } from "../azure/contract";
import { MssqlVirtualNetworkRule } from "@cdktf/provider-azurerm/lib/mssql-virtual-network-rule";
import { MssqlFirewallRule } from "@cdktf/provider-azurerm/lib/mssql-firewall-rule";
import { dataPlaneRole } from "../azure/role-catalog";
import { LOWER_ALNUM_HYPHEN_INSIDE, NO_TRAILING_PERIOD } from "../azure/azure-names";
import { AZURE_SERVICES_RANGE, serverHome } from "../azure/contract/network";
import { MssqlServerExtendedAuditingPolicy } from "@cdktf/provider-azurerm/lib/mssql-server-extended-auditing-policy";
import type { AuditNeeds } from "../azure/contract/audit";
import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { MssqlDatabase } from "@cdktf/provider-azurerm/lib/mssql-database";
import { DatabaseScope } from "../azure/grant";
import { databaseUsers } from "../grants/database-access";
import {
  DatabaseDialect,
  DatabaseUser,
  id,
  name,
  render,
  Statement,
  StatementStep,
  sql as tsql,
  text,
} from "../azure/database-statements";
import { ChildResource, childName, childTarget, GrantTarget, targetOfKind } from "../grants/targets";
import { databaseConnection, IdentityConnection } from "../grants/identity-connection";

/** Whether a Terraform boolean is true (as Terraform converts `"true"` and `"1"`), or left to its default of true. */
const onByDefault = (value: unknown) => value === undefined || value === true || value === "true" || value === "1";

/** The server's auditing policy must send to Azure Monitor: the diagnostic setting alone records nothing. */
const SERVER_AUDITING: AuditNeeds = {
  fix: "add an azurerm_mssql_server_extended_auditing_policy with log_monitoring_enabled = true",
  unmet(onServer) {
    const policies = onServer({ type: "azurerm_mssql_server_extended_auditing_policy", field: "server_id" }).filter(
      (p) => p.certain,
    );
    const sending = policies.filter(
      (p) => onByDefault(p.config.enabled) && onByDefault(p.config.log_monitoring_enabled),
    );
    if (sending.length === 0) {
      return [
        policies.length === 0
          ? "no server auditing policy (azurerm_mssql_server_extended_auditing_policy) sends its audit to Azure Monitor"
          : "its auditing policy is off or does not send to Azure Monitor (enabled and log_monitoring_enabled must be true)",
      ];
    }
    // Left unset, the policy audits BATCH_COMPLETED_GROUP: every statement, with its database user.
    const groups = sending[0].config.audit_actions_and_groups;
    const statements =
      groups === undefined || (Array.isArray(groups) && groups.includes("BATCH_COMPLETED_GROUP"))
        ? []
        : [
            "its auditing policy's audit_actions_and_groups leaves out BATCH_COMPLETED_GROUP, so no statement is audited",
          ];
    const filtered =
      sending[0].config.predicate_expression === undefined
        ? []
        : ["its auditing policy filters events (predicate_expression), which can leave out any identity"];
    return [...statements, ...filtered];
  },
  write(scope, id, serverId, setting) {
    // Server auditing to Azure Monitor, sent on by the master database's setting (Microsoft's order).
    new MssqlServerExtendedAuditingPolicy(scope, `${id}-auditing`, {
      serverId,
      logMonitoringEnabled: true,
      dependsOn: [setting],
    });
  },
};

/**
 * T-SQL: names are sysname (128 characters); `[...]` with `]` doubled, `N'...'` with `'` doubled.
 * Its fixed principals and roles are in every database.
 */
const TSQL: DatabaseDialect = {
  system: "azure-sql",
  engine: "SQL",
  language: "T-SQL",
  maxName: { length: 128, unit: "characters" },
  principalNoun: "user name",
  builtInPrincipals: {
    holder: "database",
    described: "`public`, `dbo`, `guest`, `sys`, `INFORMATION_SCHEMA` and the fixed roles",
    includes: (lowerCaseName) => SQL_BUILT_IN_PRINCIPALS.has(lowerCaseName),
  },
  quoting: { name: (n) => `[${n.replace(/]/g, "]]")}]`, text: (t) => `N'${t.replace(/'/g, "''")}'` },
  statements: sqlStatements,
};
const SQL_BUILT_IN_PRINCIPALS: ReadonlySet<string> = new Set([
  "public",
  "dbo",
  "guest",
  "sys",
  "information_schema",
  "dbmanager",
  "loginmanager",
  ...["owner", "accessadmin", "securityadmin", "ddladmin", "backupoperator"].map((r) => `db_${r}`),
  ...["datareader", "datawriter", "denydatareader", "denydatawriter"].map((r) => `db_${r}`),
]);

/** Azure SQL: everything the library knows about it. */
export const sql = defineService({
  name: "Azure SQL",
  namespaces: ["Microsoft.Sql"],
  resourceTypes: {
    server: {
      kind: "Azure SQL server",
      azureType: "Microsoft.Sql/servers",
      terraformType: "azurerm_mssql_server",
      services: ["Azure SQL"],
      id: "inResourceGroup",
      name: {
        min: 1,
        max: 63,
        pattern: LOWER_ALNUM_HYPHEN_INSIDE,
        text: "lowercase letters, digits and hyphens; does not start or end with a hyphen",
      },
    },
    database: {
      kind: "Azure SQL database",
      azureType: "Microsoft.Sql/servers/databases",
      terraformType: "azurerm_mssql_database",
      services: ["Azure SQL"],
      id: { parentId: "server_id", path: "databases" },
      // Azure allows more (anything but <>*%&:\/? and control characters, not ending with a period or space).
      name: {
        min: 1,
        max: 128,
        pattern: NO_TRAILING_PERIOD,
        text: "letters, digits, underscores, hyphens, periods and parentheses; does not end with a period",
      },
    },
    firewallRule: {
      kind: "Azure SQL firewall rule",
      azureType: "Microsoft.Sql/servers/firewallRules",
      terraformType: "azurerm_mssql_firewall_rule",
      id: { path: "firewallRules" },
    },
    virtualNetworkRule: {
      kind: "Azure SQL virtual network rule",
      azureType: "Microsoft.Sql/servers/virtualNetworkRules",
      terraformType: "azurerm_mssql_virtual_network_rule",
      id: { path: "virtualNetworkRules" },
    },
    auditingPolicy: {
      kind: "Azure SQL auditing policy",
      azureType: "Microsoft.Sql/servers/extendedAuditingSettings",
      terraformType: "azurerm_mssql_server_extended_auditing_policy",
      id: { path: "extendedAuditingSettings" },
    },
  },
  roles: {
    // Database roles a contained Entra user of an Azure SQL database is added to.
    SqlDataReader: dataPlaneRole("azure-sql", "SQL db_datareader", "db_datareader", "Azure SQL"),
    SqlDataWriter: dataPlaneRole("azure-sql", "SQL db_datawriter", "db_datawriter", "Azure SQL"),
  },
  // Database users: ARM cannot create them, so the stack outputs the statements that do.
  authorization: databaseUsers(TSQL),
  assignments: notApplicable(
    "its database users are made by the statements a database-access output holds, which the estate reader reads",
  ),
  keys: {
    secretAttributes: {
      azurerm_mssql_database:
        "import.administrator_login_password import.storage_key threat_detection_policy.storage_account_access_key",
      azurerm_mssql_server: "administrator_login_password administrator_login_password_wo",
      azurerm_mssql_server_extended_auditing_policy: "storage_account_access_key storage_account_subscription_id",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.Sql/servers"],
        logs: {
          kind: "Azure SQL server",
          categories: ["SQLSecurityAuditEvents"],
          needs: SERVER_AUDITING,
          log: {
            table: "AzureDiagnostics",
            where: ['Category == "SQLSecurityAuditEvents"'],
            // The database user the statements create is named after the identity.
            callerIs: "database_principal_name_s == {name}",
            operation: "action_name_s",
            database: "database_name_s",
          },
        },
        // Server auditing reaches Log Analytics through the master database's diagnostic setting.
        settingOn: "/databases/master",
        databaseType: "databases",
      },
    ],
  },
  network: {
    privateDnsZones: { sqlServer: "privatelink.database.windows.net" },
    targets: [
      {
        terraformType: "azurerm_mssql_server",
        privateLinkGroup: "sqlServer",
        serviceEndpoint: "Microsoft.Sql",
        firewallRules: { type: "azurerm_mssql_firewall_rule", field: "server_id" },
        virtualNetworkRules: { type: "azurerm_mssql_virtual_network_rule", field: "server_id" },
        firewallRuleCommand: "az sql server firewall-rule create",
        rules: {
          targetOf: "SqlServerTarget.of(server)",
          home: (server) =>
            server instanceof MssqlServer
              ? serverHome(server, server.publicNetworkAccessEnabledInput === false)
              : undefined,
          // The name the portal gives the rule, so `az sql server firewall-rule list` shows what it is.
          allowAzureServices: (scope, id, server) =>
            new MssqlFirewallRule(scope, id, {
              serverId: server.scopeReference,
              ...AZURE_SERVICES_RANGE,
              name: "AllowAllWindowsAzureIps",
            }),
          virtualNetworkRule: (scope, id, rule) =>
            new MssqlVirtualNetworkRule(scope, id, {
              name: rule.name,
              serverId: rule.targetId,
              subnetId: rule.subnetId,
            }),
        },
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_mssql_server"],
    // The server's one policy: parse.ServerExtendedAuditingPolicyID expects the name `default`.
    ids: {
      azurerm_mssql_server_extended_auditing_policy: (w) =>
        `${w.armId("Microsoft.Sql/servers")}/extendedAuditingSettings/default`,
    },
  },
});

// @targets
const serverParent = (r: ChildResource) => ({ id: (r as MssqlDatabase).serverIdInput });

/**
 * An Azure SQL logical server, for its databases. A database user is not an ARM resource: a grant
 * on `server.database(db)` adds the identity's `CREATE USER ... FROM EXTERNAL PROVIDER` and role
 * memberships to the stack's `database-access-<server>-<db>` output, which the server's Entra
 * administrator runs once after apply. Guardrail IG029 requires Entra-only authentication.
 */
export class SqlServerTarget extends targetOfKind<"Azure SQL", MssqlServer>(sql.resourceTypes.server, sql) {
  get fullyQualifiedDomainName(): string {
    return `${this.resourceId.name}.database.windows.net`;
  }

  /** One database: contained users and their roles live in it. */
  database(database: string | MssqlDatabase): GrantTarget<"Azure SQL"> {
    const dbName = childName(this.label, database);
    return childTarget(
      this,
      sql.resourceTypes.database,
      database,
      serverParent,
      this.dataPlane && { ...this.dataPlane, database: { name: dbName, host: this.fullyQualifiedDomainName } },
    );
  }
}

/** Connections.sqlDatabase: a Microsoft.Data.SqlClient connection string that holds no secret. */
export const sqlDatabaseConnection = (setting: string, database: GrantTarget<"Azure SQL">): IdentityConnection =>
  databaseConnection(setting, database, ({ host, name: db }, _identity, clientId) => ({
    [setting]: `Server=tcp:${host},1433;Database=${db};Authentication=Active Directory Managed Identity;Encrypt=True;${clientId ? `User Id=${clientId};` : ""}`,
  }));

/**
 * A same-named user that is not this identity: for a user-assigned identity, one whose SID is not
 * the identity's client id (Azure SQL stores an Entra application's SID from its client id); for a
 * system-assigned identity, whose client id azurerm does not export, one not created by these
 * statements for this object id (they record it on the user as an extended property).
 */
function sqlStaleUser(user: DatabaseUser): Statement {
  return user.clientId === undefined
    ? tsql`SELECT 1 FROM sys.database_principals AS p WHERE p.name = ${text(user.name)} AND NOT EXISTS (SELECT 1 FROM sys.extended_properties AS e WHERE e.class = 4 AND e.major_id = p.principal_id AND e.name = ${text(OBJECT_ID_PROPERTY)} AND CAST(e.value AS nvarchar(36)) = ${id(user.principalId)})`
    : tsql`SELECT 1 FROM sys.database_principals WHERE name = ${text(user.name)} AND sid <> CAST(CAST(${id(user.clientId)} AS uniqueidentifier) AS varbinary(16))`;
}
const OBJECT_ID_PROPERTY = "entra_object_id";

/**
 * T-SQL for a contained Entra user per identity, by object id (display names are not unique in
 * Entra), and its database roles. A same-named user of another principal is reported and dropped
 * first, never granted; each statement checks first, so the script can run again.
 */
function sqlStatements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[] {
  const statements = users.flatMap((user) => {
    const who = name(user.name);
    return [
      tsql`IF EXISTS (${sqlStaleUser(user)})
BEGIN
    PRINT ${text(`Replacing database user ${user.name}: it is not this identity's principal`)};
    DROP USER ${who};
END;
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = ${text(user.name)})
BEGIN
    CREATE USER ${who} FROM EXTERNAL PROVIDER WITH OBJECT_ID = ${id(user.principalId)};
    EXEC sys.sp_addextendedproperty @name = ${text(OBJECT_ID_PROPERTY)}, @value = ${id(user.principalId)}, @level0type = N'USER', @level0name = ${text(user.name)};
END;`,
      ...user.roles.map(
        // Not while a user of another principal keeps the name (its drop failed: it owns objects,
        // or it is a role a DBA made): the role would reach that principal, or that role's members.
        (
          role,
        ) => tsql`IF IS_ROLEMEMBER(${text(role.definition)}, ${text(user.name)}) = 0 AND NOT EXISTS (${sqlStaleUser(user)})
    ALTER ROLE ${name(role.definition)} ADD MEMBER ${who};`,
      ),
    ];
  });
  return [{ database: database.name, statements: statements.map((s) => render(TSQL, s)).join("\n") }];
}
