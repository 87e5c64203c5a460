import { defineService } from "../azure/contract";
import { lookupRole, role } from "../azure/role-catalog";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { targetOfKind } from "../grants/targets";

const AKS_READ = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Resources/subscriptions/operationresults/read",
  "Microsoft.Resources/subscriptions/read",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
];
const AKS = "Microsoft.ContainerService/managedClusters";
/** An AKS data action per Kubernetes resource path, under the cluster. */
const aks = (paths: readonly string[]) => paths.map((p) => `${AKS}/${p}`);

// Network's roles, looked up when a stack is read: importing network.ts would register it out of order.
const networkRole = (name: string) => lookupRole("Kubernetes Service", name);

/** Kubernetes Service: everything the library knows about it. */
export const kubernetes = defineService({
  name: "Kubernetes Service",
  namespaces: ["Microsoft.ContainerService"],
  resourceTypes: {
    cluster: {
      kind: "AKS cluster",
      azureType: "Microsoft.ContainerService/managedClusters",
      terraformType: "azurerm_kubernetes_cluster",
      services: ["Kubernetes Service"],
      id: "inResourceGroup",
      name: {
        min: 1,
        max: 63,
        pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/,
        text: "letters, digits, underscores and hyphens; starts and ends with a letter or digit",
      },
    },
    nodePool: {
      kind: "AKS node pool",
      azureType: "Microsoft.ContainerService/managedClusters/agentPools",
      terraformType: "azurerm_kubernetes_cluster_node_pool",
      id: { path: "agentPools" },
    },
  },
  roles: {
    // built-in-roles/containers
    AksRbacReader: role(
      "Azure Kubernetes Service RBAC Reader",
      "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
      "Kubernetes Service",
      "data",
      {
        actions: AKS_READ,
        dataActions: aks([
          "apps/controllerrevisions/read",
          "apps/daemonsets/read",
          "apps/deployments/read",
          "apps/replicasets/read",
          "apps/statefulsets/read",
          "autoscaling/horizontalpodautoscalers/read",
          "batch/cronjobs/read",
          "batch/jobs/read",
          "configmaps/read",
          "discovery.k8s.io/endpointslices/read",
          "endpoints/read",
          "events.k8s.io/events/read",
          "events/read",
          "extensions/daemonsets/read",
          "extensions/deployments/read",
          "extensions/ingresses/read",
          "extensions/networkpolicies/read",
          "extensions/replicasets/read",
          "limitranges/read",
          "metrics.k8s.io/pods/read",
          "metrics.k8s.io/nodes/read",
          "namespaces/read",
          "networking.k8s.io/ingresses/read",
          "networking.k8s.io/networkpolicies/read",
          "persistentvolumeclaims/read",
          "pods/read",
          "policy/poddisruptionbudgets/read",
          "replicationcontrollers/read",
          "resourcequotas/read",
          "serviceaccounts/read",
          "services/read",
        ]),
      },
    ),
    AksRbacWriter: role(
      "Azure Kubernetes Service RBAC Writer",
      "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
      "Kubernetes Service",
      "data",
      {
        actions: AKS_READ,
        dataActions: aks([
          "apps/controllerrevisions/read",
          "apps/daemonsets/*",
          "apps/deployments/*",
          "apps/replicasets/*",
          "apps/statefulsets/*",
          "autoscaling/horizontalpodautoscalers/*",
          "batch/cronjobs/*",
          "coordination.k8s.io/leases/read",
          "coordination.k8s.io/leases/write",
          "coordination.k8s.io/leases/delete",
          "discovery.k8s.io/endpointslices/read",
          "batch/jobs/*",
          "configmaps/*",
          "endpoints/*",
          "events.k8s.io/events/read",
          "events/*",
          "extensions/daemonsets/*",
          "extensions/deployments/*",
          "extensions/ingresses/*",
          "extensions/networkpolicies/*",
          "extensions/replicasets/*",
          "limitranges/read",
          "metrics.k8s.io/pods/read",
          "metrics.k8s.io/nodes/read",
          "namespaces/read",
          "networking.k8s.io/ingresses/*",
          "networking.k8s.io/networkpolicies/*",
          "persistentvolumeclaims/*",
          "pods/*",
          "policy/poddisruptionbudgets/*",
          "replicationcontrollers/*",
          "resourcequotas/read",
          "secrets/*",
          "serviceaccounts/*",
          "services/*",
        ]),
      },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: {
    computeTypes: ["azurerm_kubernetes_cluster"],
    platformUses: {
      label: "AKS cluster",
      // Its control plane's identity needs Network Contributor on every subnet its nodes, pods or
      // API server use, and Private DNS Zone Contributor on its private DNS zone.
      uses: (cluster, json) => [
        ...[
          json.block(cluster.config.default_node_pool),
          ...json.attached("azurerm_kubernetes_cluster_node_pool", "kubernetes_cluster_id"),
        ].flatMap((pool) => [
          { scope: pool?.vnet_subnet_id, role: networkRole("Network Contributor"), use: "node subnet" },
          { scope: pool?.pod_subnet_id, role: networkRole("Network Contributor"), use: "pod subnet" },
        ]),
        {
          scope: json.block(cluster.config.api_server_access_profile)?.subnet_id,
          role: networkRole("Network Contributor"),
          use: "API server subnet",
        },
        {
          scope: cluster.config.private_dns_zone_id,
          role: networkRole("Private DNS Zone Contributor"),
          use: "private DNS zone",
        },
      ],
    },
  },
  keys: {
    secretAttributes: {
      azurerm_kubernetes_cluster:
        "http_proxy_config.trusted_ca kube_admin_config kube_admin_config_raw kube_config kube_config_raw service_principal.client_secret windows_profile.admin_password",
      "data.azurerm_kubernetes_cluster": "kube_admin_config kube_admin_config_raw kube_config kube_config_raw",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.ContainerService/managedClusters"],
        logs: {
          kind: "AKS cluster",
          categories: ["kube-audit-admin"],
          destinationType: "Dedicated",
          // User is dynamic (username, uid, groups); Microsoft does not say which holds an Entra principal's id.
          log: { table: "AKSAuditAdmin", callerIs: "tostring(User) has {oid}", operation: "Verb" },
          gap: "kube-audit-admin leaves out get and list, so a reader's requests do not show (kube-audit has them, at far higher volume)",
        },
      },
    ],
  },
  network: {
    computes: [
      {
        terraformTypes: ["azurerm_kubernetes_cluster"],
        // Without vnet_subnet_id, AKS puts the nodes in a network of its own, which reaches nothing of the stack.
        subnets: (config, json) =>
          [
            json.block(config.default_node_pool),
            ...json.referencing("azurerm_kubernetes_cluster_node_pool", "kubernetes_cluster_id"),
          ].flatMap((pool) => [pool?.vnet_subnet_id, pool?.pod_subnet_id].filter((s) => s !== undefined)),
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_kubernetes_cluster"],
    computed: { azurerm_kubernetes_cluster: ["fqdn", "node_resource_group_id", "oidc_issuer_url"] },
    values: {
      azurerm_kubernetes_cluster: {
        fqdn: (_, r) => `${r.name}-dns-4f2a1c3b.hcp.westeurope.azmk8s.io`,
        node_resource_group_id: (w, r) =>
          `/subscriptions/${w.subscription}/resourceGroups/MC_${w.resourceGroup}_${r.name}_westeurope`,
        oidc_issuer_url: (w) => `https://westeurope.oic.prod-aks.azure.com/${w.tenant}/${w.uuid("oidc-issuer")}/`,
      },
    },
    names: { "Microsoft.ContainerService/managedClusters": "mock-aks" },
  },
});

// @targets
/** An AKS cluster, for the Kubernetes RBAC data roles. */
export class KubernetesClusterTarget extends targetOfKind<"Kubernetes Service", KubernetesCluster>(
  kubernetes.resourceTypes.cluster,
  kubernetes,
) {}
