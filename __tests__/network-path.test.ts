/**
 * The network path to a target: NetworkPath gives a database server the private endpoint,
 * virtual network rule or (justified) "allow Azure services" rule its workloads need, and IG030
 * warns, from the synthesized JSON, when a granted compute has none to a target that refuses
 * public traffic. The access report says how the administrator reaches the server.
 */
import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { PostgresqlFlexibleServer } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server";
import {
  KeyVaultTarget,
  NetworkPath,
  PostgresServerTarget,
  Roles,
  ServiceBusNamespaceTarget,
  SqlServerTarget,
  StorageAccountTarget,
  buildAccessReport,
} from "../constructs";
import { inRg, only, resourcesOf, TENANT, testStack } from "./helpers";
import { describeGuardrailCases, findings, GuardrailCase } from "./guardrail-cases";
import { azureServicesRule, endpointTo, network, sqlEstate, subnet } from "./network-fixtures";

const vault = (stack: TerraformStack, extra: Partial<ConstructorParameters<typeof KeyVault>[2]> = {}) =>
  KeyVaultTarget.of(
    new KeyVault(stack, "kv", {
      ...inRg,
      name: "orders-kv",
      tenantId: TENANT,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      ...extra,
    }),
  );
const storage = (stack: TerraformStack, rules: { virtualNetworkSubnetIds?: string[]; ipRules?: string[] }) =>
  StorageAccountTarget.of(
    new StorageAccount(stack, "st", {
      ...inRg,
      name: "ordersdocs",
      accountTier: "Standard",
      accountReplicationType: "LRS",
      sharedAccessKeyEnabled: false,
      networkRules: { defaultAction: "Deny", ...rules },
    }),
  );
const bus = (stack: TerraformStack, subnetId?: string) =>
  ServiceBusNamespaceTarget.of(
    new ServicebusNamespace(stack, "sb", {
      ...inRg,
      name: "orders-bus",
      sku: "Premium",
      capacity: 1,
      premiumMessagingPartitions: 1,
      localAuthEnabled: false,
      networkRuleSet: {
        defaultAction: "Deny",
        networkRules: subnetId === undefined ? undefined : [{ subnetId }],
      },
    }),
  );
const postgres = (stack: TerraformStack, delegatedSubnetId?: string) =>
  PostgresServerTarget.of(
    new PostgresqlFlexibleServer(stack, "pg", {
      ...inRg,
      name: "orders-pg",
      authentication: { activeDirectoryAuthEnabled: true, passwordAuthEnabled: false, tenantId: TENANT },
      delegatedSubnetId,
    }),
  );

const CASES: GuardrailCase[] = [
  {
    ruleId: "IG030",
    about: "an Azure SQL server with no rule and no endpoint",
    bad: (s) => sqlEstate(s, { integrate: true }),
    good: (s) => {
      const e = sqlEstate(s, { integrate: true, server: { publicNetworkAccessEnabled: false } });
      NetworkPath.privateEndpoint(s, "sql-path", {
        target: e.target,
        subnet: e.endpoints,
        dns: { virtualNetworkId: e.vnet.id },
      });
    },
    message:
      /azurerm_linux_web_app\.web holds SQL db_datareader on orders-sql .*its firewall has no rule, virtual network rule or private endpoint, so it refuses every connection\) and the compute has no network path to it/,
    fix: /private endpoint in a subnet of the compute's virtual network/,
  },
  {
    ruleId: "IG030",
    about: "an Azure SQL server reached through a virtual network rule",
    bad: (s) => {
      const e = sqlEstate(s);
      NetworkPath.virtualNetworkRule(s, "sql-rule", { target: e.target, subnet: e.apps });
    },
    good: (s) => {
      const e = sqlEstate(s, { integrate: true });
      NetworkPath.virtualNetworkRule(s, "sql-rule", { target: e.target, subnet: e.apps });
    },
    message: /the compute is in no virtual network/,
  },
  {
    ruleId: "IG030",
    about: "a Key Vault with public network access off",
    bad: (s) =>
      sqlEstate(s, {
        integrate: true,
        grants: () => [
          vault(s, { publicNetworkAccessEnabled: false }).allow(Roles.KeyVaultSecretsUser, "reads secrets"),
        ],
      }),
    good: (s) =>
      sqlEstate(s, {
        integrate: true,
        grants: (e) => {
          const kv = vault(s, { publicNetworkAccessEnabled: false });
          endpointTo(s, "kv-endpoint", kv.scopeReference, e.endpoints.id, "vault");
          return [kv.allow(Roles.KeyVaultSecretsUser, "reads secrets")];
        },
      }),
    message: /its public network access is disabled/,
  },
  {
    ruleId: "IG030",
    about: "a storage account whose network rules deny by default",
    bad: (s) =>
      sqlEstate(s, {
        integrate: true,
        grants: (e) => [
          storage(s, { virtualNetworkSubnetIds: [e.apps.id] }).allow(Roles.StorageBlobDataReader, "reads documents"),
        ],
      }),
    good: (s) =>
      sqlEstate(s, {
        integrate: true,
        apps: { serviceEndpoints: ["Microsoft.Storage"] },
        grants: (e) => [
          storage(s, { virtualNetworkSubnetIds: [e.apps.id] }).allow(Roles.StorageBlobDataReader, "reads documents"),
        ],
      }),
    message: /network_rules deny by default.*has no Microsoft\.Storage service endpoint/,
  },
  {
    ruleId: "IG030",
    about: "a Service Bus namespace whose network rule set denies by default",
    bad: (s) =>
      sqlEstate(s, { integrate: true, grants: () => [bus(s).allow(Roles.ServiceBusDataSender, "sends orders")] }),
    good: (s) =>
      sqlEstate(s, {
        integrate: true,
        apps: { serviceEndpoints: ["Microsoft.ServiceBus"] },
        grants: (e) => [bus(s, e.apps.id).allow(Roles.ServiceBusDataSender, "sends orders")],
      }),
    message: /network_rule_set denies by default/,
  },
  {
    ruleId: "IG030",
    about: "a PostgreSQL flexible server that is not VNet-injected",
    bad: (s) =>
      sqlEstate(s, {
        integrate: true,
        grants: () => [postgres(s).database("sales").allow(Roles.PostgresTableReader, "reads sales")],
      }),
    good: (s) =>
      sqlEstate(s, {
        integrate: true,
        grants: (e) => {
          const db = subnet(s, e.vnet, "db", "10.0.4.0/28");
          return [postgres(s, db.id).database("sales").allow(Roles.PostgresTableReader, "reads sales")];
        },
      }),
    message: /its firewall has no rule, virtual network rule or private endpoint/,
  },
  {
    ruleId: "IG030",
    about: "the 'allow Azure services' rule",
    bad: (s) => {
      const e = sqlEstate(s);
      azureServicesRule(s, e.server);
    },
    good: (s) => {
      const e = sqlEstate(s);
      NetworkPath.allowAzureServices(s, "azure", {
        target: e.target,
        justification: "the reporting vendor's tool connects from its own Azure tenant, by contract",
      });
    },
    message:
      /reaches azurerm_mssql_server\.sql only through azurerm_mssql_firewall_rule\.azure, the 'allow Azure services' rule \(0\.0\.0\.0\), which admits connections from every Azure tenant's resources/,
  },
];

describeGuardrailCases(CASES);

describe("NetworkPath", () => {
  it("makes a private endpoint to the server's sqlServer group, with Microsoft's zone linked to the network", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true });
    const path = NetworkPath.privateEndpoint(stack, "sql-path", {
      target: e.target,
      subnet: e.endpoints,
      dns: { virtualNetworkId: e.vnet.id },
    });
    const json = JSON.parse(Testing.synth(stack));
    const endpoint = only(json.resource.azurerm_private_endpoint) as Record<string, any>;
    expect(endpoint).toMatchObject({
      name: "orders-sql-pe",
      resource_group_name: "app-rg",
      location: "westeurope",
      subnet_id: "${azurerm_subnet.endpoints.id}",
      private_service_connection: {
        private_connection_resource_id: "${azurerm_mssql_server.sql.id}",
        subresource_names: ["sqlServer"],
        is_manual_connection: false,
      },
    });
    const zone = only(json.resource.azurerm_private_dns_zone) as Record<string, any>;
    expect(zone.name).toBe("privatelink.database.windows.net");
    const link = only(json.resource.azurerm_private_dns_zone_virtual_network_link) as Record<string, any>;
    expect(link.virtual_network_id).toBe("${azurerm_virtual_network.vnet.id}");
    expect(endpoint.private_dns_zone_group.private_dns_zone_ids).toEqual([
      expect.stringMatching(/^\$\{azurerm_private_dns_zone\.[^.]+\.id\}$/),
    ]);
    expect(path.description).toBe("private endpoint orders-sql-pe");
  });

  it("shares one zone and one link between two servers' endpoints in the same group and network", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true });
    const second = SqlServerTarget.of(
      new (e.server.constructor as typeof import("@cdktf/provider-azurerm/lib/mssql-server").MssqlServer)(
        stack,
        "sql2",
        { ...inRg, name: "reports-sql", version: "12.0" },
      ),
    );
    for (const [id, target] of [
      ["a", e.target],
      ["b", second],
    ] as const)
      NetworkPath.privateEndpoint(stack, id, { target, subnet: e.endpoints, dns: { virtualNetworkId: e.vnet.id } });
    expect(Object.keys(resourcesOf(stack, "azurerm_private_endpoint"))).toHaveLength(2);
    expect(Object.keys(resourcesOf(stack, "azurerm_private_dns_zone"))).toHaveLength(1);
    expect(Object.keys(resourcesOf(stack, "azurerm_private_dns_zone_virtual_network_link"))).toHaveLength(1);
  });

  it("uses a zone given by id, making none", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true });
    const zoneId =
      "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/dns-rg/providers/Microsoft.Network/privateDnsZones/privatelink.database.windows.net";
    NetworkPath.privateEndpoint(stack, "p", { target: e.target, subnet: e.endpoints, dns: { zoneId } });
    expect(resourcesOf(stack, "azurerm_private_dns_zone")).toEqual({});
    expect(only(resourcesOf(stack, "azurerm_private_endpoint")).private_dns_zone_group.private_dns_zone_ids).toEqual([
      zoneId,
    ]);
  });

  it("adds the Microsoft.Sql service endpoint to the subnet its virtual network rule admits", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true, apps: { serviceEndpoints: ["Microsoft.Storage"] } });
    NetworkPath.virtualNetworkRule(stack, "rule", { target: e.target, subnet: e.apps });
    expect(only(resourcesOf(stack, "azurerm_mssql_virtual_network_rule"))).toMatchObject({
      name: "allow-apps",
      server_id: "${azurerm_mssql_server.sql.id}",
      subnet_id: "${azurerm_subnet.apps.id}",
    });
    expect(resourcesOf(stack, "azurerm_subnet").apps.service_endpoints).toEqual(["Microsoft.Sql", "Microsoft.Storage"]);
    expect(findings(stack, "IG030")).toEqual([]);
  });

  it("keeps a long subnet's virtual network rule name within the 64 characters azurerm accepts", () => {
    const names = ["a", "b"].map((last) => {
      const stack = testStack();
      const e = sqlEstate(stack, { integrate: true, apps: { name: `${"integration-subnet-".repeat(4)}${last}` } });
      NetworkPath.virtualNetworkRule(stack, "rule", { target: e.target, subnet: e.apps });
      return only(resourcesOf(stack, "azurerm_mssql_virtual_network_rule")).name as string;
    });
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(64);
      // The provider's rule (validate.VirtualNetworkRuleName): these characters, no leading or trailing `-`/`.`.
      expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*[A-Za-z0-9_]$/);
      expect(name.startsWith("allow-integration-subnet-")).toBe(true);
    }
    expect(names[0]).not.toBe(names[1]);
  });

  it("writes the 'allow Azure services' rule only with a justification, recorded as IG030's suppression", () => {
    const stack = testStack();
    const e = sqlEstate(stack);
    NetworkPath.allowAzureServices(stack, "azure", {
      target: e.target,
      justification: "the vendor's reporting tool connects from its own Azure tenant",
    });
    expect(only(resourcesOf(stack, "azurerm_mssql_firewall_rule"))).toMatchObject({
      name: "AllowAllWindowsAzureIps",
      start_ip_address: "0.0.0.0",
      end_ip_address: "0.0.0.0",
    });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.locals.guardrail_suppressions).toEqual([
      expect.objectContaining({
        ruleId: "IG030",
        constructPath: "test/azure",
        reason: expect.stringMatching(/vendor/),
      }),
    ]);
  });

  it("states the administrator's path in the access report", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true, server: { publicNetworkAccessEnabled: false } });
    NetworkPath.privateEndpoint(stack, "p", {
      target: e.target,
      subnet: e.endpoints,
      dns: { virtualNetworkId: e.vnet.id },
    });
    const [users] = buildAccessReport("test", JSON.parse(Testing.synth(stack))).databaseUsers;
    expect(users.adminPath).toBe(
      "from a machine on vnet-net (a VM there, or a VPN or Bastion into it), where orders-sql resolves to its private endpoint",
    );
    const open = testStack();
    sqlEstate(open);
    expect(buildAccessReport("test", JSON.parse(Testing.synth(open))).databaseUsers[0].adminPath).toMatch(
      /^from your own address: add a firewall rule for your IP for the session \(az sql server firewall-rule create\), and delete it afterwards$/,
    );
  });
});

describe("NetworkPath refuses what would not open a path", () => {
  const refuses = (build: (stack: TerraformStack) => void, message: RegExp) => {
    const stack = testStack();
    expect(() => build(stack)).toThrow(message);
  };

  it("refuses a database target instead of its server", () =>
    refuses((s) => {
      const e = sqlEstate(s);
      NetworkPath.privateEndpoint(s, "p", {
        target: e.target.database("ordersdb") as unknown as SqlServerTarget,
        subnet: e.endpoints,
        dns: { virtualNetworkId: e.vnet.id },
      });
    }, /\[test\/p\] A network path needs the Azure SQL server or PostgreSQL flexible server or MySQL flexible server itself, not Azure SQL database.*\/servers\/orders-sql\/databases\/ordersdb.*SqlServerTarget\.of\(server\)/s));

  it("refuses a virtual network rule on PostgreSQL, which has none", () =>
    refuses((s) => {
      const e = sqlEstate(s);
      NetworkPath.virtualNetworkRule(s, "r", { target: postgres(s) as unknown as SqlServerTarget, subnet: e.apps });
    }, /A network path needs the Azure SQL server itself, not PostgreSQL flexible server/));

  it("refuses a virtual network rule on a server whose public network access is off", () =>
    refuses((s) => {
      const e = sqlEstate(s, { server: { publicNetworkAccessEnabled: false } });
      NetworkPath.virtualNetworkRule(s, "r", { target: e.target, subnet: e.apps });
    }, /public network access is off, so virtual network rules admit nothing.*NetworkPath\.privateEndpoint/s));

  // Azure SQL refuses firewall rules while public network access is off (error 42101): the apply would fail.
  it("refuses the 'allow Azure services' rule on a server whose public network access is off", () =>
    refuses((s) => {
      const e = sqlEstate(s, { server: { publicNetworkAccessEnabled: false } });
      NetworkPath.allowAzureServices(s, "a", {
        target: e.target,
        justification: "the vendor's reporting tool connects from its own Azure tenant",
      });
    }, /\[test\/a\] The Azure SQL server's public network access is off, so firewall rules admit nothing.*public_network_access_enabled = false.*NetworkPath\.privateEndpoint/s));

  it("refuses the 'allow Azure services' rule on a VNet-injected PostgreSQL server", () =>
    refuses((s) => {
      const db = subnet(s, network(s), "db", "10.0.4.0/28");
      NetworkPath.allowAzureServices(s, "a", {
        target: postgres(s, db.id),
        justification: "the vendor's reporting tool connects from its own Azure tenant",
      });
    }, /PostgreSQL flexible server's public network access is off, so firewall rules admit nothing.*delegated_subnet_id \(VNet-injected\).*from its virtual network/s));

  it("refuses a private endpoint to a VNet-injected PostgreSQL server", () =>
    refuses((s) => {
      const vnet = network(s);
      const db = subnet(s, vnet, "db", "10.0.4.0/28");
      NetworkPath.privateEndpoint(s, "p", {
        target: postgres(s, db.id),
        subnet: db,
        dns: { virtualNetworkId: vnet.id },
      });
    }, /VNet-injected: it takes no private endpoint.*\$\{azurerm_subnet\.db\.id\}/s));

  it("refuses a subnet that is no subnet id", () =>
    refuses((s) => {
      const e = sqlEstate(s);
      NetworkPath.virtualNetworkRule(s, "r", { target: e.target, subnet: e.vnet.id });
    }, /subnet is neither a subnet of this stack nor a subnet id.*\$\{azurerm_virtual_network\.vnet\.id\}/s));

  it("refuses an existing server without the endpoint's resource group and location", () =>
    refuses((s) => {
      const e = sqlEstate(s);
      const existing = SqlServerTarget.fromId(
        s,
        "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/db-rg/providers/Microsoft.Sql/servers/legacy-sql",
      );
      NetworkPath.privateEndpoint(s, "p", {
        target: existing,
        subnet: e.endpoints,
        dns: { virtualNetworkId: e.vnet.id },
      });
    }, /resource group and location are unknown.*legacy-sql.*pass resourceGroupName and location/s));

  it("refuses the 'allow Azure services' rule without a justification in words", () =>
    refuses((s) => {
      const e = sqlEstate(s);
      NetworkPath.allowAzureServices(s, "a", { target: e.target, justification: "needed!!!!" });
    }, /admits every Azure tenant's traffic and needs a justification in words \(it has fewer than three distinct words\)/));

  // Named after at synth: a token's placeholder would become a name that changes with construction order.
  it("refuses a subnet whose name only Terraform knows for a virtual network rule", () =>
    refuses((s) => {
      const e = sqlEstate(s, {
        apps: { name: new TerraformVariable(s, "subnet-name", { type: "string" }).stringValue },
      });
      NetworkPath.virtualNetworkRule(s, "rule", { target: e.target, subnet: e.apps });
    }, /\[test\/rule\] The subnet's name is a value only Terraform knows, so what is named after it cannot be named before apply: "\$\{var\.subnet-name\}"/));

  it("refuses a private DNS zone's resource group or network name that only Terraform knows", () => {
    refuses((s) => {
      const e = sqlEstate(s);
      NetworkPath.privateEndpoint(s, "p", {
        target: e.target,
        subnet: e.endpoints,
        dns: { virtualNetworkId: e.vnet.id },
        resourceGroupName: new TerraformVariable(s, "group", { type: "string" }).stringValue,
        location: "westeurope",
      });
    }, /The private DNS zone's resource group is a value only Terraform knows/);
    refuses((s) => {
      const e = sqlEstate(s);
      e.vnet.name = new TerraformVariable(s, "vnet-name", { type: "string" }).stringValue;
      NetworkPath.privateEndpoint(s, "p", {
        target: e.target,
        subnet: e.endpoints,
        dns: { virtualNetworkId: e.vnet.id },
      });
    }, /The private DNS zone's virtual network name is a value only Terraform knows/);
  });

  it("refuses a justification only Terraform knows, saying so", () =>
    refuses((s) => {
      const e = sqlEstate(s);
      NetworkPath.allowAzureServices(s, "a", {
        target: e.target,
        justification: new TerraformVariable(s, "why", { type: "string" }).stringValue,
      });
    }, /needs a justification in words \(it is a value only Terraform knows, not words a reviewer reads\)/));
});
