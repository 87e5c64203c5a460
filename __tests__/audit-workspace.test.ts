import { App, Lazy, Testing, TerraformStack, TerraformVariable } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import {
  AppServiceCompute,
  AuditLogs,
  buildAccessReport,
  configureIdentityStack,
  Identity,
  KeyVaultTarget,
  Roles,
  WorkloadIdentity,
} from "../constructs";
import { evaluateGuardrails } from "../constructs/guardrails";
import { renderAccessReport } from "../constructs/reports";
import { inRg, refusal, SUBSCRIPTION, TENANT, vaultId } from "./helpers";

type Json = Record<string, any>;

/** The id the workspace below has, built from its names in the stack's subscription. */
const WORKSPACE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`;
const PLAN_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/serverFarms/plan`;

const stackIn = (app: App, id: string): TerraformStack => {
  const stack = new TerraformStack(app, id);
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
  return stack;
};

/** A workspace `ops` in resource group `ops-rg`, named by a resource group of the stack. */
function workspaceIn(stack: TerraformStack, id = "workspace"): LogAnalyticsWorkspace {
  const group = new ResourceGroup(stack, `${id}-rg`, { name: "ops-rg", location: "westeurope" });
  return new LogAnalyticsWorkspace(stack, id, { name: "ops", resourceGroupName: group.name, location: "westeurope" });
}

const configure = (stack: TerraformStack, auditLogs: AuditLogs) =>
  configureIdentityStack(stack, {
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    guardrails: { severity: "error" },
    auditLogs,
  });

/** A web app's identity reading a vault's secrets: a data grant, so its target logs to the workspace. */
function workload(stack: TerraformStack): void {
  const web = new LinuxWebApp(stack, "web", { ...inRg, name: "api", servicePlanId: PLAN_ID, siteConfig: {} });
  new WorkloadIdentity(stack, "api", {
    identity: Identity.newUserAssigned({ ...inRg, name: "api-id" }),
    compute: [AppServiceCompute.linuxWebApp(web)],
    grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads its secrets")],
  });
}

const settingsOf = (json: Json): Json[] => Object.values(json.resource?.azurerm_monitor_diagnostic_setting ?? {});

describe.each([
  ["the workspace construct", (w: LogAnalyticsWorkspace): AuditLogs => ({ workspace: w })],
  ["the workspace's id token", (w: LogAnalyticsWorkspace): AuditLogs => ({ workspaceId: w.id })],
  // The id built from names, as the docs suggest: the settings still reference the workspace.
  ["the workspace's literal id", (_w: LogAnalyticsWorkspace): AuditLogs => ({ workspaceId: WORKSPACE_ID })],
])("auditLogs given %s of the same stack", (_given, auditLogsOf) => {
  const stack = stackIn(Testing.app(), "orders");
  configure(stack, { ...auditLogsOf(workspaceIn(stack)), signInWorkspaceId: WORKSPACE_ID });
  workload(stack);
  const json = JSON.parse(Testing.synth(stack)) as Json;

  it("references the workspace from each setting, so Terraform creates the workspace first, and names it", () => {
    const settings = settingsOf(json);
    expect(settings).toHaveLength(1);
    expect(settings[0]).toMatchObject({
      name: "audit-to-ops",
      target_resource_id: vaultId(),
      log_analytics_workspace_id: "${azurerm_log_analytics_workspace.workspace.id}",
    });
  });

  it("reports the workspace by the id built from its names, and runs the queries in it", () => {
    const report = buildAccessReport("orders", json);
    expect(report.auditWorkspace).toBe(WORKSPACE_ID);
    expect(report.grants.find((g) => g.role === Roles.KeyVaultSecretsUser.name)?.audit).toBe("AuditEvent to ops");
    // The sign-ins go to the same workspace, so the queries read them there, not across workspaces.
    expect(renderAccessReport(report)).toContain("the data queries run in the audit workspace (the same one)");
    const queries = report.identities.flatMap((i) => i.queries?.dataOperations ?? []);
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect(q.query).not.toContain("workspace(");
  });

  it("has no guardrail findings: the guardrails read the referenced workspace as the data grant's audit", () => {
    expect(evaluateGuardrails(stack, { severity: "error" }, json).map((f) => `${f.ruleId} ${f.address}`)).toEqual([]);
  });
});

describe("auditLogs refuses", () => {
  const fromNamesFix =
    'the id string built with ResourceId.fromNames(scope, { subscriptionId, resourceGroup, type: "Microsoft.OperationalInsights/workspaces", name })';

  it("a workspace construct of another stack, naming it and the fix", () => {
    const app = Testing.app();
    const ops = workspaceIn(stackIn(app, "ops"));
    const orders = stackIn(app, "orders");
    expect(refusal(() => configure(orders, { workspace: ops })).message).toBe(
      `[orders] The audit workspace ops/workspace belongs to stack ops, not to this stack orders: "ops/workspace". Fix: pass ${fromNamesFix}: a reference to another stack's workspace becomes a remote-state read, so this stack's plan would wait for that stack's deploy`,
    );
  });

  it("another stack's workspace id token, even where this stack has a workspace at the same address", () => {
    const app = Testing.app();
    const ops = workspaceIn(stackIn(app, "ops"));
    const orders = stackIn(app, "orders");
    workspaceIn(orders);
    expect(refusal(() => configure(orders, { workspaceId: ops.id })).message).toMatch(
      /^\[orders\] The audit workspace ops\/workspace belongs to stack ops, not to this stack orders: "ops\/workspace"\. Fix: pass the id string built with ResourceId\.fromNames/,
    );
    // Resolving the token made no cross-stack output or remote state.
    const opsJson = JSON.parse(Testing.synth(app.node.findChild("ops") as TerraformStack)) as Json;
    expect(opsJson.output).toBeUndefined();
  });

  it.each([
    [
      "another resource's id",
      (s: TerraformStack) =>
        new StorageAccount(s, "data", {
          ...inRg,
          name: "appdata",
          accountTier: "Standard",
          accountReplicationType: "LRS",
        }).id,
      "${azurerm_storage_account.data.id}",
    ],
    [
      "the workspace's name",
      (s: TerraformStack) => workspaceIn(s).name,
      "${azurerm_log_analytics_workspace.workspace.name}",
    ],
    ["a variable", (s: TerraformStack) => new TerraformVariable(s, "workspace", {}).stringValue, "${var.workspace}"],
  ])("a token that is %s, not a Log Analytics workspace of the stack", (_what, tokenIn, written) => {
    const stack = stackIn(Testing.app(), "orders");
    expect(refusal(() => configure(stack, { workspaceId: tokenIn(stack) })).message).toBe(
      `[orders] The audit workspace is neither a literal id nor a Log Analytics workspace of this stack: "${written}". Fix: pass ${fromNamesFix}, or the LogAnalyticsWorkspace this stack creates`,
    );
  });

  it("a workspace whose name only Terraform knows", () => {
    const stack = stackIn(Testing.app(), "orders");
    const name = new TerraformVariable(stack, "name", {}).stringValue;
    const workspace = new LogAnalyticsWorkspace(stack, "workspace", { ...inRg, name });
    expect(refusal(() => configure(stack, { workspace })).message).toMatch(
      /^\[orders\/workspace\] The audit workspace's name or resource group is known only to Terraform, so the report cannot name it: "\/subscriptions\/.*\/workspaces\/\$\{var\.name\}"\. Fix: give the LogAnalyticsWorkspace a literal name/,
    );
  });

  it.each([
    ["both a workspace and a workspace id", true, "names its workspace twice, as workspace and as workspaceId"],
    ["neither", false, "names no workspace"],
  ])("%s", (_what, both, problem) => {
    const stack = stackIn(Testing.app(), "orders");
    const workspace = workspaceIn(stack);
    const given = both ? { workspace, workspaceId: WORKSPACE_ID } : {};
    expect(refusal(() => configure(stack, given)).message).toBe(
      `[orders] auditLogs ${problem}: ${JSON.stringify({ workspace: both ? "orders/workspace" : null, workspaceId: both ? WORKSPACE_ID : null })}. Fix: give one: workspace (a LogAnalyticsWorkspace of this stack) or workspaceId (a workspace's resource id string)`,
    );
  });
});

describe("auditLogs given a literal id", () => {
  it("orders the settings after a workspace of that id the stack creates after configureIdentityStack", () => {
    const stack = stackIn(Testing.app(), "orders");
    configure(stack, { workspaceId: WORKSPACE_ID });
    workload(stack);
    workspaceIn(stack, "late");
    expect(settingsOf(JSON.parse(Testing.synth(stack)))[0].log_analytics_workspace_id).toBe(
      "${azurerm_log_analytics_workspace.late.id}",
    );
  });

  it("writes the literal when the stack has no workspace of that id", () => {
    const stack = stackIn(Testing.app(), "orders");
    configure(stack, { workspaceId: WORKSPACE_ID.replace("/ops", "/central") });
    workload(stack);
    workspaceIn(stack);
    expect(settingsOf(JSON.parse(Testing.synth(stack)))[0].log_analytics_workspace_id).toBe(
      WORKSPACE_ID.replace("/ops", "/central"),
    );
  });

  it("refuses a Lazy that produces a workspace's id: it keeps no stack, so it could be any stack's", () => {
    const app = Testing.app();
    const central = workspaceIn(stackIn(app, "central"));
    const stack = stackIn(app, "orders");
    workspaceIn(stack);
    expect(
      refusal(() => configure(stack, { workspaceId: Lazy.stringValue({ produce: () => central.id }) })).problem,
    ).toBe("The audit workspace is neither a literal id nor a Log Analytics workspace of this stack");
  });
});
