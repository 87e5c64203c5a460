/**
 * Database statements are safe by construction: every value is one identifier or string token,
 * whatever it holds; ids that are no GUID (nor a managed identity's own attribute) and compute
 * names Azure would refuse never reach them; a same-named principal with another id is replaced,
 * never granted; PostgreSQL writers can use the schema's sequences.
 *
 * PostgreSQL statements are checked with libpg-query: PostgreSQL's own parser and scanner compiled
 * to WebAssembly (no native bindings, works offline on Node 20). No maintained npm parser reads
 * this T-SQL (node-sql-parser's transactsql dialect refuses CREATE USER ... FROM EXTERNAL PROVIDER,
 * ALTER ROLE and DROP USER), so T-SQL is tokenized below by the lexical rules of the T-SQL
 * reference: `[...]` with `]]`, `N'...'`/`'...'` with `''`, `"..."` with `""`, `--` and nested
 * block comments.
 */
import fc from "fast-check";
import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import { WindowsVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/windows-virtual-machine-scale-set";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { ContainerGroup } from "@cdktf/provider-azurerm/lib/container-group";
import { ContainerApp } from "@cdktf/provider-azurerm/lib/container-app";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";

import { loadModule, parsePlPgSQLSync, parseSync, scanSync } from "libpg-query";
import {
  AppServiceCompute,
  AksClusterIdentity,
  ContainerAppCompute,
  ContainerGroupCompute,
  ExistingUserAssignedIdentity,
  Identity,
  PostgresServerTarget,
  Roles,
  SqlServerTarget,
  UserAssignedIdentity,
  VirtualMachineCompute,
  WorkloadIdentity,
  ResourceId,
  buildAccessReport,
} from "../constructs";
import { DatabaseUser, statementsFor } from "../constructs/azure";
import { readEstate, stepsOfGrants } from "../constructs/estate";
import { evaluateGuardrails } from "../constructs/guardrails";
import { AzureStack } from "../stacks/azure-stack";
import { ENVIRONMENTS } from "../stacks/environment-settings";
import { inRg, SUBSCRIPTION, testStack } from "./helpers";

const providers = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers`;
const sqlId = `${providers}/Microsoft.Sql/servers/orders-sql`;
const pgId = `${providers}/Microsoft.DBforPostgreSQL/flexibleServers/orders-pg`;
const identityId = (name: string, subscription = SUBSCRIPTION) =>
  `/subscriptions/${subscription}/resourceGroups/id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const HOSTILE_ID = "x'; DROP TABLE dbo.orders; --";
const GUID = "0f0f0f0f-0000-4000-8000-0000000000a1";
const CLIENT = "0f0f0f0f-0000-4000-8000-0000000000c1";
type Json = Record<string, any>;

const sqlDb = (s: Construct) => SqlServerTarget.fromId(s, sqlId).database("ordersdb");
const pgDb = (s: Construct, schema = "public") => PostgresServerTarget.fromId(s, pgId).database("sales", schema);
const outputsOf = (stack: TerraformStack): Record<string, Json> => JSON.parse(Testing.synth(stack)).output ?? {};

describe("the examples of issue 20 are refused", () => {
  it.each(ENVIRONMENTS.map((e) => e.name))(
    "refuses, in %s, an existing identity whose only principal id is no GUID, before any statement holds it",
    (environment) => {
      const settings = ENVIRONMENTS.find((e) => e.name === environment)!;
      const stack = new AzureStack(new App({ stackTraces: false }), environment, settings, environment);
      const foreign = identityId("adv-ext-id", settings.subscriptionId);
      expect(() => new ExistingUserAssignedIdentity(stack, "adv", foreign, { principalId: HOSTILE_ID })).toThrow(
        `[${environment}/adv] The identity's principal id is not a GUID (8-4-4-4-12 hexadecimal digits, no braces): "x'; DROP TABLE dbo.orders; --". Fix: pass the principal id as \`az identity show --ids <id> --query principalId\` prints it`,
      );
    },
  );

  it("refuses, in prod, a VM named to break out of a dollar-quoted block, naming Azure's rule", () => {
    const prod = ENVIRONMENTS.find((e) => e.name === "prod")!;
    const stack = new AzureStack(new App({ stackTraces: false }), "prod", prod, "prod");
    const vm = new LinuxVirtualMachine(stack, "vm", {
      ...inRg,
      name: "vm$$;DROP TABLE orders;DO$$BEGIN--",
      size: "Standard_B2s",
      adminUsername: "azureuser",
      networkInterfaceIds: [],
      osDisk: { caching: "ReadWrite", storageAccountType: "Standard_LRS" },
    });
    expect(() => VirtualMachineCompute.of(vm)).toThrow(
      '[prod/vm] Virtual machine or scale set name breaks Azure\'s naming rule: "vm$$;DROP TABLE orders;DO$$BEGIN--". Fix: use 1-64 characters: letters, digits, periods and hyphens; starts and ends with a letter or digit',
    );
  });

  it("no longer writes a DO $$ block: nothing a value holds can close a dollar quote", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    pgDb(stack).grant(identity, Roles.PostgresTableWriter, { reason: "writes" });
    const steps = Object.values(outputsOf(stack))[0].value.steps as { statements: string }[];
    for (const step of steps) expect(step.statements).not.toContain("$$");
  });
});

describe("object ids: a GUID, or a managed identity's own attribute, in every statement", () => {
  const grantWith = (props: { principalId?: string; clientId?: string }) => {
    const stack = testStack();
    const identity = new ExistingUserAssignedIdentity(stack, "ext", identityId("ext-id"), props);
    sqlDb(stack).grant(identity, Roles.SqlDataReader, { reason: "reads" });
    return outputsOf(stack);
  };

  it.each([
    ["in braces", `{${GUID}}`, "is not a GUID"],
    ["with a trailing newline", `${GUID}\n`, "is not a GUID"],
    ["with a NUL", `${GUID}\u0000`, "is not a GUID"],
    ["with a quote after it", `${GUID}'`, "is not a GUID"],
    [
      "as a Terraform variable written by hand",
      "${var.principal}",
      "is a Terraform expression that is not a managed identity's principal id",
    ],
    [
      "as the deployer's own object id",
      "${data.azurerm_client_config.current.object_id}",
      "is a Terraform expression that is not a managed identity's principal id",
    ],
    [
      "as a reference with text after it",
      "${azurerm_user_assigned_identity.a.principal_id}'; --",
      "is a Terraform expression that is not a managed identity's principal id",
    ],
    [
      "as a template directive",
      "%{ if true }x%{ endif }",
      "is a Terraform expression that is not a managed identity's principal id",
    ],
  ])("refuses a principal id %s", (_, principalId, problem) => {
    expect(() => grantWith({ principalId, clientId: CLIENT })).toThrow(
      `[test/ext] The identity's principal id ${problem}`,
    );
  });

  it("refuses a principal id from a variable, and a client id that is another identity's principal id", () => {
    const stack = testStack();
    const variable = new TerraformVariable(stack, "principal", { type: "string" });
    expect(
      () => new ExistingUserAssignedIdentity(stack, "var", identityId("a-id"), { principalId: variable.stringValue }),
    ).toThrow(
      /^\[test\/var\] The identity's principal id is a Terraform expression that is not a managed identity's principal id: "\$\{var\.principal\}"/,
    );
    const other = new UserAssignedIdentity(stack, "other", { ...inRg, name: "other-id" });
    expect(
      () =>
        new ExistingUserAssignedIdentity(stack, "swap", identityId("b-id"), {
          principalId: GUID,
          clientId: other.principalId,
        }),
    ).toThrow(
      /^\[test\/swap\] The identity's client id is a Terraform expression that is not a managed identity's client id/,
    );
  });

  it("takes an upper-case GUID and writes it lower-cased, as Azure stores it", () => {
    const outputs = grantWith({ principalId: GUID.toUpperCase(), clientId: CLIENT.toUpperCase() });
    const statements: string = Object.values(outputs)[0].value.steps[0].statements;
    expect(statements).toContain(`WITH OBJECT_ID = '${GUID}';`);
    expect(statements).toContain(`sid <> CAST(CAST('${CLIENT}' AS uniqueidentifier) AS varbinary(16))`);
  });

  it("refuses an identity of the library's interface whose principal is no identity's, or whose name is no Azure name", () => {
    const stack = testStack();
    const impostor = (name: string, principalId: string) =>
      Object.assign(new Construct(stack, `impostor-${name.length}-${principalId.length}`), {
        kind: "SystemAssigned" as const,
        principalId,
        tenantId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        principalResourceId: ResourceId.parse("x", `${providers}/Contoso.Custom/things/${name}`),
      });
    expect(() => sqlDb(stack).grant(impostor("web", "${var.p}"), Roles.SqlDataReader, { reason: "r" })).toThrow(
      /The identity's principal id is a Terraform expression that is not a managed identity's principal id: a database statement would carry it as it is: "\$\{var\.p\}"/,
    );
    expect(() => sqlDb(stack).grant(impostor("a];DROP-USER-[b", GUID), Roles.SqlDataReader, { reason: "r" })).toThrow(
      `The identity's name cannot be a database principal name: it has characters no Azure resource name has (letters, digits, \`.\`, \`_\`, \`-\` and \`/\` only): "a];DROP-USER-[b"`,
    );
  });
});

describe("compute names are checked against Azure's rule for their type", () => {
  const stack = () => testStack();
  const vmProps = {
    ...inRg,
    size: "Standard_B2s",
    adminUsername: "azureuser",
    networkInterfaceIds: [],
    osDisk: { caching: "ReadWrite", storageAccountType: "Standard_LRS" },
  };
  it.each([
    [
      "a Linux VM name ending with a period",
      (s: TerraformStack) => VirtualMachineCompute.of(new LinuxVirtualMachine(s, "vm", { ...vmProps, name: "web." })),
      /Virtual machine or scale set name breaks Azure's naming rule: "web\."/,
    ],
    [
      "a VM name with a unicode homoglyph of a bracket",
      (s: TerraformStack) =>
        VirtualMachineCompute.of(new LinuxVirtualMachine(s, "vm", { ...vmProps, name: "web\uff3d" })),
      /Virtual machine or scale set name breaks Azure's naming rule: "web］"/,
    ],
    [
      "a Windows VM whose 16-character name is also its computer name",
      (s: TerraformStack) =>
        VirtualMachineCompute.of(
          new WindowsVirtualMachine(s, "win", { ...vmProps, adminPassword: "${var.p}", name: "orders-worker-01" }),
        ),
      /Windows computer name breaks Azure's rule \(it is the resource's name unless computer_name is set\): "orders-worker-01"\. Fix: use 1-15 characters/,
    ],
    [
      "a Windows scale set whose name is its 10-character computer name prefix",
      (s: TerraformStack) =>
        VirtualMachineCompute.scaleSet(
          new WindowsVirtualMachineScaleSet(s, "ss", {
            ...inRg,
            name: "orderswork",
            sku: "Standard_B2s",
            instances: 2,
            adminUsername: "azureuser",
            adminPassword: "${var.p}",
            sourceImageId: "/img",
            networkInterface: [],
            osDisk: { caching: "ReadWrite", storageAccountType: "Standard_LRS" },
          }),
        ),
      /Windows computer name prefix breaks Azure's rule \(it is the resource's name unless computer_name_prefix is set\): "orderswork"\. Fix: use 1-9 characters/,
    ],
    [
      "a deployment slot named with $$;",
      (s: TerraformStack) => {
        const app = new LinuxWebApp(s, "web", { ...inRg, name: "orders-web", servicePlanId: "/plan", siteConfig: {} });
        const slot = new LinuxWebAppSlot(s, "slot", { name: "blue$$;", appServiceId: app.id, siteConfig: {} });
        return AppServiceCompute.linuxWebApp(app, { slots: [slot] });
      },
      /\[test\/slot\] Deployment slot name breaks Azure's naming rule: "blue\$\$;"/,
    ],
    [
      "a container group with upper case and a quote",
      (s: TerraformStack) =>
        ContainerGroupCompute.of(
          new ContainerGroup(s, "cg", { ...inRg, name: "Jobs'", osType: "Linux", container: [] }),
        ),
      /Container group name breaks Azure's naming rule: "Jobs'"/,
    ],
    [
      "a container app with two hyphens in a row",
      (s: TerraformStack) =>
        ContainerAppCompute.of(
          new ContainerApp(s, "ca", {
            resourceGroupName: "app-rg",
            name: "orders--api",
            containerAppEnvironmentId: "/env",
            revisionMode: "Single",
            template: { container: [] },
          }),
        ),
      /Container app name breaks Azure's naming rule: "orders--api"/,
    ],
    [
      "an AKS cluster named with a semicolon",
      (s: TerraformStack) =>
        new AksClusterIdentity(s, "aks", {
          cluster: new KubernetesCluster(s, "cluster", {
            ...inRg,
            name: "orders;aks",
            dnsPrefix: "orders",
            defaultNodePool: { name: "system", vmSize: "Standard_D4s_v5", nodeCount: 2 },
          }),
        }),
      /AKS cluster name breaks Azure's naming rule: "orders;aks"/,
    ],
  ])("refuses %s", (_, build, error) => {
    expect(() => build(stack())).toThrow(error);
  });

  it("takes names Azure takes: a Linux VM with periods, a 15-character Windows computer name, a slot of letters and digits", () => {
    const s = stack();
    expect(() =>
      VirtualMachineCompute.of(new LinuxVirtualMachine(s, "vm", { ...vmProps, name: "web.eu-1" })),
    ).not.toThrow();
    expect(() =>
      VirtualMachineCompute.of(
        new WindowsVirtualMachine(s, "win", {
          ...vmProps,
          adminPassword: "${var.p}",
          name: "orders-worker-windows-01",
          computerName: "orders-worker-1",
        }),
      ),
    ).not.toThrow();
  });
});

describe("users are matched by object id, not by name", () => {
  it("compares a user-assigned identity's SID with its client id, and drops a same-named user of another principal", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    sqlDb(stack).grant(identity, Roles.SqlDataReader, { reason: "reads" });
    const { value } = Object.values(outputsOf(stack))[0];
    const client: string = value.grants[0].principal_client_id;
    expect(client).toMatch(/^\$\{azurerm_user_assigned_identity\.app_identity_[0-9A-F]+\.client_id\}$/);
    expect(value.steps[0].statements).toContain(
      `IF EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'app-id' AND sid <> CAST(CAST('${client}' AS uniqueidentifier) AS varbinary(16)))\nBEGIN\n    PRINT N'Replacing database user app-id: it is not this identity''s principal';\n    DROP USER [app-id];\nEND;`,
    );
  });

  it("compares a system-assigned identity's recorded object id (azurerm exports no client id for it)", () => {
    const stack = testStack();
    const web = new LinuxWebApp(stack, "web", { ...inRg, name: "orders-web", servicePlanId: "/plan", siteConfig: {} });
    new WorkloadIdentity(stack, "orders", {
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxWebApp(web)],
      grants: [sqlDb(stack).allow(Roles.SqlDataReader, "reads")],
    });
    const statements: string = Object.values(outputsOf(stack))[0].value.steps[0].statements;
    const principal = "${azurerm_linux_web_app.web.identity[0].principal_id}";
    expect(statements).toContain(
      `AND NOT EXISTS (SELECT 1 FROM sys.extended_properties AS e WHERE e.class = 4 AND e.major_id = p.principal_id AND e.name = N'entra_object_id' AND CAST(e.value AS nvarchar(36)) = '${principal}'))`,
    );
    expect(statements).toContain(
      `EXEC sys.sp_addextendedproperty @name = N'entra_object_id', @value = '${principal}', @level0type = N'USER', @level0name = N'orders-web';`,
    );
  });

  it("PostgreSQL: revokes, then drops, a same-named role whose pgaadauth label maps another object, before creating it by object id", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    pgDb(stack, "billing").grant(identity, Roles.PostgresTableReader, { reason: "reads" });
    const steps: { database: string; statements: string }[] = Object.values(outputsOf(stack))[0].value.steps;
    expect(steps.map((s) => s.database)).toEqual(["sales", "postgres", "sales"]);
    expect(steps[0].statements).toContain("l.provider = 'pgaadauth' AND position(',oid=' || lower(");
    expect(steps[0].statements).toContain('REVOKE ALL ON ALL TABLES IN SCHEMA "billing" FROM "app-id";');
    expect(steps[1].statements).toContain('DROP ROLE "app-id";');
    expect(steps[1].statements).toMatch(
      /SELECT pg_catalog\.pgaadauth_create_principal_with_oid\('app-id', '\$\{azurerm_user_assigned_identity\.app_identity_[0-9A-F]+\.principal_id\}', 'service', false, false\)\n {2}WHERE NOT EXISTS \(SELECT 1 FROM pg_catalog\.pg_roles WHERE rolname = 'app-id'\);/,
    );
  });
});

describe("a same-named principal that could not be replaced gets nothing", () => {
  // DROP USER fails for a user that owns objects, DROP ROLE for a role holding privileges
  // elsewhere; the script may go on (sqlcmd without -b, psql without ON_ERROR_STOP).
  it("Azure SQL: every role membership waits on the same check that drops the stale user", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    sqlDb(stack).grant(identity, Roles.SqlDataReader, { reason: "reads" });
    sqlDb(stack).grant(identity, Roles.SqlDataWriter, { reason: "writes" });
    const lines: string[] = Object.values(outputsOf(stack))[0].value.steps[0].statements.split("\n");
    const stale = /^IF EXISTS \((.*)\)$/.exec(lines[0])![1];
    const memberships = lines.flatMap((line, i) => (line.includes("ALTER ROLE") ? [lines[i - 1]] : []));
    expect(memberships).toHaveLength(2);
    for (const guard of memberships) expect(guard).toMatch(/^IF IS_ROLEMEMBER\(.*\) = 0 AND NOT EXISTS \((.*)\)$/);
    for (const guard of memberships) expect(guard.endsWith(`AND NOT EXISTS (${stale})`)).toBe(true);
  });

  it("PostgreSQL: the grants run in one block that stops before any grant while a role of another object keeps the name", () => {
    const stack = testStack();
    const a = new UserAssignedIdentity(stack, "a", { ...inRg, name: "a-id" });
    const b = new UserAssignedIdentity(stack, "b", { ...inRg, name: "b-id" });
    pgDb(stack, "billing").grant(a, Roles.PostgresTableWriter, { reason: "writes" });
    pgDb(stack, "billing").grant(b, Roles.PostgresTableReader, { reason: "reads" });
    const steps: { statements: string }[] = Object.values(outputsOf(stack))[0].value.steps;
    const lines = steps[2].statements.split("\n");
    expect([lines[0], lines[1], lines.at(-2), lines.at(-1)]).toEqual(["DO $grant$", "BEGIN", "END", "$grant$;"]);
    // Every check comes before the first grant of its user, and raises (which undoes the block).
    for (const user of ["a-id", "b-id"]) {
      const check = lines.findIndex((l) => l.startsWith("  IF EXISTS") && l.includes(`r.rolname = '${user}'`));
      const first = lines.findIndex((l) => l.includes(`TO "${user}";`));
      expect([check >= 0, check < first, lines[check + 1]]).toEqual([
        true,
        true,
        `    RAISE EXCEPTION 'Role % is mapped to another Entra object and was not replaced: nothing granted', '${user}';`,
      ]);
    }
  });
});

describe("PostgreSQL sequences", () => {
  const stepsFor = (role: typeof Roles.PostgresTableReader) => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    pgDb(stack).grant(identity, role, { reason: "uses tables" });
    return Object.values(outputsOf(stack))[0].value.steps[2].statements as string;
  };

  it("gives writers USAGE and SELECT on the schema's sequences, now and later", () => {
    const grants = stepsFor(Roles.PostgresTableWriter);
    expect(grants).toContain('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "app-id";');
    expect(grants).toContain(
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT USAGE, SELECT ON SEQUENCES TO "app-id";',
    );
  });

  it("gives readers nothing on sequences", () => {
    expect(stepsFor(Roles.PostgresTableReader)).not.toContain("SEQUENCES");
  });
});

describe("no identity is named like a principal the server or database already has", () => {
  // PostgreSQL reads `TO "public"` as TO PUBLIC: a role named public would grant every role the writes.
  it.each([
    ["postgresql", "public"],
    ["postgresql", "PUBLIC"],
    ["postgresql", "none"],
    ["postgresql", "pg_read_all_data"],
    ["postgresql", "azure_pg_admin"],
    ["azure-sql", "public"],
    ["azure-sql", "dbo"],
    ["azure-sql", "guest"],
    ["azure-sql", "db_owner"],
    ["azure-sql", "DB_DataReader"],
  ])("refuses, for %s, an identity named %s", (system, name) => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name });
    const grant = () =>
      system === "postgresql"
        ? pgDb(stack).grant(identity, Roles.PostgresTableWriter, { reason: "writes" })
        : sqlDb(stack).grant(identity, Roles.SqlDataWriter, { reason: "writes" });
    expect(grant).toThrow(
      `The identity's name cannot be a database principal name: it is the name of a principal the ${system === "postgresql" ? "server" : "database"} already has`,
    );
    expect(grant).toThrow(`: "${name}". Fix: give the identity a literal name`);
  });

  it("refuses an output edited to name the grant's principal public", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    pgDb(stack).grant(identity, Roles.PostgresTableWriter, { reason: "writes" });
    const output = Object.values(outputsOf(stack))[0];
    expect(stepsOfGrants(output.value)).toBeDefined();
    output.value.grants[0].principal_name = "public";
    expect(stepsOfGrants(output.value)).toBeUndefined();
  });

  it("takes names that only contain a built-in one", () => {
    const stack = testStack();
    for (const name of ["public-api", "dbo-reader", "app-pg_x"]) {
      const identity = new UserAssignedIdentity(stack, name, { ...inRg, name });
      pgDb(stack).grant(identity, Roles.PostgresTableReader, { reason: "reads" });
      sqlDb(stack).grant(identity, Roles.SqlDataReader, { reason: "reads" });
    }
    expect(Object.keys(outputsOf(stack))).toHaveLength(2);
  });
});

describe("statements rebuilt from a stack's JSON apply the same checks", () => {
  const withOutput = () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    sqlDb(stack).grant(identity, Roles.SqlDataReader, { reason: "reads" });
    const output = stack.node
      .findChild("database-access")
      .node.findChild("database-access-orders-sql-ordersdb") as TerraformOutput;
    return { stack, output };
  };

  it.each([
    ["a principal id that is no GUID", "value.grants.0.principal_id", HOSTILE_ID],
    ["a principal id from a variable", "value.grants.0.principal_id", "${var.p}"],
    ["a client id that is no GUID", "value.grants.0.principal_client_id", HOSTILE_ID],
    ["a principal name with a bracket", "value.grants.0.principal_name", "app]; DROP USER [dbo"],
    ["a principal name that is not a string", "value.grants.0.principal_name", { name: "app-id" }],
    ["a database name Terraform would evaluate", "value.database", '${file("/etc/passwd")}'],
    ["a database name with a line break", "value.database", "orders\nGO"],
    ["a host that writes its own lines into the report", "value.host", "sql.database.windows.net\n\n### forged"],
  ])("refuses (IG022) an output edited to carry %s, and echoes it into no statement", (_, path, hostile) => {
    const { stack, output } = withOutput();
    output.addOverride(path, hostile);
    // The steps say what the edited grants would call for, so only the value itself is judged.
    const value = (stack.toTerraform() as Json).output["database-access-orders-sql-ordersdb"].value;
    expect(stepsOfGrants(value)).toBeUndefined();
    const findings = evaluateGuardrails(stack, { severity: "error", today: "2026-11-22" }).filter(
      (f) => f.ruleId === "IG022",
    );
    expect([...new Set(findings.map((f) => f.address))]).toEqual(["output.database-access-orders-sql-ordersdb"]);
    const users = buildAccessReport("dev", stack.toTerraform()).databaseUsers;
    expect(users.map((u) => u.steps)).toEqual([[]]);
  });
});

describe("an output with no grants is judged by its database name too", () => {
  it("refuses (IG022) a database name no statement could carry, and the report prints no step for it", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
    sqlDb(stack).grant(identity, Roles.SqlDataReader, { reason: "reads" });
    const json = stack.toTerraform() as Json;
    const value = json.output["database-access-orders-sql-ordersdb"].value;
    value.database = "orders\n\n## No database users";
    value.grants = [];
    value.steps = [{ database: value.database, statements: "" }];
    expect(stepsOfGrants(value)).toBeUndefined();
    expect(readEstate(json).unreadable.map((r) => r.address)).toEqual(["output.database-access-orders-sql-ordersdb"]);
    expect(buildAccessReport("dev", json).databaseUsers.map((u) => u.steps)).toEqual([[]]);
  });
});

// ---- Property tests: every value is one token, whatever it holds. ----

interface Token {
  readonly kind: "name" | "string" | "other";
  /** The decoded value of a name or string; the text of anything else. */
  readonly value: string;
}

/** T-SQL tokens by the T-SQL reference's lexical rules; a comment or an unclosed quote is an error. */
function tsqlTokens(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const quoted = (open: number, close: string, kind: Token["kind"]) => {
    let value = "";
    let j = open;
    for (;;) {
      const k = sql.indexOf(close, j);
      if (k < 0) throw new Error(`unclosed ${close} at ${open}`);
      value += sql.slice(j, k);
      if (sql[k + 1] === close) {
        value += close;
        j = k + 2;
      } else {
        tokens.push({ kind, value });
        return k + 1;
      }
    }
  };
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) i++;
    else if (sql.startsWith("--", i) || sql.startsWith("/*", i)) throw new Error(`comment at ${i}`);
    else if (c === "[") i = quoted(i + 1, "]", "name");
    else if (c === '"') i = quoted(i + 1, '"', "name");
    else if ((c === "N" || c === "n") && sql[i + 1] === "'") i = quoted(i + 2, "'", "string");
    else if (c === "'") i = quoted(i + 1, "'", "string");
    else {
      const word = /^[A-Za-z_@#][A-Za-z0-9_@#$]*|^[0-9]+|^./s.exec(sql.slice(i))![0];
      tokens.push({ kind: "other", value: word });
      i += word.length;
    }
  }
  return tokens;
}

/** PostgreSQL tokens by PostgreSQL's own scanner; a DO block's body is scanned as well. */
function pgTokens(sql: string): Token[] {
  return scanSync(sql).tokens.flatMap((t): Token[] => {
    if (t.tokenName === "SQL_COMMENT" || t.tokenName === "C_COMMENT") throw new Error(`comment at ${t.start}`);
    const dollar = /^\$((?:[A-Za-z_][A-Za-z0-9_]*)?)\$([\s\S]*)\$\1\$$/.exec(t.text);
    if (t.tokenName === "SCONST" && dollar) return [{ kind: "other", value: "$$" }, ...pgTokens(dollar[2])];
    if (t.tokenName === "SCONST") return [{ kind: "string", value: t.text.slice(1, -1).replace(/''/g, "'") }];
    if (t.tokenName === "IDENT" && t.text.startsWith('"'))
      return [{ kind: "name", value: t.text.slice(1, -1).replace(/""/g, '"') }];
    return [{ kind: t.tokenName === "IDENT" ? "other" : "other", value: t.text.toLowerCase() }];
  });
}

/** Values as a fuzzer would pick them: SQL's quoting characters, comments, dollar quotes, unicode. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "'",
        '"',
        "[",
        "]",
        "]]",
        "''",
        "$$",
        "$grant$",
        "$tag$",
        ";",
        "--",
        "/*",
        "*/",
        "\\",
        "N'",
        "\uff3d",
        "\u02bc",
        "\u2019",
        "é",
        "🙂",
        "GO",
        "\n",
        "\t",
      ),
      fc.string({ unit: "grapheme", maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(""))
  // The names the emitter is handed are never empty (statementNameProblem refuses them).
  .filter((value) => value.length > 0);

const MARKERS = { user: "zzuserzz", schema: "zzschemazz", database: "zzdatabasezz" };
const substitute = (tokens: Token[], values: typeof MARKERS) =>
  tokens.map((t) =>
    t.kind === "other"
      ? t
      : {
          ...t,
          value: t.value
            .split(MARKERS.user)
            .join(values.user)
            .split(MARKERS.schema)
            .join(values.schema)
            .split(MARKERS.database)
            .join(values.database),
        },
  );

describe("every name and id is one token of the statements, whatever it holds", () => {
  beforeAll(() => loadModule());
  const users = (name: string): DatabaseUser[] => [
    { name, principalId: GUID, clientId: CLIENT, roles: [Roles.PostgresTableWriter, Roles.SqlDataWriter] },
    {
      name: `${name}-2`,
      principalId: "${azurerm_linux_web_app.web.identity[0].principal_id}",
      roles: [Roles.PostgresTableReader, Roles.SqlDataReader],
    },
  ];
  const render = (system: "azure-sql" | "postgresql", v: typeof MARKERS) =>
    statementsFor(system, { name: v.database, host: "h", schema: v.schema }, users(v.user));

  it.each(["azure-sql", "postgresql"] as const)(
    "%s: the token stream is the benign one's, each value decoded back",
    (system) => {
      const tokensOf = system === "azure-sql" ? tsqlTokens : pgTokens;
      const reference = render(system, MARKERS).map((s) => tokensOf(s.statements));
      fc.assert(
        fc.property(hostile, hostile, hostile, (user, schema, database) => {
          // PostgreSQL keeps no NUL in a name or string (its text is C strings).
          fc.pre(system === "azure-sql" || ![user, schema, database].some((v) => v.includes("\u0000")));
          const values = { user, schema, database };
          const steps = render(system, values);
          expect(steps.map((s) => tokensOf(s.statements))).toEqual(reference.map((r) => substitute(r, values)));
        }),
        { numRuns: 300 },
      );
    },
  );

  it("PostgreSQL parses each step into the statements intended, with any values", () => {
    const kinds = (sql: string) => (parseSync(sql).stmts ?? []).map((s) => Object.keys(s.stmt ?? {})[0]);
    // The grants run inside a DO block (PL/pgSQL): each user's check, then its statements.
    const body = (sql: string): string[] =>
      (parsePlPgSQLSync(sql) as any).plpgsql_funcs[0].PLpgSQL_function.action.PLpgSQL_stmt_block.body.flatMap(
        (st: Record<string, any>) => {
          const [kind] = Object.keys(st);
          if (kind === "PLpgSQL_stmt_execsql") return kinds(st[kind].sqlstmt.PLpgSQL_expr.query);
          return kind === "PLpgSQL_stmt_return" ? [] : [kind];
        },
      );
    const shape = (steps: { statements: string }[]) => [
      ...steps.map((s) => kinds(s.statements)),
      body(steps[2].statements),
    ];
    const expected = shape(render("postgresql", MARKERS));
    const writer = [
      "GrantStmt",
      "GrantStmt",
      "GrantStmt",
      "AlterDefaultPrivilegesStmt",
      "GrantStmt",
      "AlterDefaultPrivilegesStmt",
    ];
    const reader = ["GrantStmt", "GrantStmt", "GrantStmt", "AlterDefaultPrivilegesStmt"];
    expect(expected).toEqual([
      ["DoStmt"],
      ["DoStmt", "SelectStmt", "SelectStmt"],
      ["DoStmt"],
      ["PLpgSQL_stmt_if", ...writer, "PLpgSQL_stmt_if", ...reader],
    ]);
    fc.assert(
      fc.property(hostile, hostile, hostile, (user, schema, database) => {
        fc.pre(![user, schema, database].some((v) => v.includes("\u0000")));
        expect(shape(render("postgresql", { user, schema, database }))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it("picks a dollar-quote tag the body does not hold", () => {
    const [revoke] = render("postgresql", { ...MARKERS, schema: "a$grant$b$grant_1$c" });
    expect(revoke.statements.startsWith("DO $grant_2$\n")).toBe(true);
    expect(revoke.statements.endsWith("\n$grant_2$;")).toBe(true);
  });
});
