import { Construct } from "constructs";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { ContainerRegistryTarget, KeyVaultTarget, StorageAccountTarget } from "../constructs";
import { EnvironmentSettings } from "./environment-settings";

/** The environment's resource group and the targets its workloads reach: all identity-only. */
export class SharedResources extends Construct {
  readonly resourceGroup: ResourceGroup;
  readonly plan: ServicePlan;
  readonly vault: KeyVault;
  readonly storage: StorageAccount;
  readonly vaultTarget: KeyVaultTarget;
  readonly storageTarget: StorageAccountTarget;
  /** The platform team's registry in another subscription, referenced by id. */
  readonly registryTarget: ContainerRegistryTarget;

  constructor(scope: Construct, id: string, env: EnvironmentSettings) {
    super(scope, id);
    const common = { location: env.location, tags: { ...env.tags } };
    this.resourceGroup = new ResourceGroup(this, "rg", { ...common, name: `${env.namePrefix}-rg` });
    const inGroup = { ...common, resourceGroupName: this.resourceGroup.name };

    this.plan = new ServicePlan(this, "plan", { ...inGroup, name: `${env.namePrefix}-plan`, osType: "Linux", skuName: env.appServiceSku });

    // RBAC mode: role assignments on a vault in access-policy mode grant nothing.
    this.vault = new KeyVault(this, "vault", {
      ...inGroup,
      name: `${env.namePrefix}-kv`,
      tenantId: env.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: env.keyVaultPurgeProtection,
      softDeleteRetentionDays: 90,
    });

    // Identity-only: no shared keys, and the portal defaults to Entra ID.
    this.storage = new StorageAccount(this, "storage", {
      ...inGroup,
      name: `${env.namePrefix.replace(/-/g, "")}data`,
      accountTier: "Standard",
      accountReplicationType: env.storageReplication,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      minTlsVersion: "TLS1_2",
      allowNestedItemsToBePublic: false,
    });

    this.vaultTarget = KeyVaultTarget.of(this.vault);
    this.storageTarget = StorageAccountTarget.of(this.storage);
    this.registryTarget = ContainerRegistryTarget.fromId(this, env.sharedRegistryId);
  }
}
