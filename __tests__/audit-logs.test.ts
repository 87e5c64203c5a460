import { Testing, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import {
  AppServiceCompute,
  configureIdentityStack,
  Identity,
  IdentityConfigError,
  KeyVaultTarget,
  logDataAccess,
  Roles,
  ServiceBusNamespaceTarget,
  StorageAccountTarget,
  WorkloadIdentity,
} from "../constructs";
import { AuditLogs } from "../constructs/internal/audit/diagnostics";
import { tokenAcquisitionsQuery } from "../constructs/internal/audit/kql";
import { buildAccessReport } from "../constructs/estate/access-report";
import { readEstate } from "../constructs/internal/estate/estate-model";
import { azureScopeId } from "../constructs/internal/estate/azure-id-of";
import { evaluateGuardrails } from "../constructs/internal/guardrails/findings";
import { GrantRequest } from "../constructs/grant";
import { SubnetTarget } from "../constructs/targets";
import { auditWorkspaceId, ENVIRONMENTS } from "../stacks/environment-settings";
import { EnvironmentStack } from "../stacks/environment-stack";
import { BootstrapStack } from "../stacks/bootstrap-stack";
import { inRg, SUBSCRIPTION, TENANT, vaultId } from "./helpers";

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
    const stack = configured({ workspaceId: WORKSPACE_ID });
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
    expect(vault).toMatch(/^AzureDiagnostics /m);
  });

  it("escapes a double quote in the sign-in name", () => {
    const query = tokenAcquisitionsQuery({ signInName: 'api"id' });
    expect(query).toContain('ServicePrincipalName == "api\\"id"');
    expect(query).not.toContain('"api"id"');
  });
});
