import { TerraformStack } from "cdktf";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { ENVIRONMENTS, EnvironmentSettings } from "../stacks/environment-settings";

// What the generated estate and its floor share. Provider classes only: the floor loads nothing of
// the library, so the difference in time between the two is the library's own cost.

/** About 500 resources a stack (an app, an identity and three grants per workload): see the README. */
export const WORKLOADS_PER_STACK = 100;

/** The benchmark's environment: dev's settings under its own prefix. */
export const BENCH_ENV: EnvironmentSettings = { ...ENVIRONMENTS[0], name: "dev", namePrefix: "bench" };

export const BENCH_NAMES = { resourceGroup: "bench-rg", vault: "bench-kv", storage: "benchdata", plan: "bench-plan" };

/** The platform stack's resources: the group, and the vault, account and plan the workloads use. */
export function addBenchPlatform(platform: TerraformStack): void {
  const env = BENCH_ENV;
  const inGroup = { resourceGroupName: BENCH_NAMES.resourceGroup, location: env.location };
  new ResourceGroup(platform, "rg", { name: BENCH_NAMES.resourceGroup, location: env.location });
  new KeyVault(platform, "vault", {
    ...inGroup,
    name: BENCH_NAMES.vault,
    tenantId: env.tenantId,
    skuName: "standard",
    rbacAuthorizationEnabled: true,
  });
  new StorageAccount(platform, "storage", {
    ...inGroup,
    name: BENCH_NAMES.storage,
    accountTier: "Standard",
    accountReplicationType: "LRS",
    sharedAccessKeyEnabled: false,
  });
  new ServicePlan(platform, "plan", { ...inGroup, name: BENCH_NAMES.plan, osType: "Linux", skuName: "P1v3" });
}
