import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { IdentityConfigError } from "../core/errors";
import { FederatedTrust } from "../identities/federation";
import { Grant, GrantRequest } from "../azure/grant";
import { grantRole, requestedOptions } from "../grants/grants";
import { IUserAssignedIdentity } from "../azure/identity";
import { dependOn, resolveInStack, resourceIdOf } from "../azure/known-values";
import { Roles } from "../services";
import { ManagedIdentityTarget } from "../services/managed-identity";
import { kubernetes } from "../services/kubernetes";
import { applyAksDeploySettings, aksPlatformScopes, SmallSystemPoolAcceptance } from "../compute/aks-platform";
import { UserAssignedIdentity } from "../identities/user-assigned-identity";
import { UserAssignedIdentityChoice, userAssignedIdentityOf } from "../identities/identity-choice";

export interface AksClusterIdentityProps {
  readonly cluster: KubernetesCluster;
  /**
   * The cluster's own identity (control plane). AKS takes exactly one user-assigned identity;
   * without one the cluster keeps a system-assigned identity and cannot take a kubelet identity.
   */
  readonly controlPlane?: UserAssignedIdentityChoice;
  /** The nodes' identity, which pulls images: give it AcrPull through `kubeletGrants`. */
  readonly kubelet?: UserAssignedIdentityChoice;
  readonly kubeletGrants?: readonly GrantRequest[];
  /**
   * Node pools added beside the default one: their subnets need the control plane's Network
   * Contributor too, and a `System` pool must meet the same minimums as the default pool.
   */
  readonly nodePools?: readonly KubernetesClusterNodePool[];
  readonly workload?: string;
  /**
   * Accepts system pools below what Microsoft recommends (fewer than 2 nodes, fewer than 4 vCPUs,
   * B-series), with the reason, for a cluster outside production: a warning on each such pool
   * names it. In production (or a stack that declares no environment) it is refused.
   */
  readonly acceptSmallSystemPool?: SmallSystemPoolAcceptance;
}

/**
 * An AKS cluster's identities: a user-assigned control-plane identity, an optional kubelet
 * identity with its grants (AcrPull on the registry), and the OIDC issuer and workload identity
 * that AksWorkloadIdentity federates pods through. The control plane gets what AKS needs and
 * cannot assign itself: Managed Identity Operator on the kubelet identity, Network Contributor on
 * every subnet the cluster uses and Private DNS Zone Contributor on its own private DNS zone, all
 * before the cluster is created. It also sets what Microsoft documents as needed for a cluster
 * that deploys and stays planned: explicit upgrade settings, Azure CNI overlay, and a system pool
 * of at least two nodes with four vCPUs that are not B-series (Microsoft's recommendation; a
 * smaller one outside production with `acceptSmallSystemPool`).
 */
export class AksClusterIdentity extends Construct {
  readonly controlPlane?: IUserAssignedIdentity;
  readonly kubelet?: IUserAssignedIdentity;
  readonly grants: readonly Grant[];

  constructor(scope: Construct, id: string, props: AksClusterIdentityProps) {
    super(scope, id);
    const { cluster } = props;
    // Checks the cluster's name against Azure's rule (its id is not needed here).
    resourceIdOf(cluster, kubernetes.resourceTypes.cluster.azureType, "AKS cluster");
    if (props.controlPlane) {
      this.controlPlane = userAssignedIdentityOf(this, "control-plane", props.controlPlane);
      this.useControlPlane(cluster, this.controlPlane);
    } else if (props.kubelet) {
      throw new IdentityConfigError(this, {
        problem: "A kubelet identity needs a user-assigned cluster identity",
        value: cluster.identityInput?.type ?? null,
        fix: "pass `controlPlane` (a user-assigned identity); AKS refuses a kubelet identity on a system-assigned cluster",
      });
    } else if (!cluster.identityInput) {
      cluster.putIdentity({ type: "SystemAssigned" });
    }
    cluster.oidcIssuerEnabled = true;
    cluster.workloadIdentityEnabled = true;
    for (const pool of props.nodePools ?? []) {
      if (resolveInStack(this, pool.kubernetesClusterIdInput ?? "") !== resolveInStack(this, cluster.id)) {
        throw new IdentityConfigError(this, {
          problem: `Node pool ${pool.node.path} belongs to another cluster`,
          value: resolveInStack(this, pool.kubernetesClusterIdInput ?? ""),
          fix: "pass only node pools whose kubernetes_cluster_id is this cluster's id",
        });
      }
    }
    applyAksDeploySettings(this, cluster, props.nodePools ?? [], props.acceptSmallSystemPool);

    const workload = props.workload ?? id;
    const grants: Grant[] = this.platformGrants(cluster, props.nodePools ?? [], workload);
    if (props.kubelet && this.controlPlane) {
      const kubelet = userAssignedIdentityOf(this, "kubelet", props.kubelet);
      this.kubelet = kubelet;
      cluster.putKubeletIdentity({
        clientId: kubelet.clientId,
        objectId: kubelet.principalId,
        userAssignedIdentityId: kubelet.id,
      });
      grants.push(
        grantRole(this.controlPlane, Roles.ManagedIdentityOperator, ManagedIdentityTarget.of(kubelet), {
          reason: "AKS control plane assigns the kubelet identity to the nodes",
          workload,
          declaredBy: this,
        }),
        ...(props.kubeletGrants ?? []).map((spec) =>
          grantRole(kubelet, spec.role, spec.target, { ...requestedOptions(spec.options), workload, declaredBy: this }),
        ),
      );
    } else if ((props.kubeletGrants ?? []).length > 0) {
      throw new IdentityConfigError(this, {
        problem: "kubeletGrants were given without a kubelet identity",
        value: (props.kubeletGrants ?? []).map((g) => g.role.name),
        fix: "pass `kubelet` (a user-assigned identity) so the nodes pull images with it",
      });
    }
    this.grants = grants;
    // AKS refuses a kubelet identity its control plane cannot yet assign, nodes pull at once, and
    // a cluster whose identity cannot join its subnet fails to create.
    for (const g of grants.filter(
      (g) => g.role === Roles.ManagedIdentityOperator || g.role === Roles.AcrPull || g.role.plane === "platform",
    )) {
      dependOn(cluster, g.assignment);
      for (const pool of props.nodePools ?? []) dependOn(pool, g.assignment);
    }
  }

  /** The control plane's roles on the subnets and private DNS zone the cluster is configured with. */
  private platformGrants(
    cluster: KubernetesCluster,
    nodePools: readonly KubernetesClusterNodePool[],
    workload: string,
  ): Grant[] {
    const scopes = aksPlatformScopes(this, cluster, nodePools);
    if (scopes.length === 0) return [];
    if (!this.controlPlane) {
      throw new IdentityConfigError(this, {
        problem: "The cluster uses its own subnet or private DNS zone, but its identity is system-assigned",
        value: scopes.map((s) => s.target.resourceId.id),
        fix: `pass \`controlPlane\` (a user-assigned identity): its ${Roles.NetworkContributor.name} on the subnet must exist before the cluster, and a system-assigned identity exists only once the cluster does`,
      });
    }
    const controlPlane = this.controlPlane;
    const foreign = scopes.find((s) => s.target.tenantId.toLowerCase() !== controlPlane.tenantId.toLowerCase());
    if (foreign) {
      throw new IdentityConfigError(this, {
        problem: `The control-plane identity lives in tenant ${controlPlane.tenantId}, but the cluster's ${foreign.use} is in tenant ${foreign.target.tenantId}: no role can be granted across tenants`,
        value: foreign.target.resourceId.id,
        fix: "use a control-plane identity of the subnet's tenant (Identity.newUserAssigned(props) creates one)",
      });
    }
    if (!(controlPlane instanceof UserAssignedIdentity)) {
      throw new IdentityConfigError(this, {
        problem:
          "The cluster uses its own subnet or private DNS zone, but its control-plane identity is an existing one: the cluster names it by a literal id the guardrails cannot tie to its principal, so its platform grants would be refused",
        value: controlPlane.principalResourceId.id,
        fix: "pass `controlPlane: Identity.newUserAssigned(props)`, so the identity is created in this stack with its grants before the cluster",
      });
    }
    return scopes.map(({ target, role, use }) =>
      grantRole(controlPlane, role, target, {
        reason: `AKS control plane: ${use}`,
        platformUse: use,
        workload,
        declaredBy: this,
      }),
    );
  }

  private useControlPlane(cluster: KubernetesCluster, identity: IUserAssignedIdentity): void {
    const others = (cluster.identityInput?.identityIds ?? []).filter(
      (existing) => resolveInStack(cluster, existing) !== resolveInStack(cluster, identity.id),
    );
    if (others.length > 0) {
      throw new IdentityConfigError(cluster, {
        problem: "An AKS cluster takes exactly one user-assigned identity, and this one has another already",
        value: others.map((o) => resolveInStack(cluster, o)),
        fix: "remove the cluster's own identity block and let AksClusterIdentity set it; pods get identities through AksWorkloadIdentity",
      });
    }
    cluster.putIdentity({ type: "UserAssigned", identityIds: [identity.id] });
  }
}

export interface AksWorkloadIdentityProps {
  readonly cluster: KubernetesCluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly identity: UserAssignedIdentityChoice;
  readonly grants: readonly GrantRequest[];
  readonly workload?: string;
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Pod identity through workload identity federation: a user-assigned identity trusts the
 * cluster's OIDC issuer for exactly one namespace and service account, and holds the grants.
 * Annotate the service account with `serviceAccountAnnotations`.
 */
export class AksWorkloadIdentity extends Construct {
  readonly identity: IUserAssignedIdentity;
  readonly grants: readonly Grant[];
  /** `azure.workload.identity/client-id`: the annotation the service account needs. */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AksWorkloadIdentityProps) {
    super(scope, id);
    const { cluster } = props;
    for (const [what, value] of [
      ["namespace", props.namespace],
      ["service account", props.serviceAccount],
    ] as const) {
      if (!K8S_NAME.test(value)) {
        throw new IdentityConfigError(this, {
          problem: `Kubernetes ${what} is not a DNS-1123 label`,
          value,
          fix: "use lower-case letters, digits and '-', at most 63 characters; wildcards are not allowed",
        });
      }
    }
    if (cluster.workloadIdentityEnabledInput !== true || cluster.oidcIssuerEnabledInput !== true) {
      throw new IdentityConfigError(this, {
        problem: "The cluster does not issue workload identity tokens",
        value: {
          oidcIssuerEnabled: cluster.oidcIssuerEnabledInput ?? null,
          workloadIdentityEnabled: cluster.workloadIdentityEnabledInput ?? null,
        },
        fix: "give the cluster an AksClusterIdentity first (it enables the OIDC issuer and workload identity)",
      });
    }
    this.identity = userAssignedIdentityOf(this, "identity", props.identity);
    new FederatedTrust(this, "trust", {
      identity: this.identity,
      issuer: cluster.oidcIssuerUrl,
      subject: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
      name: `${props.namespace}-${props.serviceAccount}`,
    });
    const workload = props.workload ?? id;
    this.grants = props.grants.map((spec) =>
      grantRole(this.identity, spec.role, spec.target, {
        ...requestedOptions(spec.options),
        workload,
        declaredBy: this,
      }),
    );
    this.serviceAccountAnnotations = { "azure.workload.identity/client-id": this.identity.clientId };
    new TerraformOutput(this, "client-id", {
      value: this.identity.clientId,
      description: `azure.workload.identity/client-id for service account ${props.namespace}/${props.serviceAccount}`,
    }).overrideLogicalId(`${workload}-client-id`);
  }
}
