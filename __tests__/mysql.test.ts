/**
 * Azure Database for MySQL flexible server, added as one service module: Entra users from a
 * user-assigned identity's client id, privileges on one database, the Entra administrator group,
 * and the guardrails that read it through the registry.
 */
import { Testing, TerraformOutput, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { MysqlFlexibleServerConfiguration } from "@cdktf/provider-azurerm/lib/mysql-flexible-server-configuration";
import { MysqlFlexibleServerFirewallRule } from "@cdktf/provider-azurerm/lib/mysql-flexible-server-firewall-rule";
import { MysqlFlexibleServer } from "@cdktf/provider-azurerm/lib/mysql-flexible-server";
import { MysqlFlexibleDatabase } from "@cdktf/provider-azurerm/lib/mysql-flexible-database";
import {
  AppServiceCompute,
  buildAccessReport,
  configureIdentityStack,
  Identity,
  mysql,
  MysqlServerTarget,
  NetworkPath,
  ResourceId,
  UserAssignedIdentity,
  WorkloadIdentity,
} from "../constructs";
import { evaluateGuardrails } from "../constructs/guardrails";
import { SystemAssignedIdentity } from "../constructs/azure";
import { findings } from "./guardrail-cases";
import { inRg, only, refusal, resourcesOf, SUBSCRIPTION, TENANT, testStack } from "./helpers";
import { appsSubnet, network, subnet } from "./network-fixtures";

type Json = Record<string, any>;
const inData = { resourceGroupName: "data-rg", location: "westeurope" };
const serverId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.DBforMySQL/flexibleServers/orders-mysql`;
const CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

function setup(name = "app-id") {
  const stack = testStack();
  const identity = new UserAssignedIdentity(stack, "app", { name, resourceGroupName: "id-rg", location: "westeurope" });
  const server = new MysqlFlexibleServer(stack, "mysql", { ...inData, name: "orders-mysql" });
  return { stack, identity, server };
}
const outputsOf = (stack: TerraformStack): Record<string, Json> => JSON.parse(Testing.synth(stack)).output ?? {};

describe("MySQL: Entra users and privileges through the typed statement emitter", () => {
  it("grants reader and writer on one database: one output, the statements exactly", () => {
    const { stack, identity, server } = setup();
    const db = new MysqlFlexibleDatabase(stack, "db", {
      name: "sales",
      resourceGroupName: "data-rg",
      serverName: server.name,
      charset: "utf8mb4",
      collation: "utf8mb4_unicode_ci",
    });
    const target = MysqlServerTarget.of(server).database(db);
    target.grant(identity, mysql.roles.MysqlDataReader, { reason: "reads orders" });
    target.grant(identity, mysql.roles.MysqlDataWriter, { reason: "writes orders" });
    const outputs = outputsOf(stack);
    expect(Object.keys(outputs)).toEqual(["database-access-orders-mysql-sales"]);
    const { value } = outputs["database-access-orders-mysql-sales"];
    expect(value).toMatchObject({
      kind: "database-access",
      system: "mysql",
      scope: "${azurerm_mysql_flexible_server.mysql.id}/databases/sales",
      host: "orders-mysql.mysql.database.azure.com",
      database: "sales",
    });
    expect(value.grants.map((g: Json) => [g.principal_name, g.role, g.principal_client_id])).toEqual([
      ["app-id", "SELECT", "${azurerm_user_assigned_identity.app_identity_CB9BBCD2.client_id}"],
      ["app-id", "SELECT, INSERT, UPDATE, DELETE", "${azurerm_user_assigned_identity.app_identity_CB9BBCD2.client_id}"],
    ]);
    const cid = "${azurerm_user_assigned_identity.app_identity_CB9BBCD2.client_id}";
    expect(value.steps).toEqual([
      {
        database: "sales",
        statements: [
          "SET aad_auth_validate_oids_in_tenant = OFF;",
          `SET @grant_sql = IF(EXISTS (SELECT 1 FROM mysql.user AS u WHERE u.User = 'app-id' AND u.Host = '%' AND NOT EXISTS (SELECT 1 FROM information_schema.USER_ATTRIBUTES AS a WHERE a.USER = u.User AND a.HOST = u.Host AND LOWER(JSON_UNQUOTE(JSON_EXTRACT(a.ATTRIBUTE, '$.entra_client_id'))) = '${cid}')), 'DROP USER ''app-id''@''%''', 'DO 0');`,
          "PREPARE `grant_step` FROM @grant_sql;",
          "EXECUTE `grant_step`;",
          "DEALLOCATE PREPARE `grant_step`;",
          `CREATE AADUSER IF NOT EXISTS 'app-id' IDENTIFIED BY '${cid}';`,
          `ALTER USER 'app-id'@'%' ATTRIBUTE '{"entra_client_id":"${cid}"}';`,
          "GRANT SELECT, INSERT, UPDATE, DELETE ON `sales`.* TO 'app-id'@'%';",
        ].join("\n"),
      },
    ]);
  });

  it("lower-cases a literal client id and quotes a backtick in a database name by doubling it", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    Object.defineProperty(identity, "clientId", { value: CLIENT_ID.toUpperCase() });
    MysqlServerTarget.fromId(stack, serverId).database("sales").grant(identity, mysql.roles.MysqlDataReader, {
      reason: "reads",
    });
    const statements: string = only(outputsOf(stack)).value.steps[0].statements;
    expect(statements).toContain(`IDENTIFIED BY '${CLIENT_ID}';`);
    expect(statements).toContain("GRANT SELECT ON `sales`.* TO 'app-id'@'%';");
  });

  it.each([
    ["a backtick", "sa`les"],
    ["a quote", "sa'les"],
    ["a backslash", "sa\\les"],
    ["a wildcard", "sa_les"],
  ])("refuses a database name with %s", (_what, db) => {
    const { stack } = setup();
    expect(() =>
      MysqlServerTarget.fromId(stack, serverId)
        .database(db)
        .grant(new UserAssignedIdentity(stack, "x", { name: "x-id", ...inRg }), mysql.roles.MysqlDataReader, {
          reason: "reads",
        }),
    ).toThrow(/database|MySQL/);
  });

  it("states in the output's description what the server needs first: Graph permissions, and 8.0.21 unless its version says so", () => {
    const described = (version?: string) => {
      const stack = testStack();
      const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
      const server = new MysqlFlexibleServer(stack, "mysql", { ...inData, name: "orders-mysql", version });
      MysqlServerTarget.of(server).database("sales").grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" });
      return only(outputsOf(stack)).description as string;
    };
    const graph =
      "the server's identity must hold Microsoft Graph's User.Read.All, GroupMember.Read.All and Application.Read.All (or the Directory Readers role), granted by a Privileged Role Administrator or Global Administrator, or CREATE AADUSER fails";
    const base =
      "MySQL that creates the database users of orders-mysql.mysql.database.azure.com/sales: run once after apply, as the server's Entra administrator. Before that, ";
    expect(described()).toBe(`${base}${graph}; the server must run MySQL 8.0.21 or later`);
    expect(described("8.0.21")).toBe(`${base}${graph}`);
    expect(described("8.4")).toBe(`${base}${graph}`);
  });

  it("refuses a server whose version is 5.7: the statements need USER_ATTRIBUTES (MySQL 8.0.21)", () => {
    const { stack } = setup();
    const server = new MysqlFlexibleServer(stack, "old", { ...inData, name: "old-mysql", version: "5.7" });
    const refused = refusal(() => MysqlServerTarget.of(server).database("sales"));
    expect(refused.constructPath).toBe(server.node.path);
    expect(refused.problem).toMatch(
      /USER_ATTRIBUTES and write ALTER USER \.\.\. ATTRIBUTE, which MySQL has from 8\.0\.21/,
    );
    expect(refused.value).toBe("5.7");
    expect(refused.fix).toBe('set the server\'s version to "8.0.21" or "8.4"');
  });

  it("refuses the wildcard with the reason and the fix", () => {
    const { stack } = setup();
    const error = refusal(() => MysqlServerTarget.fromId(stack, serverId).database("sa_les"));
    expect(error.problem).toMatch(/wildcards/);
    expect(error.fix).toMatch(/letters, digits and hyphens/);
  });

  it.each(["root", "azure_superuser", "ROOT"])("refuses an identity named like the built-in account %s", (name) => {
    const { stack, server } = setup();
    const identity = new UserAssignedIdentity(stack, "builtin", { name, ...inRg });
    const error = refusal(() =>
      MysqlServerTarget.of(server).database("sales").grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" }),
    );
    expect(error.problem).toMatch(/principal the server already has/);
  });

  it("refuses an identity name longer than MySQL's 32 characters", () => {
    const { stack, server } = setup();
    const identity = new UserAssignedIdentity(stack, "long", { name: "a".repeat(33), ...inRg });
    const error = refusal(() =>
      MysqlServerTarget.of(server).database("sales").grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" }),
    );
    expect(error.problem).toMatch(/33 characters, longer than the 32/);
  });

  it("refuses a client id that is no GUID", () => {
    const { stack, server } = setup();
    const identity = new UserAssignedIdentity(stack, "bad", { name: "bad-id", ...inRg });
    Object.defineProperty(identity, "clientId", { value: "x'); DROP USER root; --" });
    const error = refusal(() =>
      MysqlServerTarget.of(server).database("sales").grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" }),
    );
    expect(error.problem).toMatch(/client id/);
  });

  it("refuses a system-assigned identity: MySQL needs a client id azurerm does not export", () => {
    const stack = testStack();
    const identity = new SystemAssignedIdentity(stack, "vm-identity", {
      principalId: "${azurerm_linux_virtual_machine.vm.identity[0].principal_id}",
      computeResourceId: ResourceId.parse(
        "test",
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Compute/virtualMachines/orders-vm`,
      ),
      name: "orders-vm",
    } as never);
    const error = refusal(() =>
      MysqlServerTarget.fromId(stack, serverId)
        .database("sales")
        .grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" }),
    );
    expect(error.problem).toMatch(/system-assigned/);
    expect(error.fix).toMatch(/user-assigned identity/);
  });

  it("refuses a database role on the server itself, and another engine's role is a type error", () => {
    const { identity, server } = setup();
    const error = refusal(() =>
      MysqlServerTarget.of(server).grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" }),
    );
    expect(error.fix).toMatch(/server\.database\(name\)/);
  });
});

describe("MySQL: the Entra administrator group", () => {
  const GROUP = "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4";
  /** A server with its own identity, the one the administrator reads Microsoft Graph with. */
  const withServerIdentity = () => {
    const { stack } = setup();
    const serverIdentity = new UserAssignedIdentity(stack, "srv", { name: "mysql-graph-reader", ...inRg });
    const server = new MysqlFlexibleServer(stack, "withid", {
      ...inData,
      name: "entra-mysql",
      identity: { type: "UserAssigned", identityIds: [serverIdentity.id] },
    });
    return { stack, serverIdentity, server };
  };

  it("writes the administrator with the server identity, and aad_auth_only = ON", () => {
    const { stack, serverIdentity, server } = withServerIdentity();
    MysqlServerTarget.of(server).entraAdministrator(stack, "admins", {
      group: { objectId: GROUP, login: "mysql-admins" },
      serverIdentityId: serverIdentity.id,
    });
    expect(only(resourcesOf(stack, "azurerm_mysql_flexible_server_active_directory_administrator"))).toMatchObject({
      server_id: "${azurerm_mysql_flexible_server.withid.id}",
      identity_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.srv.*\.id\}$/),
      login: "mysql-admins",
      object_id: GROUP,
    });
    // Entra-only sign-in waits for the administrator: the other order could lock everyone out.
    expect(only(resourcesOf(stack, "azurerm_mysql_flexible_server_configuration"))).toMatchObject({
      name: "aad_auth_only",
      value: "ON",
      server_name: "${azurerm_mysql_flexible_server.withid.name}",
      depends_on: [
        expect.stringMatching(
          /^azurerm_mysql_flexible_server_active_directory_administrator\.admins_administrator_[0-9A-F]+$/,
        ),
      ],
    });
  });

  it("refuses a target with no tenant for the administrator", () => {
    const { stack, serverIdentity, server } = withServerIdentity();
    // A target is frozen: one that inherits everything but the tenant.
    const target: MysqlServerTarget = Object.create(MysqlServerTarget.of(server), { tenantId: { value: undefined } });
    const refused = refusal(() =>
      target.entraAdministrator(stack, "admins", {
        group: { objectId: GROUP, login: "mysql-admins" },
        serverIdentityId: serverIdentity.id,
      }),
    );
    expect(refused.problem).toBe("The MySQL Entra administrator names its tenant, and the server's target has none");
    expect(refused.fix).toMatch(/configureIdentityStack/);
  });

  it("refuses a server identity not in the server's identity block, and an administrator that is no GUID", () => {
    const { stack, server } = setup();
    const serverIdentity = new UserAssignedIdentity(stack, "srv", { name: "mysql-graph-reader", ...inRg });
    const missing = refusal(() =>
      MysqlServerTarget.of(server).entraAdministrator(stack, "a", {
        group: { objectId: GROUP, login: "mysql-admins" },
        serverIdentityId: serverIdentity.id,
      }),
    );
    expect(missing.problem).toMatch(/server identity in the server's identity block/);
    const notGuid = refusal(() =>
      MysqlServerTarget.of(server).entraAdministrator(stack, "b", {
        group: { objectId: "mysql-admins", login: "mysql-admins" },
        serverIdentityId: serverIdentity.id,
      }),
    );
    expect(notGuid.problem).toMatch(/literal object id/);
  });
});

describe("MySQL: guardrails through the registry", () => {
  const grantReader = () => {
    const { stack, identity, server } = setup();
    MysqlServerTarget.of(server).database("sales").grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" });
    const output = stack.node
      .findChild("database-access")
      .node.findChild("database-access-orders-mysql-sales") as TerraformOutput;
    return { stack, server, output };
  };

  it("reads its database-access output through its dialect: no IG022, its grant an assignment and a report row", () => {
    const { stack } = grantReader();
    expect(findings(stack, "IG022")).toEqual([]);
    const report = buildAccessReport("dev", stack.toTerraform());
    const [users] = report.databaseUsers;
    expect(users).toMatchObject({ system: "mysql", host: "orders-mysql.mysql.database.azure.com", database: "sales" });
    expect(users.stepsAsWritten).toBeUndefined();
    expect(users.steps[0].statements).toContain("GRANT SELECT ON `sales`.* TO 'app-id'@'%';");
    expect(report.grants.map((g) => [g.identity, g.role])).toEqual([
      [expect.stringMatching(/^azurerm_user_assigned_identity\.app_/), "MySQL data reader"],
    ]);
  });

  it("refuses (IG022) an output whose statements were edited, and reports the grants' own", () => {
    const { stack, output } = grantReader();
    output.addOverride("value.steps", [{ database: "sales", statements: "GRANT ALL ON *.* TO 'app-id'@'%';" }]);
    expect(findings(stack, "IG022").map((f) => f.address)).toEqual(["output.database-access-orders-mysql-sales"]);
    const [users] = buildAccessReport("dev", stack.toTerraform()).databaseUsers;
    expect(users.steps[0].statements).not.toContain("GRANT ALL");
    expect(users.steps[0].statements).toContain("GRANT SELECT ON `sales`.* TO 'app-id'@'%';");
  });
});

describe("MySQL: IG026 needs the audit parameters, found by server name and resource group", () => {
  const WORKSPACE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`;

  /** A stack sending audit logs to a workspace, and a MySQL grant: the grant makes the diagnostic setting. */
  function audited() {
    const stack = new TerraformStack(Testing.app(), "orders");
    new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "warning" },
      auditLogs: { workspaceId: WORKSPACE_ID, signInWorkspaceId: WORKSPACE_ID },
    });
    const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    const server = new MysqlFlexibleServer(stack, "mysql", { ...inData, name: "orders-mysql" });
    MysqlServerTarget.of(server).database("sales").grant(identity, mysql.roles.MysqlDataReader, { reason: "reads" });
    return { stack, server };
  }
  const parameter = (stack: TerraformStack, name: string, value: string, server: Json) =>
    new MysqlFlexibleServerConfiguration(stack, name, { name, value, ...server } as never);
  const ig026 = (stack: TerraformStack) =>
    evaluateGuardrails(stack, { severity: "warning" })
      .filter((f) => f.ruleId === "IG026")
      .map((f) => f.message);

  it("sends MySqlAuditLogs, and warns while audit_log_enabled and audit_log_events are not set", () => {
    const { stack } = audited();
    const settings = Object.values(resourcesOf(stack, "azurerm_monitor_diagnostic_setting")) as Json[];
    expect(settings.map((s) => s.enabled_log)).toEqual([[{ category: "MySqlAuditLogs" }]]);
    const [message] = ig026(stack);
    expect(message).toMatch(/audit_log_enabled parameter is not set to ON/);
    expect(message).toMatch(/audit_log_events parameter does not list CONNECTION/);
  });

  it.each([
    [
      "references to the server",
      (server: MysqlFlexibleServer) => ({ serverName: server.name, resourceGroupName: server.resourceGroupName }),
    ],
    ["the server's literal names", () => ({ serverName: "orders-mysql", resourceGroupName: "data-rg" })],
  ])("is quiet once both parameters name the server by %s", (_by, names) => {
    const { stack, server } = audited();
    parameter(stack, "audit_log_enabled", "ON", names(server));
    parameter(stack, "audit_log_events", "CONNECTION,TABLE_ACCESS", names(server));
    expect(ig026(stack)).toEqual([]);
  });

  it("does not count parameters of a same-named server in another resource group, nor events without CONNECTION", () => {
    const { stack } = audited();
    parameter(stack, "audit_log_enabled", "ON", { serverName: "orders-mysql", resourceGroupName: "other-rg" });
    parameter(stack, "audit_log_events", "TABLE_ACCESS", { serverName: "orders-mysql", resourceGroupName: "data-rg" });
    const [message] = ig026(stack);
    expect(message).toMatch(/audit_log_enabled parameter is not set to ON/);
    expect(message).toMatch(/audit_log_events parameter does not list CONNECTION/);
  });
});

describe("MySQL: the network path (IG030, NetworkPath)", () => {
  /** A web app integrated with an apps subnet, its identity granted on a MySQL database; an endpoints subnet beside it. */
  function estate(server: Partial<ConstructorParameters<typeof MysqlFlexibleServer>[2]> = {}) {
    const stack = testStack();
    const vnet = network(stack);
    const apps = appsSubnet(stack, vnet);
    const endpoints = subnet(stack, vnet, "endpoints", "10.0.3.0/27");
    const mysqlServer = new MysqlFlexibleServer(stack, "mysql", { ...inData, name: "orders-mysql", ...server });
    const target = MysqlServerTarget.of(mysqlServer);
    const app = new LinuxWebApp(stack, "web", {
      ...inRg,
      name: "orders-web",
      servicePlanId: "/plan",
      siteConfig: {},
      virtualNetworkSubnetId: apps.id,
    });
    new WorkloadIdentity(stack, "orders", {
      identity: Identity.newUserAssigned({ ...inRg, name: "orders-id" }),
      compute: [AppServiceCompute.linuxWebApp(app)],
      grants: [target.database("sales").allow(mysql.roles.MysqlDataReader, "reads orders")],
    });
    return { stack, vnet, endpoints, server: mysqlServer, target };
  }
  const azureServicesRule = (stack: TerraformStack, names: { serverName: string; resourceGroupName: string }) =>
    new MysqlFlexibleServerFirewallRule(stack, "azure", {
      name: "AllowAllAzureServicesAndResourcesWithinAzureIps",
      startIpAddress: "0.0.0.0",
      endIpAddress: "0.0.0.0",
      ...names,
    });
  const ig030 = (stack: TerraformStack) => findings(stack, "IG030").map((f) => f.message);

  it("IG030: a public server with no firewall rule refuses every connection", () => {
    const { stack } = estate();
    expect(ig030(stack)).toEqual([
      expect.stringMatching(/its firewall has no rule, virtual network rule or private endpoint/),
    ]);
  });

  it("IG030: reads a firewall rule naming the server by server_name and resource group", () => {
    const { stack, server } = estate();
    azureServicesRule(stack, { serverName: server.name, resourceGroupName: server.resourceGroupName });
    expect(ig030(stack)).toEqual([
      expect.stringMatching(
        /reaches azurerm_mysql_flexible_server\.mysql only through azurerm_mysql_flexible_server_firewall_rule\.azure, the 'allow Azure services' rule/,
      ),
    ]);
  });

  it("IG030: a rule for a same-named server in another resource group is not this server's", () => {
    const { stack } = estate();
    azureServicesRule(stack, { serverName: "orders-mysql", resourceGroupName: "other-rg" });
    expect(ig030(stack)).toEqual([expect.stringMatching(/its firewall has no rule/)]);
  });

  it("NetworkPath.allowAzureServices writes the rule by server name, justified as IG030's suppression", () => {
    const { stack, target } = estate();
    NetworkPath.allowAzureServices(stack, "azure", {
      target,
      justification: "the vendor's reporting tool connects from its own Azure tenant",
    });
    expect(only(resourcesOf(stack, "azurerm_mysql_flexible_server_firewall_rule"))).toMatchObject({
      server_name: "${azurerm_mysql_flexible_server.mysql.name}",
      resource_group_name: "${azurerm_mysql_flexible_server.mysql.resource_group_name}",
      start_ip_address: "0.0.0.0",
    });
    expect(ig030(stack)).toEqual([]);
  });

  it("NetworkPath.allowAzureServices refuses a server not of this stack: its rule names the server by name only", () => {
    const { stack } = estate();
    const error = refusal(() =>
      NetworkPath.allowAzureServices(stack, "a", {
        target: MysqlServerTarget.fromId(stack, serverId),
        justification: "the vendor's reporting tool connects from its own Azure tenant",
      }),
    );
    expect(error.problem).toMatch(/names its server by name and resource group, in the stack's subscription/);
    expect(error.fix).toMatch(/MysqlServerTarget\.of\(server\)/);
  });

  it("NetworkPath.privateEndpoint connects to the mysqlServer group with Microsoft's zone: no IG030", () => {
    const { stack, vnet, endpoints, target } = estate({ publicNetworkAccess: "Disabled" });
    NetworkPath.privateEndpoint(stack, "path", { target, subnet: endpoints, dns: { virtualNetworkId: vnet.id } });
    expect(only(resourcesOf(stack, "azurerm_private_endpoint"))).toMatchObject({
      name: "orders-mysql-pe",
      resource_group_name: "data-rg",
      private_service_connection: {
        private_connection_resource_id: "${azurerm_mysql_flexible_server.mysql.id}",
        subresource_names: ["mysqlServer"],
      },
    });
    expect(only(resourcesOf(stack, "azurerm_private_dns_zone")).name).toBe("privatelink.mysql.database.azure.com");
    expect(ig030(stack)).toEqual([]);
  });

  it("NetworkPath refuses a private endpoint to a VNet-injected server, and rules on one with public access off", () => {
    const injected = estate({ delegatedSubnetId: "/subscriptions/x/subnet" });
    const endpoint = refusal(() =>
      NetworkPath.privateEndpoint(injected.stack, "p", {
        target: injected.target,
        subnet: injected.endpoints,
        dns: { virtualNetworkId: injected.vnet.id },
      }),
    );
    expect(endpoint.problem).toBe("The MySQL flexible server is VNet-injected: it takes no private endpoint");
    const closed = estate({ publicNetworkAccess: "Disabled" });
    const rule = refusal(() =>
      NetworkPath.allowAzureServices(closed.stack, "a", {
        target: closed.target,
        justification: "a vendor's tool, by contract",
      }),
    );
    expect(rule.problem).toBe(
      "The MySQL flexible server's public network access is off, so firewall rules admit nothing",
    );
    expect(rule.value).toBe("public_network_access = Disabled");
  });
});
