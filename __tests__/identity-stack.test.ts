import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import * as publicApi from "../constructs";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import {
  AppServiceCompute,
  configureIdentityStack,
  Identity,
  KeyVaultTarget,
  Roles,
  WorkloadIdentity,
} from "../constructs";
import { inRg, SUBSCRIPTION, TENANT, tempDirs, vaultId } from "./helpers";

const tempDir = tempDirs("identity-stack-");
const PLAN_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/serverFarms/plan`;

function configured(severity: "error" | "warning" = "error") {
  const app = new App({ outdir: tempDir(), stackTraces: false });
  const stack = new TerraformStack(app, "orders");
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
  const workspaceId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`;
  configureIdentityStack(stack, {
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    guardrails: { severity },
    auditLogs: { workspaceId },
  });
  return { app, stack, dir: join(app.outdir, "stacks", "orders") };
}

describe("configureIdentityStack", () => {
  it("is the one call that makes a stack judged: grants work, and synth writes the guardrail and access reports", () => {
    const { app, stack, dir } = configured();
    const web = new LinuxWebApp(stack, "web", { ...inRg, name: "api", servicePlanId: PLAN_ID, siteConfig: {} });
    new WorkloadIdentity(stack, "api", {
      identity: Identity.newUserAssigned({ ...inRg, name: "api-id" }),
      compute: [AppServiceCompute.linuxWebApp(web)],
      grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
    });
    app.synth();
    expect(JSON.parse(readFileSync(join(dir, "guardrails.json"), "utf8")).findings).toEqual([]);
    expect(readFileSync(join(dir, "access-report.md"), "utf8")).toContain("Key Vault Secrets User");
    expect(existsSync(join(dir, "guardrails.sarif"))).toBe(true);
  });

  it("fails the synth on a hand-written assignment the guardrails refuse", () => {
    const { app, stack } = configured();
    new RoleAssignment(stack, "owner", {
      scope: `/subscriptions/${SUBSCRIPTION}`,
      roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
      principalId: "00000000-0000-4000-8000-000000000001",
    });
    expect(() => app.synth()).toThrow(/IG001/);
  });

  it("refuses a second call on the same stack with a message, not a construct-name clash", () => {
    const { stack } = configured();
    expect(() =>
      configureIdentityStack(stack, {
        subscriptionId: SUBSCRIPTION,
        tenantId: TENANT,
        guardrails: { severity: "error" },
      }),
    ).toThrow(
      '[orders] configureIdentityStack was called twice on this stack (or it has a construct named guardrails): "orders". Fix: call it once per stack, right after creating the stack',
    );
  });

  it("refuses a subscription id that is not a GUID", () => {
    const stack = new TerraformStack(new App({ outdir: tempDir() }), "bad");
    expect(() =>
      configureIdentityStack(stack, { subscriptionId: "my-sub", tenantId: TENANT, guardrails: { severity: "error" } }),
    ).toThrow(/^\[bad\] .*subscription id.*"my-sub"/);
  });
});

describe("the public entry point", () => {
  it("exports the grouped API and nothing internal", () => {
    expect(Object.keys(publicApi).sort()).toEqual([
      "AksClusterIdentity",
      "AksWorkloadIdentity",
      "AppConfigurationTarget",
      "AppServiceCompute",
      "ApplicationInsightsTarget",
      "CONVERSION_PHASES",
      "CognitiveServicesTarget",
      "Connections",
      "ContainerAppCompute",
      "ContainerGroupCompute",
      "ContainerRegistryTarget",
      "CosmosDbAccountTarget",
      "DeveloperAccess",
      "EventGridDomainTarget",
      "EventGridTopicTarget",
      "EventHubsNamespaceTarget",
      "ExistingUserAssignedIdentity",
      "FederatedTrust",
      "GitHubDeployer",
      "GitHubSubject",
      "GuardrailSuppressions",
      "Identity",
      "IdentityConfigError",
      "KeyVaultTarget",
      "KubernetesClusterTarget",
      "Migration",
      "MysqlServerTarget",
      "NetworkPath",
      "PostgresServerTarget",
      "RedisCacheTarget",
      "ResourceId",
      "Roles",
      "SECRET_PHASES",
      "ScopeTarget",
      "SearchServiceTarget",
      "ServiceBusNamespaceTarget",
      "ServiceTarget",
      "SignalRServiceTarget",
      "SqlServerTarget",
      "StorageAccountTarget",
      "UserAssignedIdentity",
      "VirtualMachineCompute",
      "WebPubSubTarget",
      "WorkloadIdentity",
      "azureRole",
      "buildAccessReport",
      "configureIdentityStack",
      "dataPlaneRole",
      "defineService",
      "diffAccess",
      "logDataAccess",
      "mysql",
      "notApplicable",
      "onlyAssignRoles",
      "renderAccessDiff",
      "requiredResourceProviders",
    ]);
  });
});
