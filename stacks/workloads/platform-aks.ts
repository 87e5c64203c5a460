import { Construct } from "constructs";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { AksClusterIdentity, AksWorkloadIdentity, KeyVaultTarget, Roles } from "../../constructs";
import { EnvironmentSettings } from "../environment-settings";
import { SharedResources } from "../shared-resources";

/**
 * The platform's AKS cluster on the environment's compute subnet: its control plane joins the
 * nodes to that subnet (AksClusterIdentity grants it Network Contributor there, before the
 * cluster), its nodes pull from the shared registry as the kubelet identity, and the
 * `orders/worker` pods read their own vault's secrets through workload identity.
 */
export class PlatformAks extends Construct {
  readonly cluster: KubernetesCluster;
  readonly identities: AksClusterIdentity;
  readonly ordersWorker: AksWorkloadIdentity;

  constructor(scope: Construct, id: string, env: EnvironmentSettings, shared: SharedResources) {
    super(scope, id);
    const tags = { ...env.tags, workload: "platform-aks" };
    const inGroup = { resourceGroupName: shared.resourceGroupName, location: env.location, tags };
    this.cluster = new KubernetesCluster(this, "cluster", {
      ...inGroup,
      name: `${env.namePrefix}-aks`,
      dnsPrefix: `${env.namePrefix}-aks`,
      localAccountDisabled: true,
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true, tenantId: env.tenantId },
      defaultNodePool: { name: "system", vmSize: env.aksSystemPool.vmSize, nodeCount: env.aksSystemPool.nodeCount, vnetSubnetId: shared.computeSubnet.id },
    });
    this.identities = new AksClusterIdentity(this, "identities", {
      workload: "platform-aks",
      cluster: this.cluster,
      controlPlane: shared.identity("aks-id", tags),
      kubelet: shared.identity("aks-kubelet-id", tags),
      kubeletGrants: [shared.registryTarget.allow(Roles.AcrPull, "nodes pull workload images")],
    });

    // The worker's secrets live in a vault of their own, so its grant reaches nothing else.
    const ordersVault = new KeyVault(this, "orders-vault", {
      ...inGroup,
      name: `${env.namePrefix}-orders-kv`,
      tenantId: env.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: env.keyVaultPurgeProtection,
      softDeleteRetentionDays: 90,
    });
    this.ordersWorker = new AksWorkloadIdentity(this, "orders-worker", {
      workload: "orders-worker",
      cluster: this.cluster,
      namespace: "orders",
      serviceAccount: "worker",
      identity: shared.identity("orders-worker-id", tags),
      grants: [KeyVaultTarget.of(ordersVault).allow(Roles.KeyVaultSecretsUser, "reads the order worker's secrets")],
    });
  }
}
