import { Construct } from "constructs";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { StorageQueue } from "@cdktf/provider-azurerm/lib/storage-queue";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { ServicebusQueue } from "@cdktf/provider-azurerm/lib/servicebus-queue";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { ContainerRegistryTarget, GrantTarget, KeyVaultTarget, ServiceBusNamespaceTarget, StorageAccountTarget, UserAssignedIdentityProps } from "../constructs";
import { EnvironmentSettings, resourceGroupName } from "./environment-settings";

/** The environment's network and the targets its workloads reach: all identity-only. */
export class SharedResources extends Construct {
  /** Created by the environment's bootstrap stack, with the deployer's rights on it. */
  readonly resourceGroupName: string;
  readonly plan: ServicePlan;
  readonly computeSubnet: Subnet;
  readonly vault: KeyVault;
  readonly storage: StorageAccount;
  readonly bus: ServicebusNamespace;
  readonly vaultTarget: KeyVaultTarget;
  readonly storageTarget: StorageAccountTarget;
  readonly busTarget: ServiceBusNamespaceTarget;
  readonly reportsContainer: GrantTarget<"Storage Blob">;
  readonly jobsQueue: GrantTarget<"Storage Queue">;
  readonly ingestQueue: GrantTarget<"Service Bus">;
  readonly ordersQueue: GrantTarget<"Service Bus">;
  /** The platform team's registry in another subscription, referenced by id. */
  readonly registryTarget: ContainerRegistryTarget;
  private readonly env: EnvironmentSettings;

  constructor(scope: Construct, id: string, env: EnvironmentSettings) {
    super(scope, id);
    this.env = env;
    const common = { location: env.location, tags: { ...env.tags } };
    this.resourceGroupName = resourceGroupName(env);
    const inGroup = { ...common, resourceGroupName: this.resourceGroupName };

    this.plan = new ServicePlan(this, "plan", { ...inGroup, name: `${env.namePrefix}-plan`, osType: "Linux", skuName: env.appServiceSku });
    const network = new VirtualNetwork(this, "network", { ...inGroup, name: `${env.namePrefix}-vnet`, addressSpace: [env.network.addressSpace] });
    this.computeSubnet = new Subnet(this, "compute-subnet", {
      name: "compute",
      resourceGroupName: this.resourceGroupName,
      virtualNetworkName: network.name,
      addressPrefixes: [env.network.computeSubnet],
    });

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
    const reports = new StorageContainer(this, "reports", { name: "reports", storageAccountId: this.storage.id });
    const jobs = new StorageQueue(this, "jobs", { name: "jobs", storageAccountId: this.storage.id });

    // Identity-only: SAS keys and connection strings are refused.
    this.bus = new ServicebusNamespace(this, "bus", { ...inGroup, name: `${env.namePrefix}-bus`, sku: "Standard", localAuthEnabled: false, minimumTlsVersion: "1.2" });
    const ingest = new ServicebusQueue(this, "ingest-queue", { name: "ingest", namespaceId: this.bus.id });
    const orders = new ServicebusQueue(this, "orders-queue", { name: "orders", namespaceId: this.bus.id });

    this.vaultTarget = KeyVaultTarget.of(this.vault);
    this.storageTarget = StorageAccountTarget.of(this.storage);
    this.busTarget = ServiceBusNamespaceTarget.of(this.bus);
    this.reportsContainer = this.storageTarget.container(reports);
    this.jobsQueue = this.storageTarget.queue(jobs);
    this.ingestQueue = this.busTarget.queue(ingest);
    this.ordersQueue = this.busTarget.queue(orders);
    this.registryTarget = ContainerRegistryTarget.fromId(this, env.sharedRegistryId);
  }

  /**
   * A workload identity as this environment makes them: `<prefix>-<name>` in the environment's
   * group, protected from destroy where the environment says (a new principal loses every grant).
   */
  identity(name: string, tags: Readonly<Record<string, string>>): UserAssignedIdentityProps {
    return {
      name: `${this.env.namePrefix}-${name}`,
      resourceGroupName: this.resourceGroupName,
      location: this.env.location,
      tags: { ...tags },
      preventDestroy: this.env.protectIdentities,
    };
  }
}
