import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { App, TerraformStack } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { EnvironmentSettings } from "../stacks/environment-settings";
import { addBenchPlatform, BENCH_ENV, BENCH_NAMES, WORKLOADS_PER_STACK } from "./bench-platform";
import { configureAzure } from "../stacks/azure-provider";

/**
 * The floor for the generated estate (bench/generated-estate.ts): the same stacks and the same
 * resources, written with the provider classes alone. No AzureContext, guardrails, access report,
 * cross-stack check, targets, grant checks or identity merging: ids are template strings, roles
 * literal GUIDs, and each resource gets its final arguments in its constructor. The construct tree
 * (a scope per workload, the identity or `system-identity-<app>` scope under it) mirrors ours, so
 * the Terraform JSON is the same, byte for byte: the difference in time is the library's own cost.
 * Nothing of constructs/ or stacks/ is loaded but the environment settings (plain data).
 */
export function buildFloorEstate(app: App, workloads: number): void {
  const env = BENCH_ENV;
  const rgName = BENCH_NAMES.resourceGroup;
  const names = BENCH_NAMES;
  const inGroup = { resourceGroupName: rgName, location: env.location };
  const platform = floorStack(app, "bench-platform", env, "bench/platform");
  addBenchPlatform(platform);

  const group = `/subscriptions/${env.subscriptionId}/resourceGroups/${rgName}`;
  const vaultId = `${group}/providers/Microsoft.KeyVault/vaults/${names.vault}`;
  const storageId = `${group}/providers/Microsoft.Storage/storageAccounts/${names.storage}`;
  const planId = `${group}/providers/Microsoft.Web/serverFarms/${names.plan}`;
  const roleId = (guid: string) =>
    `/subscriptions/${env.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  const ids = Array.from({ length: workloads }, (_, i) => `w${String(i).padStart(4, "0")}`);
  for (const shard of shardWorkloads(ids, Math.max(1, Math.ceil(workloads / WORKLOADS_PER_STACK)))) {
    const stack = floorStack(app, `bench-${shard.name}`, env, `bench/${shard.name}`);
    stack.addDependency(platform);
    shard.workloads.forEach((name, i) => {
      const grants = [
        {
          id: "key-vault-secrets-user-on-bench-kv",
          role: KEY_VAULT_SECRETS_USER,
          scope: vaultId,
          reason: "reads its secrets",
        },
        {
          id: `storage-blob-data-reader-on-benchdata-${name}`,
          role: STORAGE_BLOB_DATA_READER,
          scope: `${storageId}/blobServices/default/containers/${name}`,
          reason: "reads its documents",
        },
        {
          id: `storage-queue-data-message-processor-on-benchdata-${name}`,
          role: STORAGE_QUEUE_DATA_MESSAGE_PROCESSOR,
          scope: `${storageId}/queueServices/default/queues/${name}`,
          reason: "works its jobs",
        },
      ];
      const site = { ...inGroup, name: `bench-${name}`, servicePlanId: planId, siteConfig: {} };
      let principal: { scope: Construct; principalId: string; resourceId: string };
      if (i % 2 === 0) {
        const webApp = new LinuxWebApp(stack, `${name}-app`, { ...site, identity: { type: "SystemAssigned" } });
        const scope = new Construct(new Construct(stack, name), `system-identity-${name}-app`);
        principal = {
          scope,
          principalId: webApp.identity.principalId,
          resourceId: `${group}/providers/Microsoft.Web/sites/${site.name}`,
        };
      } else {
        // The app comes first in the construct tree, as in ours, so the JSON keeps the same order.
        const webApp = new LinuxWebApp(stack, `${name}-app`, site);
        const scope = new Construct(new Construct(stack, name), "identity");
        const identity = new UserAssignedIdentity(scope, "identity", { ...inGroup, name: `bench-${name}-id` });
        webApp.putIdentity({ type: "UserAssigned", identityIds: [identity.id] });
        webApp.appSettings = { AZURE_CLIENT_ID: identity.clientId };
        webApp.keyVaultReferenceIdentityId = identity.id;
        principal = {
          scope,
          principalId: identity.principalId,
          resourceId: `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/bench-${name}-id`,
        };
      }
      for (const grant of grants) {
        new RoleAssignment(principal.scope, grant.id, {
          name: assignmentName(grant.scope, grant.role, principal.resourceId),
          scope: grant.scope,
          roleDefinitionId: roleId(grant.role),
          principalId: principal.principalId,
          principalType: "ServicePrincipal",
          description: `${name}: ${grant.reason}`,
        });
      }
    });
  }
}

const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const STORAGE_QUEUE_DATA_MESSAGE_PROCESSOR = "8a0f0c08-91a1-4084-bc3d-661d67233fed";

/** A stack with its provider and backend, as AzureStack configures them, and nothing else. */
function floorStack(app: App, id: string, settings: EnvironmentSettings, stateKey: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  configureAzure(stack, settings, stateKey);
  return stack;
}

/** stacks/workload-shards.ts for one team, without loading the library for its text comparison. */
function shardWorkloads(workloads: readonly string[], shards: number): { name: string; workloads: string[] }[] {
  const byIndex = new Map<number, string[]>();
  for (const workload of workloads) {
    const index = createHash("sha1").update(workload).digest().readUInt32BE(0) % shards;
    byIndex.set(index, [...(byIndex.get(index) ?? []), workload]);
  }
  return [...byIndex]
    .sort(([a], [b]) => a - b)
    .map(([index, names]) => ({ name: `workloads-${index + 1}`, workloads: names }));
}

/** The UUID v5 of constructs/core/deterministic-name.ts `roleAssignmentName`, for literal inputs. */
const NAMESPACE = Buffer.from("5353215d7a4049bba84c5af019410666", "hex");
function assignmentName(scopeId: string, roleGuid: string, principalResourceId: string): string {
  const bytes = createHash("sha1")
    .update(NAMESPACE)
    .update([scopeId, roleGuid, principalResourceId].join("|").toLowerCase(), "utf8")
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
