import { Construct } from "constructs";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { AksClusterIdentity, AksWorkloadIdentity, KeyVaultTarget, Roles } from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * The platform's AKS cluster on the environment's compute subnet: its control plane joins the
 * nodes to that subnet (AksClusterIdentity grants it Network Contributor there, before the
 * cluster), its nodes pull from the shared registry as the kubelet identity, and the
 * `orders/worker` pods read their own vault's secrets through workload identity.
 */
export class Aks extends Workload {
  readonly cluster: KubernetesCluster;
  readonly identities: AksClusterIdentity;
  readonly ordersWorker: AksWorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { env, shared } = this;
    this.cluster = new KubernetesCluster(this, "cluster", {
      ...this.placement,
      name: this.resourceName(),
      dnsPrefix: this.resourceName(),
      localAccountDisabled: true,
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true, tenantId: env.tenantId },
      defaultNodePool: {
        name: "system",
        vmSize: env.aksSystemPool.vmSize,
        nodeCount: env.aksSystemPool.nodeCount,
        vnetSubnetId: shared.computeSubnetId,
      },
    });
    this.identities = new AksClusterIdentity(this, "identities", {
      workload: this.name,
      cluster: this.cluster,
      controlPlane: this.newIdentity(),
      kubelet: this.newIdentity("kubelet"),
      kubeletGrants: [shared.registry.allow(Roles.AcrPull, "nodes pull workload images")],
    });

    // The worker's secrets live in a vault of their own, so its grant reaches nothing else.
    const ordersVault = new KeyVault(this, "orders-vault", {
      ...this.placement,
      name: this.resourceName("kv"),
      tenantId: env.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: env.keyVaultPurgeProtection,
      softDeleteRetentionDays: 90,
    });
    // A workload of its own inside the cluster: its construct id names its grants and output.
    this.ordersWorker = new AksWorkloadIdentity(this, "orders-worker", {
      cluster: this.cluster,
      namespace: "orders",
      serviceAccount: "worker",
      identity: this.newIdentity("orders-worker"),
      grants: [
        KeyVaultTarget.of(ordersVault).allow(Roles.KeyVaultSecretsUser, "orders/worker pods read their own secrets"),
      ],
    });
  }
}
