import { App } from "cdktf";
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
import { addBenchPlatform, BENCH_ENV, BENCH_NAMES, WORKLOADS_PER_STACK } from "./bench-platform";
import { shardWorkloads } from "../stacks/workload-shards";

/**
 * A large estate for the benchmark: a platform stack with the shared targets, and N workloads,
 * each a web app with an identity (system- and user-assigned alternately) and three grants,
 * split across stacks that reference the platform only by resource ids.
 */
export function buildGeneratedEstate(app: App, workloads: number): void {
  const env = BENCH_ENV;
  const rgName = BENCH_NAMES.resourceGroup;
  const names = BENCH_NAMES;
  const inGroup = { resourceGroupName: rgName, location: env.location };
  const platform = new AzureStack(app, "bench-platform", env, "bench/platform");
  addBenchPlatform(platform);

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
