import { App, Testing, TerraformLocal, TerraformStack, TerraformVariable } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { CosmosdbAccount } from "@cdktf/provider-azurerm/lib/cosmosdb-account";
import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { PostgresqlFlexibleServer } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server";
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { EventgridTopic } from "@cdktf/provider-azurerm/lib/eventgrid-topic";
import { MssqlServerExtendedAuditingPolicy } from "@cdktf/provider-azurerm/lib/mssql-server-extended-auditing-policy";
import { PostgresqlFlexibleServerConfiguration } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration";
import {
  AppConfigurationTarget,
  ApplicationInsightsTarget,
  AppServiceCompute,
  configureIdentityStack,
  CosmosDbAccountTarget,
  EventGridTopicTarget,
  PostgresServerTarget,
  SqlServerTarget,
  Identity,
  IdentityConfigError,
  KeyVaultTarget,
  logDataAccess,
  Roles,
  ServiceBusNamespaceTarget,
  StorageAccountTarget,
  WorkloadIdentity,
  AuditLogs,
  buildAccessReport,
  GrantRequest,
} from "../constructs";
import { kqlString, tokenAcquisitionsQuery, renderAccessReport } from "../constructs/reports";
import { readEstate, azureScopeId } from "../constructs/estate";
import { evaluateGuardrails } from "../constructs/guardrails";
import { SubnetTarget } from "../constructs/services";
import { auditWorkspaceId, ENVIRONMENTS } from "../stacks/environment-settings";
import { EnvironmentStack } from "../stacks/environment-stack";
import { BootstrapStack } from "../stacks/bootstrap-stack";
import { inRg, OTHER_SUBSCRIPTION, SUBSCRIPTION, tempDirs, TENANT, vaultId } from "./helpers";
import { DECLARED_SUBSCRIPTION_LOCAL } from "../constructs/azure";

type Json = Record<string, any>;

const resources = (json: Json, type: string): Array<Record<string, any>> => Object.values(json.resource?.[type] ?? {});
const categoriesOf = (setting: Record<string, any>): string[] =>
  (Array.isArray(setting.enabled_log) ? setting.enabled_log : [setting.enabled_log]).map(
    (l: { category?: string; category_group?: string }) => l.category ?? `group:${l.category_group}`,
  );

const WORKSPACE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`;
const PLAN_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/serverFarms/plan`;
const ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Storage/storageAccounts/appdata`;

function configured(auditLogs?: AuditLogs, severity: "error" | "warning" = "error"): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "orders");
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
  configureIdentityStack(stack, {
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    guardrails: { severity },
    auditLogs,
  });
  return stack;
}

/** A web app whose user-assigned identity `name` holds the grants. */
function workload(stack: TerraformStack, grants: GrantRequest[], name = "api-id"): void {
  const web = new LinuxWebApp(stack, "web", { ...inRg, name: "api", servicePlanId: PLAN_ID, siteConfig: {} });
  new WorkloadIdentity(stack, "api", {
    identity: Identity.newUserAssigned({ ...inRg, name }),
    compute: [AppServiceCompute.linuxWebApp(web)],
    grants,
  });
}

const synthJson = (stack: TerraformStack): Json => JSON.parse(Testing.synth(stack)) as Json;
const ig026 = (stack: TerraformStack, severity: "error" | "warning" = "error") =>
  evaluateGuardrails(stack, { severity }).filter((f) => f.ruleId === "IG026");

/** Where Azure logs a data grant on `scopeId`: the storage service for storage, else the top resource. */
function expectedAuditResource(scopeId: string, role: string): string | undefined {
  const segments = scopeId.split("/");
  if (segments.length < 9) return undefined;
  const root = segments.slice(0, 9).join("/");
  const type = `${segments[6]}/${segments[7]}`.toLowerCase();
  if (type === "microsoft.storage/storageaccounts") {
    const child = segments[9];
    const service =
      child ??
      (/^Storage Blob/.test(role)
        ? "blobServices"
        : /^Storage Queue/.test(role)
          ? "queueServices"
          : /^Storage Table/.test(role)
            ? "tableServices"
            : /^Storage File/.test(role)
              ? "fileServices"
              : undefined);
    return service ? `${root}/${service}/default` : undefined;
  }
  const audited = [
    "microsoft.keyvault/vaults",
    "microsoft.servicebus/namespaces",
    "microsoft.eventhub/namespaces",
    "microsoft.appconfiguration/configurationstores",
    "microsoft.containerregistry/registries",
    "microsoft.cognitiveservices/accounts",
  ];
  return audited.includes(type) ? root : undefined;
}

describe.each(ENVIRONMENTS.map((s) => [s.name, s] as const))("the real %s environment", (_name, settings) => {
  const app = Testing.app();
  const environment = new EnvironmentStack(app, settings);
  const bootstrap = new BootstrapStack(app, settings, [environment]);
  const envJson = synthJson(environment);
  const bootJson = synthJson(bootstrap);
  const workspaceId = auditWorkspaceId(settings);

  it("sends every data grant's target in its subscription to the environment's workspace, one setting per resource", () => {
    const estate = readEstate(envJson);
    const settingsByTarget = new Map<string, Array<Record<string, any>>>();
    for (const s of resources(envJson, "azurerm_monitor_diagnostic_setting")) {
      const target = azureScopeId(s.target_resource_id, estate);
      expect(target).toBeDefined();
      const key = target!.toLowerCase();
      settingsByTarget.set(key, [...(settingsByTarget.get(key) ?? []), s]);
    }
    for (const [target, list] of settingsByTarget) expect([target, list.length]).toEqual([target, 1]);

    const report = buildAccessReport(settings.name, envJson);
    const dataGrants = report.grants.filter(
      (g) =>
        g.plane.startsWith("data") &&
        g.scopeId?.toLowerCase().startsWith(`/subscriptions/${settings.subscriptionId.toLowerCase()}/`),
    );
    const audited = dataGrants.flatMap((g) => {
      const resource = expectedAuditResource(g.scopeId!, g.role);
      return resource ? [{ grant: g, resource }] : [];
    });
    expect(audited.length).toBeGreaterThan(0);
    expect(audited.some(({ resource }) => /\/blobServices\/default$/.test(resource))).toBe(true);
    expect(audited.some(({ resource }) => /Microsoft\.KeyVault\/vaults\/[^/]+$/.test(resource))).toBe(true);
    for (const { grant, resource } of audited) {
      const found = settingsByTarget.get(resource.toLowerCase());
      expect({ grant: grant.address, resource, found: found?.length ?? 0 }).toEqual({
        grant: grant.address,
        resource,
        found: 1,
      });
      const setting = found![0];
      expect(setting.log_analytics_workspace_id).toBe(workspaceId);
      if (/Microsoft\.KeyVault\/vaults/.test(resource)) expect(categoriesOf(setting)).toContain("AuditEvent");
      if (/\/(blob|queue)Services\/default$/.test(resource))
        expect(categoriesOf(setting)).toEqual(expect.arrayContaining(["StorageRead", "StorageWrite"]));
    }
    // Several grants share a target, yet each target has exactly one setting.
    const grantsPerResource = new Map<string, number>();
    for (const { resource } of audited)
      grantsPerResource.set(resource.toLowerCase(), (grantsPerResource.get(resource.toLowerCase()) ?? 0) + 1);
    expect(Math.max(...grantsPerResource.values())).toBeGreaterThan(1);
  });

  it("raises no IG026 finding, and the access report names the workspace", () => {
    expect(evaluateGuardrails(environment, settings.guardrails).filter((f) => f.ruleId === "IG026")).toEqual([]);
    expect(buildAccessReport(settings.name, envJson).auditWorkspace).toBe(workspaceId);
  });

  it("bootstraps the workspace, the shared registry's logs and (prod only) the managed-identity sign-ins", () => {
    const [workspace] = resources(bootJson, "azurerm_log_analytics_workspace");
    expect(resources(bootJson, "azurerm_log_analytics_workspace")).toHaveLength(1);
    expect(workspace.retention_in_days).toBe(settings.auditRetentionDays);
    expect(workspace.local_authentication_enabled).toBe(false);
    expect(workspace.name).toBe(workspaceId.split("/").pop());
    const registry = resources(bootJson, "azurerm_monitor_diagnostic_setting").filter(
      (s) => s.target_resource_id === settings.sharedRegistryId,
    );
    expect(registry).toHaveLength(1);
    expect(categoriesOf(registry[0]).sort()).toEqual([
      "ContainerRegistryLoginEvents",
      "ContainerRegistryRepositoryEvents",
    ]);
    expect(registry[0].log_analytics_workspace_id).toMatch(/azurerm_log_analytics_workspace\.audit.*\.id/);
    const aad = resources(bootJson, "azurerm_monitor_aad_diagnostic_setting");
    if (settings.name === "prod") {
      expect(aad).toHaveLength(1);
      expect(categoriesOf(aad[0])).toEqual(["ManagedIdentitySignInLogs"]);
    } else if (settings.name === "dev") {
      expect(aad).toEqual([]);
    }
  });
});

describe("a Key Vault data grant without audit logs", () => {
  const setup = () => {
    const stack = configured(undefined, "error");
    workload(stack, [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")]);
    return stack;
  };
  const handWritten = (stack: TerraformStack, target: string, enabledLog: Array<Record<string, string>>) =>
    new MonitorDiagnosticSetting(stack, "hand-written", {
      name: "by-hand",
      targetResourceId: target,
      logAnalyticsWorkspaceId: WORKSPACE_ID,
      enabledLog,
    });

  it("is an IG026 warning even where the stack's severity is error, and adds no setting", () => {
    const stack = setup();
    const findings = ig026(stack, "error");
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe("warning");
    expect(findings[0].message).toContain(vaultId());
    expect(resources(synthJson(stack), "azurerm_monitor_diagnostic_setting")).toEqual([]);
  });

  it("still warns, naming AuditEvent, when a setting on the vault sends only other categories", () => {
    const stack = setup();
    handWritten(stack, vaultId(), [{ category: "AzurePolicyEvaluationDetails" }]);
    const findings = ig026(stack);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/no AuditEvent/);
  });

  it("is satisfied by a setting on the vault with the allLogs group", () => {
    const stack = setup();
    handWritten(stack, vaultId(), [{ categoryGroup: "allLogs" }]);
    expect(ig026(stack)).toEqual([]);
  });

  it("is not satisfied by a setting on another vault", () => {
    const stack = setup();
    handWritten(stack, vaultId().replace(/app-kv$/, "other-kv"), [{ category: "AuditEvent" }]);
    const findings = ig026(stack);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(vaultId());
  });
});

describe("a Service Bus namespace target", () => {
  const withNamespace = (sku: string) => {
    const stack = configured({ workspaceId: WORKSPACE_ID });
    const ns = new ServicebusNamespace(stack, "bus", { ...inRg, name: "orders-bus", sku });
    workload(stack, [ServiceBusNamespaceTarget.of(ns).allow(Roles.ServiceBusDataReceiver, "receives orders")]);
    const json = synthJson(stack);
    return { stack, json, settings: resources(json, "azurerm_monitor_diagnostic_setting") };
  };

  it("on Premium sends RuntimeAuditLogs", () => {
    const { stack, settings } = withNamespace("Premium");
    expect(settings).toHaveLength(1);
    expect(settings[0].target_resource_id).toMatch(/azurerm_servicebus_namespace\.bus.*\.id/);
    expect(settings[0].log_analytics_workspace_id).toBe(WORKSPACE_ID);
    expect(categoriesOf(settings[0])).toEqual(["RuntimeAuditLogs"]);
    expect(ig026(stack)).toEqual([]);
  });

  it("on Standard sends OperationalLogs, and the report says data access needs Premium", () => {
    const { json, settings } = withNamespace("Standard");
    expect(settings).toHaveLength(1);
    expect(categoriesOf(settings[0])).toEqual(["OperationalLogs"]);
    const grant = buildAccessReport("orders", json).grants.find((g) => g.role === "Azure Service Bus Data Receiver");
    expect(grant?.audit).toMatch(/Premium/);
  });
});

describe("audit configuration errors", () => {
  it("refuses a workspace id that is not a Log Analytics workspace, naming it", () => {
    const stack = new TerraformStack(Testing.app(), "bad");
    const configure = () =>
      configureIdentityStack(stack, {
        subscriptionId: SUBSCRIPTION,
        tenantId: TENANT,
        guardrails: { severity: "error" },
        auditLogs: { workspaceId: vaultId() },
      });
    expect(configure).toThrow(IdentityConfigError);
    expect(configure).toThrow(vaultId());
  });

  it("refuses logDataAccess on a target without an audit profile", () => {
    const stack = configured();
    const subnet = SubnetTarget.fromId(
      stack,
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/compute`,
    );
    const log = () =>
      logDataAccess(stack, "subnet-audit", {
        target: subnet,
        service: "Network",
        workspaceId: WORKSPACE_ID,
        workspaceName: "ops",
      });
    expect(log).toThrow(IdentityConfigError);
    expect(log).toThrow(/No audit profile/);
  });
});

describe("the access report's KQL", () => {
  it("finds a user-assigned identity by its sign-in name and each logged target by id and table", () => {
    const stack = configured({ workspaceId: WORKSPACE_ID, signInWorkspaceId: WORKSPACE_ID });
    const account = StorageAccountTarget.fromId(stack, ACCOUNT_ID);
    workload(stack, [
      account.container("orders").allow(Roles.StorageBlobDataReader, "reads orders"),
      KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets"),
    ]);
    const report = buildAccessReport("orders", synthJson(stack));
    const identity = report.identities.find((i) => i.name === "api-id");
    expect(identity?.kind).toBe("UserAssigned");
    const queries = identity!.queries!;
    expect(queries.tokenAcquisitions).toContain('ServicePrincipalName == "api-id"');
    const byId = new Map(queries.dataOperations.map((q) => [q.resourceId, q.query]));
    expect([...byId.keys()].sort()).toEqual([`${ACCOUNT_ID}/blobServices/default`, vaultId()].sort());
    const blob = byId.get(`${ACCOUNT_ID}/blobServices/default`)!;
    expect(blob).toContain(`_ResourceId =~ "${ACCOUNT_ID}/blobServices/default"`);
    expect(blob).toMatch(/^StorageBlobLogs$/m);
    expect(blob).toContain('ServicePrincipalName == "api-id"');
    const vault = byId.get(vaultId())!;
    expect(vault).toContain(`_ResourceId =~ "${vaultId()}"`);
    expect(vault).toMatch(/^AzureDiagnostics\n\| where ResourceProvider == "MICROSOFT.KEYVAULT"$/m);
    // Sign-ins land in the audit workspace itself: read there, not across.
    expect(vault).not.toContain("workspace(");
  });

  it("escapes a double quote in the sign-in name", () => {
    const query = tokenAcquisitionsQuery({ signInName: 'api"id' });
    expect(query).toContain('ServicePrincipalName == "api\\"id"');
    expect(query).not.toContain('"api"id"');
  });
});

const DATA_RG = { resourceGroupName: "data-rg", location: "westeurope" };
const cosmosAccount = (stack: TerraformStack, name = "orders-cosmos") =>
  new CosmosdbAccount(stack, `cosmos-${name}`, {
    ...DATA_RG,
    name,
    offerType: "Standard",
    consistencyPolicy: { consistencyLevel: "Session" },
    geoLocation: [{ location: "westeurope", failoverPriority: 0 }],
    localAuthenticationDisabled: true,
  });
const sqlServer = (stack: TerraformStack, name = "orders-sql") =>
  new MssqlServer(stack, `sql-${name}`, { ...DATA_RG, name, version: "12.0" });

/** A stack whose workload holds a data role on a Cosmos DB account, an Azure SQL database and a PostgreSQL database. */
function databases(auditLogs?: AuditLogs) {
  const stack = configured(auditLogs, "warning");
  const cosmos = cosmosAccount(stack);
  const sql = sqlServer(stack);
  const pg = new PostgresqlFlexibleServer(stack, "pg", { ...DATA_RG, name: "orders-pg" });
  workload(stack, [
    CosmosDbAccountTarget.of(cosmos).allow(Roles.CosmosDbDataReader, "reads carts"),
    SqlServerTarget.of(sql).database("orders").allow(Roles.SqlDataReader, "reads orders"),
    PostgresServerTarget.of(pg).database("app").allow(Roles.PostgresTableReader, "reads the catalog"),
  ]);
  return { stack, cosmos, sql, pg };
}

const messagesOf = (stack: TerraformStack) => ig026(stack, "warning").map((f) => f.message);

describe("data-plane services' own grants are audited too", () => {
  it("warns (IG026) on a Cosmos DB, Azure SQL and PostgreSQL grant whose data access is logged nowhere", () => {
    const messages = messagesOf(databases().stack);
    expect(messages).toHaveLength(3);
    expect(messages.find((m) => m.includes("Cosmos DB account"))).toMatch(/DataPlaneRequests|no data-access logs/);
    expect(messages.find((m) => m.includes("Azure SQL server"))).toMatch(
      /databases\/master sends no data-access logs.*no server auditing policy/,
    );
    expect(messages.some((m) => m.includes("PostgreSQL flexible server"))).toBe(true);
  });

  it("with audit logs, sends Cosmos DataPlaneRequests (Dedicated), SQL auditing through master, PostgreSQL logs; no IG026", () => {
    const { stack } = databases({ workspaceId: WORKSPACE_ID, signInWorkspaceId: WORKSPACE_ID });
    const json = synthJson(stack);
    const settings = resources(json, "azurerm_monitor_diagnostic_setting");
    const byTarget = (pattern: RegExp) => settings.filter((s) => pattern.test(s.target_resource_id));
    const [cosmos] = byTarget(/azurerm_cosmosdb_account\./);
    expect(categoriesOf(cosmos)).toEqual(["DataPlaneRequests"]);
    expect(cosmos.log_analytics_destination_type).toBe("Dedicated");
    const [master] = byTarget(/azurerm_mssql_server\.[^}]+\.id\}\/databases\/master$/);
    expect(categoriesOf(master)).toEqual(["SQLSecurityAuditEvents"]);
    const [policy] = resources(json, "azurerm_mssql_server_extended_auditing_policy");
    expect(policy).toMatchObject({ log_monitoring_enabled: true });
    expect(policy.server_id).toMatch(/^\$\{azurerm_mssql_server\.[^}]+\.id\}$/);
    expect(policy.depends_on).toEqual([expect.stringMatching(/^azurerm_monitor_diagnostic_setting\./)]);
    const [pg] = byTarget(/azurerm_postgresql_flexible_server\./);
    expect(categoriesOf(pg)).toEqual(["PostgreSQLLogs"]);
    expect(ig026(stack, "warning")).toEqual([]);

    const report = buildAccessReport("orders", json);
    const queries = report.identities.find((i) => i.name === "api-id")!.queries!.dataOperations;
    const query = (pattern: RegExp) => queries.find((q) => pattern.test(q.resourceId))!;
    expect(query(/databaseAccounts\/orders-cosmos$/).query).toMatch(/^CDBDataPlaneRequests$/m);
    expect(query(/databaseAccounts\/orders-cosmos$/).query).toContain("| where AadPrincipalId == oid");
    const sql = query(/servers\/orders-sql\/databases\/orders$/);
    expect(sql.query).toContain('| where Category == "SQLSecurityAuditEvents"');
    expect(sql.query).toContain('| where database_name_s == "orders"');
    expect(sql.query).toContain("| where database_principal_name_s == principalName");
    expect(sql.query).toContain('let principalName = "api-id";');
    expect(sql.identifiedBy).toEqual(["name"]);
    const pgQuery = query(/flexibleServers\/orders-pg\/databases\/app$/);
    expect(pgQuery.query).toContain('Message has "connection authorized"');
    const grant = report.grants.find((g) => g.role === "PostgreSQL table reader");
    expect(grant?.audit).toMatch(/PostgreSQLLogs to ops; .*not what they read or wrote/);
  });

  it("App Configuration's caller is read from AACAudit's CallerIdentity, never AACHttpRequest (no caller column)", () => {
    const stack = configured({ workspaceId: WORKSPACE_ID, signInWorkspaceId: WORKSPACE_ID });
    const store = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.AppConfiguration/configurationStores/settings`;
    workload(stack, [AppConfigurationTarget.fromId(stack, store).allow(Roles.AppConfigurationDataReader, "reads")]);
    const report = buildAccessReport("orders", synthJson(stack));
    const [q] = report.identities.find((i) => i.name === "api-id")!.queries!.dataOperations;
    expect(q.query).toMatch(/^AACAudit$/m);
    expect(q.query).toContain("| where tostring(CallerIdentity) has oid");
    expect(q.query).not.toMatch(/AACHttpRequest|ClientObjectId/);
    expect(report.grants.find((g) => g.role === "App Configuration Data Reader")?.audit).toMatch(/not reads/);
  });

  it("states the gap for a service that records no caller (Application Insights, Event Grid), and IG026 does not pretend", () => {
    const stack = configured({ workspaceId: WORKSPACE_ID }, "warning");
    const insights = new ApplicationInsights(stack, "appi", { ...inRg, name: "api-appi", applicationType: "web" });
    const topic = new EventgridTopic(stack, "topic", { ...inRg, name: "orders-topic" });
    workload(stack, [
      ApplicationInsightsTarget.of(insights).allow(Roles.MonitoringMetricsPublisher, "sends telemetry"),
      EventGridTopicTarget.of(topic).allow(Roles.EventGridDataSender, "publishes orders"),
    ]);
    const json = synthJson(stack);
    const settings = resources(json, "azurerm_monitor_diagnostic_setting");
    expect(settings.map((s) => s.target_resource_id)).toEqual([expect.stringMatching(/azurerm_eventgrid_topic\./)]);
    expect(categoriesOf(settings[0])).toEqual(["DataPlaneRequests"]);
    expect(ig026(stack, "warning")).toEqual([]);
    const report = buildAccessReport("orders", json);
    expect(report.grants.find((g) => g.role === "Monitoring Metrics Publisher")?.audit).toMatch(
      /^not logged: Application Insights logs no caller/,
    );
    expect(report.grants.find((g) => g.role === "EventGrid Data Sender")?.audit).toMatch(
      /DataPlaneRequests to ops; .*not which identity published/,
    );
    // No query claims to find the caller where no column names one.
    expect(report.identities.find((i) => i.name === "api-id")!.queries!.dataOperations).toEqual([]);
  });
});

describe("sign-in queries run where the sign-ins are", () => {
  const SIGN_INS = `/subscriptions/${SUBSCRIPTION}/resourceGroups/prod-rg/providers/Microsoft.OperationalInsights/workspaces/prod-audit`;
  const withSignIns = (signInWorkspaceId?: string) => {
    const stack = configured({ workspaceId: WORKSPACE_ID, signInWorkspaceId });
    workload(stack, [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")]);
    return buildAccessReport("orders", synthJson(stack));
  };

  it("names the sign-in workspace, and the data queries read the ids across from it", () => {
    const report = withSignIns(SIGN_INS);
    expect(report.signInWorkspace).toBe(SIGN_INS);
    const queries = report.identities.find((i) => i.name === "api-id")!.queries!;
    // Run in the sign-in workspace: the table is its own.
    expect(queries.tokenAcquisitions).toMatch(/^AADManagedIdentitySignInLogs$/m);
    expect(queries.tokenAcquisitions).not.toContain("workspace(");
    expect(queries.dataOperations[0].query).toContain(`workspace("${SIGN_INS}").AADManagedIdentitySignInLogs`);
    expect(renderAccessReport(report)).toContain(`exports its managed-identity sign-ins to \`${SIGN_INS}\``);
  });

  it("without a sign-in workspace says sign-ins cannot be judged and writes no sign-in query", () => {
    const report = withSignIns(undefined);
    expect(report.signInWorkspace).toBeUndefined();
    const queries = report.identities.find((i) => i.name === "api-id")!.queries!;
    expect(queries.tokenAcquisitions).toBeUndefined();
    expect(queries.dataOperations[0].query).not.toContain("AADManagedIdentitySignInLogs");
    expect(queries.dataOperations[0].query.split("\n")[0]).toBe('let oid = "<object id of api-id>";');
    expect(renderAccessReport(report)).toContain("whether an identity signs in cannot be judged");
  });

  it("refuses a sign-in workspace id that is no Log Analytics workspace", () => {
    expect(() => configured({ workspaceId: WORKSPACE_ID, signInWorkspaceId: vaultId() })).toThrow(
      /sign-in workspace id is not a Log Analytics workspace/,
    );
  });

  it.each(ENVIRONMENTS.map((s) => [s.name, s] as const))(
    "%s: every environment's report points its sign-in queries at prod's workspace, which alone exports them",
    (_name, settings) => {
      const app = Testing.app();
      const environment = new EnvironmentStack(app, settings);
      const bootstrap = new BootstrapStack(app, settings, [environment]);
      const prod = ENVIRONMENTS.find((e) => e.name === "prod")!;
      const report = buildAccessReport(settings.name, synthJson(environment));
      expect(report.signInWorkspace).toBe(auditWorkspaceId(prod));
      const aad = resources(synthJson(bootstrap), "azurerm_monitor_aad_diagnostic_setting");
      expect(aad).toHaveLength(settings.name === "prod" ? 1 : 0);
      const data = report.identities.flatMap((i) => i.queries?.dataOperations ?? []);
      expect(data.length).toBeGreaterThan(0);
      for (const q of data) {
        if (settings.name === "prod") expect(q.query).not.toContain("workspace(");
        else expect(q.query).toContain(`workspace("${auditWorkspaceId(prod)}")`);
      }
    },
  );
});

describe("KQL takes values only through kqlString", () => {
  it.each([
    ['a"b', '"a\\"b"'],
    ["a\\b", '"a\\\\b"'],
    ['x" | union AuditLogs //', '"x\\" | union AuditLogs //"'],
  ])("writes %p as one string literal", (value, literal) => {
    expect(kqlString(value)).toBe(literal);
  });

  it.each([["a\nb"], ["a\rb"], ["a\u0000b"], ["a\u2028b"]])("refuses %p, which holds a control character", (value) => {
    expect(() => kqlString(value)).toThrow(/control character/);
  });

  /** A vault reader's stack JSON with its identity's name overridden to `name`, as an override can write it. */
  const renamed = (name: string) => {
    const stack = configured({ workspaceId: WORKSPACE_ID, signInWorkspaceId: WORKSPACE_ID });
    workload(stack, [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads")]);
    const json = synthJson(stack);
    Object.values<Record<string, unknown>>(json.resource.azurerm_user_assigned_identity)[0].name = name;
    return json;
  };

  it("keeps a name an override made hostile inside its literal in every query", () => {
    const report = buildAccessReport("orders", renamed('id" or 1==1 | union AuditLogs //'));
    const queries = report.identities.find((i) => i.kind === "UserAssigned")!.queries!;
    for (const query of [queries.tokenAcquisitions!, ...queries.dataOperations.map((q) => q.query)]) {
      expect(query).toContain('ServicePrincipalName == "id\\" or 1==1 | union AuditLogs //"');
      expect(query).not.toContain('"id" or');
    }
  });

  it.each([["id\nAuditLogs"], ["id\u0000"], ["id\u2028AuditLogs"]])(
    "offers no query for a name %p an override wrote with a control character, and still builds the report",
    (name) => {
      const report = buildAccessReport("orders", renamed(name));
      const identity = report.identities.find((i) => i.kind === "UserAssigned")!;
      expect([identity.name, identity.queries]).toEqual([name, undefined]);
      expect(JSON.stringify(report)).not.toMatch(/AuditLogs\n|\n\s*AuditLogs/);
    },
  );
});

describe("IG026 knows the stack's subscription when the provider names none", () => {
  // The provider may read ARM_SUBSCRIPTION_ID or a variable: the subscription configureIdentityStack
  // was given tells the stack's own targets from other subscriptions' all the same.
  it.each([
    ["names no subscription (ARM_SUBSCRIPTION_ID)", (_: TerraformStack) => ({})],
    [
      "takes it from a variable",
      (s: TerraformStack) => ({
        subscriptionId: new TerraformVariable(s, "subscription", { type: "string" }).stringValue,
      }),
    ],
  ])("warns on an unlogged Cosmos DB grant when the provider %s", (_, subscription) => {
    const stack = new TerraformStack(Testing.app(), "orders");
    new AzurermProvider(stack, "azurerm", { features: [{}], ...subscription(stack) });
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "error" },
    });
    const cosmos = new CosmosdbAccount(stack, "cosmos", {
      ...inRg,
      name: "orders-cosmos",
      offerType: "Standard",
      consistencyPolicy: { consistencyLevel: "Session" },
      geoLocation: [{ location: inRg.location, failoverPriority: 0 }],
      localAuthenticationDisabled: true,
    });
    workload(stack, [CosmosDbAccountTarget.of(cosmos).allow(Roles.CosmosDbDataReader, "reads carts")]);
    expect(ig026(stack).map((f) => f.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `the Cosmos DB account /subscriptions/${SUBSCRIPTION}/resourceGroups/${inRg.resourceGroupName}/providers/Microsoft\\.DocumentDB/databaseAccounts/orders-cosmos sends no data-access logs`,
        ),
      ),
    ]);
    expect(buildAccessReport("orders", synthJson(stack)).subscriptionId).toBe(SUBSCRIPTION);
  });
});

describe("the declared subscription written into the stack cannot be rewritten", () => {
  const tempDir = tempDirs("audit-logs-");
  // With a provider that names no subscription, the local decides which targets are the stack's own:
  // one pointed elsewhere would silence IG026 (and IG008's ids built from names) on every target.
  const forgeries: [string, (stack: TerraformStack) => void][] = [
    ["an override", (s) => s.addOverride(`locals.${DECLARED_SUBSCRIPTION_LOCAL}`, OTHER_SUBSCRIPTION)],
    ["a variable", (s) => s.addOverride(`locals.${DECLARED_SUBSCRIPTION_LOCAL}`, "${var.subscription}")],
    [
      "a second local of the name",
      (s) => new TerraformLocal(s, "mine", OTHER_SUBSCRIPTION).overrideLogicalId(DECLARED_SUBSCRIPTION_LOCAL),
    ],
    [
      "the local's expression set again",
      (s) => ((s.node.findChild("identity-stack-subscription") as TerraformLocal).expression = OTHER_SUBSCRIPTION),
    ],
  ];
  it.each(forgeries)("refuses a synth whose subscription local was rewritten by %s", (_, forge) => {
    const app = new App({ outdir: tempDir(), stackTraces: false });
    const stack = new TerraformStack(app, "orders");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "error" },
    });
    workload(stack, [
      CosmosDbAccountTarget.fromId(
        stack,
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.DocumentDB/databaseAccounts/orders-cosmos`,
      ).allow(Roles.CosmosDbDataReader, "reads carts"),
    ]);
    // The unforged stack is judged as its own: IG026 warns on the unlogged target.
    expect(ig026(stack).map((f) => f.severity)).toEqual(["warning"]);
    forge(stack);
    expect(() => app.synth()).toThrow(
      new RegExp(
        `\\[orders\\] The subscription recorded in the stack's output was overwritten: .*Fix: declare the subscription with configureIdentityStack, never by writing locals\\.${DECLARED_SUBSCRIPTION_LOCAL}`,
      ),
    );
  });
  it.each([
    ["another subscription", OTHER_SUBSCRIPTION, true],
    ["the declared one in upper case", SUBSCRIPTION.toUpperCase(), false],
  ])("refuses a provider that deploys into %s only when it differs", (_, subscriptionId, refused) => {
    const app = new App({ outdir: tempDir(), stackTraces: false });
    const stack = new TerraformStack(app, "orders");
    new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId });
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "error" },
    });
    const synth = () => app.synth();
    if (refused)
      expect(synth).toThrow(
        `[orders] The azurerm provider deploys into subscription ${OTHER_SUBSCRIPTION}, not the one configureIdentityStack was given: ${JSON.stringify(SUBSCRIPTION)}`,
      );
    else expect(synth).not.toThrow();
  });
});

describe("IG026 is not fooled by a setting that only looks like logging", () => {
  const COSMOS = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.DocumentDB/databaseAccounts/orders-cosmos`;
  const SQL = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.Sql/servers/orders-sql`;
  const STORAGE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/logs`;

  /** A Cosmos DB grant and an Azure SQL grant, by id, in a stack that adds no logging itself. */
  const setup = () => {
    const stack = configured(undefined, "warning");
    workload(stack, [
      CosmosDbAccountTarget.fromId(stack, COSMOS).allow(Roles.CosmosDbDataReader, "reads carts"),
      SqlServerTarget.fromId(stack, SQL).database("orders").allow(Roles.SqlDataReader, "reads orders"),
    ]);
    return stack;
  };
  const setting = (
    stack: TerraformStack,
    id: string,
    target: string,
    overrides: Partial<ConstructorParameters<typeof MonitorDiagnosticSetting>[2]> = {},
  ) =>
    new MonitorDiagnosticSetting(stack, id, {
      name: id,
      targetResourceId: target,
      logAnalyticsWorkspaceId: WORKSPACE_ID,
      logAnalyticsDestinationType: "Dedicated",
      enabledLog: [{ category: "DataPlaneRequests" }],
      ...overrides,
    });
  const sqlMaster = (stack: TerraformStack, target = `${SQL}/databases/master`) =>
    setting(stack, "sql-master", target, {
      logAnalyticsDestinationType: undefined,
      enabledLog: [{ category: "SQLSecurityAuditEvents" }],
    });
  const policy = (stack: TerraformStack, overrides: Record<string, unknown> = {}, serverId = SQL) =>
    new MssqlServerExtendedAuditingPolicy(stack, "policy", { serverId, logMonitoringEnabled: true, ...overrides });
  /** Both targets logged as they must be: the control every bypass below breaks in one way. */
  const logged = (stack: TerraformStack) => {
    setting(stack, "cosmos", COSMOS);
    sqlMaster(stack);
    return policy(stack);
  };
  const findings = (stack: TerraformStack) => ({
    cosmos: messagesOf(stack).filter((m) => m.includes("Cosmos DB account")),
    sql: messagesOf(stack).filter((m) => m.includes("Azure SQL server")),
  });

  it("is satisfied by hand-written settings that do log both (the control)", () => {
    const stack = setup();
    logged(stack);
    expect(findings(stack)).toEqual({ cosmos: [], sql: [] });
  });

  it.each<[string, (stack: TerraformStack) => void, RegExp]>([
    [
      "the right category but no workspace (a storage account only)",
      (s) => setting(s, "c", COSMOS, { logAnalyticsWorkspaceId: undefined, storageAccountId: STORAGE }),
      /sends no data-access logs/,
    ],
    ["a workspace id that is empty", (s) => setting(s, "c", COSMOS, { logAnalyticsWorkspaceId: "" }), /no data-access/],
    [
      "a workspace id that is another resource's",
      (s) => setting(s, "c", COSMOS, { logAnalyticsWorkspaceId: STORAGE }),
      /no data-access/,
    ],
    [
      "a workspace only Terraform knows (a variable)",
      (s) => setting(s, "c", COSMOS, { logAnalyticsWorkspaceId: "${var.workspace}" }),
      /no data-access/,
    ],
    [
      "the right category on another account",
      (s) => setting(s, "c", COSMOS.replace(/orders-cosmos$/, "other")),
      /no data-access/,
    ],
    [
      "the category name in another case",
      (s) => setting(s, "c", COSMOS, { enabledLog: [{ category: "dataplanerequests" }] }),
      /no DataPlaneRequests/,
    ],
    [
      "the allLogs group in another case",
      (s) => setting(s, "c", COSMOS, { enabledLog: [{ categoryGroup: "AllLogs" }] }),
      /no DataPlaneRequests/,
    ],
    [
      "AzureDiagnostics mode, where the report's CDBDataPlaneRequests query finds nothing",
      (s) => setting(s, "c", COSMOS, { logAnalyticsDestinationType: "AzureDiagnostics" }),
      /log_analytics_destination_type = Dedicated/,
    ],
    [
      "a setting that is never created (count = 0)",
      (s) => setting(s, "c", COSMOS).addOverride("count", 0),
      /sends no data-access logs/,
    ],
    [
      "a setting made for each of a set only Terraform knows",
      (s) => setting(s, "c", COSMOS).addOverride("for_each", "${var.accounts}"),
      /sends no data-access logs/,
    ],
    [
      "its categories in a dynamic block only Terraform expands",
      (s) =>
        setting(s, "c", COSMOS, { enabledLog: [] }).addOverride("dynamic.enabled_log", {
          for_each: "${var.categories}",
          content: { category: "${enabled_log.value}" },
        }),
      /no DataPlaneRequests/,
    ],
  ])("Cosmos DB: warns on %s", (_what, write, message) => {
    const stack = setup();
    sqlMaster(stack);
    policy(stack);
    write(stack);
    const { cosmos, sql } = findings(stack);
    expect(sql).toEqual([]);
    expect(cosmos).toHaveLength(1);
    expect(cosmos[0]).toMatch(message);
  });

  it.each<[string, (stack: TerraformStack) => void, RegExp]>([
    ["no auditing policy at all", (s) => sqlMaster(s), /no server auditing policy/],
    [
      "an auditing policy with log_monitoring_enabled false",
      (s) => (sqlMaster(s), policy(s, { logMonitoringEnabled: false })),
      /off or does not send to Azure Monitor/,
    ],
    [
      "an auditing policy that is disabled",
      (s) => (sqlMaster(s), policy(s, { enabled: false })),
      /off or does not send/,
    ],
    [
      "an auditing policy on another server",
      (s) => (sqlMaster(s), policy(s, {}, SQL.replace(/orders-sql$/, "other-sql"))),
      /no server auditing policy/,
    ],
    [
      "the setting on the user database instead of master",
      (s) => (sqlMaster(s, `${SQL}/databases/orders`), policy(s)),
      /databases\/master sends no data-access logs/,
    ],
    [
      "audit groups without BATCH_COMPLETED_GROUP (logins only)",
      (s) => (sqlMaster(s), policy(s, { auditActionsAndGroups: ["SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP"] })),
      /leaves out BATCH_COMPLETED_GROUP/,
    ],
    [
      "a predicate that filters the audit",
      (s) => (sqlMaster(s), policy(s, { predicateExpression: "database_principal_name <> 'api-id'" })),
      /predicate_expression/,
    ],
    [
      "the policy's log_monitoring_enabled overridden to a variable",
      (s) => (sqlMaster(s), policy(s).addOverride("log_monitoring_enabled", "${var.audit}")),
      /off or does not send/,
    ],
    [
      "an auditing policy that is never created (count = 0)",
      (s) => (sqlMaster(s), policy(s).addOverride("count", 0)),
      /no server auditing policy/,
    ],
  ])("Azure SQL: warns on %s", (_what, write, message) => {
    const stack = setup();
    setting(stack, "cosmos", COSMOS);
    write(stack);
    const { cosmos, sql } = findings(stack);
    expect(cosmos).toEqual([]);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(message);
  });

  it("warns when an override changes the category of the setting the grant itself made", () => {
    const stack = configured({ workspaceId: WORKSPACE_ID }, "warning");
    const account = cosmosAccount(stack);
    workload(stack, [CosmosDbAccountTarget.of(account).allow(Roles.CosmosDbDataReader, "reads carts")]);
    const made = stack.node.findAll().find((c) => c instanceof MonitorDiagnosticSetting) as MonitorDiagnosticSetting;
    made.addOverride("enabled_log.0.category", "QueryRuntimeStatistics");
    expect(messagesOf(stack)).toEqual([expect.stringMatching(/no DataPlaneRequests/)]);
  });

  it("warns when PostgreSQL's log_connections is turned off, so no connection names its user", () => {
    const stack = configured({ workspaceId: WORKSPACE_ID }, "warning");
    const pg = new PostgresqlFlexibleServer(stack, "pg", { ...DATA_RG, name: "orders-pg" });
    workload(stack, [PostgresServerTarget.of(pg).database("app").allow(Roles.PostgresTableReader, "reads")]);
    new PostgresqlFlexibleServerConfiguration(stack, "no-connections", {
      name: "log_connections",
      serverId: pg.id,
      value: "off",
    });
    expect(messagesOf(stack)).toEqual([expect.stringMatching(/log_connections parameter is set to other than on/)]);
  });
});
