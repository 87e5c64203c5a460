import { App } from "cdktf";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import {
  AppServiceCompute,
  Identity,
  KeyVaultTarget,
  ResourceId,
  Roles,
  StorageAccountTarget,
  WorkloadIdentity,
} from "../constructs";
import { AzureStack } from "../stacks/azure-stack";
import { ENVIRONMENTS, EnvironmentSettings } from "../stacks/environment-settings";
import { shardWorkloads } from "../stacks/workload-shards";

/** About 500 resources a stack (an app, an identity and three grants per workload): see the README. */
const WORKLOADS_PER_STACK = 100;

/**
 * A large estate for the benchmark: a platform stack with the shared targets, and N workloads,
 * each a web app with an identity (system- and user-assigned alternately) and three grants,
 * split across stacks that reference the platform only by resource ids.
 */
export function buildGeneratedEstate(app: App, workloads: number): void {
  const env: EnvironmentSettings = { ...ENVIRONMENTS[0], name: "dev", namePrefix: "bench" };
  const rgName = "bench-rg";
  const names = { vault: "bench-kv", storage: "benchdata", plan: "bench-plan" };
  const platform = new AzureStack(app, "bench-platform", env, "bench/platform");
  const inGroup = { resourceGroupName: rgName, location: env.location };
  new ResourceGroup(platform, "rg", { name: rgName, location: env.location });
  new KeyVault(platform, "vault", {
    ...inGroup,
    name: names.vault,
    tenantId: env.tenantId,
    skuName: "standard",
    rbacAuthorizationEnabled: true,
  });
  new StorageAccount(platform, "storage", {
    ...inGroup,
    name: names.storage,
    accountTier: "Standard",
    accountReplicationType: "LRS",
    sharedAccessKeyEnabled: false,
  });
  new ServicePlan(platform, "plan", { ...inGroup, name: names.plan, osType: "Linux", skuName: "P1v3" });

  const idOf = (type: string, name: string) =>
    ResourceId.fromNames("bench", { subscriptionId: env.subscriptionId, resourceGroup: rgName, type, name }).id;
  const ids = Array.from({ length: workloads }, (_, i) => `w${String(i).padStart(4, "0")}`);
  for (const shard of shardWorkloads(ids, {
    name: (w) => w,
    shardsPerTeam: Math.max(1, Math.ceil(workloads / WORKLOADS_PER_STACK)),
  })) {
    const stack = new AzureStack(app, `bench-${shard.name}`, env, `bench/${shard.name}`);
    stack.addDependency(platform);
    const vault = KeyVaultTarget.fromId(stack, idOf("Microsoft.KeyVault/vaults", names.vault));
    const storage = StorageAccountTarget.fromId(stack, idOf("Microsoft.Storage/storageAccounts", names.storage));
    const planId = idOf("Microsoft.Web/serverFarms", names.plan);
    shard.workloads.forEach((name, i) => {
      const webApp = new LinuxWebApp(stack, `${name}-app`, {
        ...inGroup,
        name: `bench-${name}`,
        servicePlanId: planId,
        siteConfig: {},
      });
      new WorkloadIdentity(stack, name, {
        identity:
          i % 2 === 0 ? Identity.systemAssigned() : Identity.newUserAssigned({ ...inGroup, name: `bench-${name}-id` }),
        compute: [AppServiceCompute.linuxWebApp(webApp)],
        grants: [
          vault.allow(Roles.KeyVaultSecretsUser, "reads its secrets"),
          storage.container(name).allow(Roles.StorageBlobDataReader, "reads its documents"),
          storage.queue(name).allow(Roles.StorageQueueDataMessageProcessor, "works its jobs"),
        ],
      });
    });
  }
}
