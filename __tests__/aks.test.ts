import { AnnotationMetadataEntryType, TerraformStack, Testing } from "cdktf";
import { IConstruct } from "constructs";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import {
  Identity,
  AksClusterIdentity,
  AksWorkloadIdentity,
  ContainerRegistryTarget,
  KeyVaultTarget,
  Roles,
  UserAssignedIdentity,
} from "../constructs";
import { resolveInStack } from "../constructs/azure";
import { NON_PRODUCTION, only, refusal, registryId, resourcesOf, SUBSCRIPTION, testStack, vaultId } from "./helpers";
import { credentialParent } from "./runtime";
import { inRg, withControlPlane } from "./aks-helpers";

const cluster = (stack: TerraformStack, extra: Partial<ConstructorParameters<typeof KubernetesCluster>[2]> = {}) =>
  new KubernetesCluster(stack, "cluster", {
    ...inRg,
    name: "aks",
    dnsPrefix: "aks",
    defaultNodePool: { name: "system", vmSize: "Standard_D4ds_v5", nodeCount: 2 },
    ...extra,
  });

describe("AKS cluster identities", () => {
  it("sets one user-assigned control-plane identity, the kubelet identity with AcrPull, and workload identity", () => {
    const stack = testStack();
    const aks = cluster(stack);
    const identities = withControlPlane(stack, aks, {
      kubelet: Identity.newUserAssigned({ name: "aks-kubelet-id", ...inRg }),
      kubeletGrants: [ContainerRegistryTarget.fromId(stack, registryId()).allow(Roles.AcrPull, "nodes pull images")],
    });
    const ref = (v: string) => resolveInStack(stack, v);
    const kubelet = identities.kubelet!;
    expect(only(resourcesOf(stack, "azurerm_kubernetes_cluster"))).toMatchObject({
      identity: { type: "UserAssigned", identity_ids: [ref(identities.controlPlane!.id)] },
      kubelet_identity: {
        client_id: ref(kubelet.clientId),
        object_id: ref(kubelet.principalId),
        user_assigned_identity_id: ref(kubelet.id),
      },
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
    });
    // The cluster waits for both grants: AKS refuses a kubelet identity its control plane cannot assign.
    expect(only(resourcesOf(stack, "azurerm_kubernetes_cluster")).depends_on.sort()).toEqual([
      expect.stringMatching(
        /^azurerm_role_assignment\.identities_control-plane_managed-identity-operator-on-aks-kubelet-id_/,
      ),
      expect.stringMatching(/^azurerm_role_assignment\.identities_kubelet_acrpull-on-platformacr_/),
    ]);
    const assignments = Object.values(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignments.map((a) => [a.principal_id, a.role_definition_id.split("/").pop(), a.scope]).sort()).toEqual(
      [
        [ref(identities.controlPlane!.principalId), Roles.ManagedIdentityOperator.guid, ref(kubelet.id)],
        [ref(kubelet.principalId), Roles.AcrPull.guid, registryId()],
      ].sort(),
    );
  });

  it("refuses a second user-assigned identity on the cluster", () => {
    const stack = testStack();
    const other = new UserAssignedIdentity(stack, "other", { name: "other-id", ...inRg });
    const aks = cluster(stack, { identity: { type: "UserAssigned", identityIds: [other.id] } });
    expect(() => withControlPlane(stack, aks)).toThrow(
      /^\[test\/cluster\] An AKS cluster takes exactly one user-assigned identity, and this one has another already: \["\$\{azurerm_user_assigned_identity\.other_identity_[0-9A-F]+\.id\}"\]\. Fix: /,
    );
  });

  it("refuses a kubelet identity without a user-assigned cluster identity", () => {
    const stack = testStack();
    const aks = cluster(stack, { identity: { type: "SystemAssigned" } });
    expect(
      () =>
        new AksClusterIdentity(stack, "identities", {
          cluster: aks,
          kubelet: Identity.newUserAssigned({ name: "kubelet-id", ...inRg }),
        }),
    ).toThrow(
      '[test/identities] A kubelet identity needs a user-assigned cluster identity: "SystemAssigned". Fix: pass `controlPlane`',
    );
  });

  it("keeps a system-assigned cluster identity when no control plane is given", () => {
    const stack = testStack();
    new AksClusterIdentity(stack, "identities", { cluster: cluster(stack) });
    expect(only(resourcesOf(stack, "azurerm_kubernetes_cluster")).identity).toEqual({ type: "SystemAssigned" });
  });
});

describe("a small system pool outside production", () => {
  const small = { name: "system", vmSize: "Standard_B2s", nodeCount: 1 };
  const reason = "dev cluster for the team's own tests, nobody else depends on it";
  const warnings = (c: IConstruct) =>
    c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));

  it("is accepted with a reason in a non-production stack: the pools are written as given, each with a warning", () => {
    const stack = testStack("test", NON_PRODUCTION);
    const aks = cluster(stack, { defaultNodePool: small });
    const pool = new KubernetesClusterNodePool(stack, "sys2", {
      name: "sys2",
      kubernetesClusterId: aks.id,
      vmSize: "Standard_D2s_v5",
      nodeCount: 2,
      mode: "System",
    });
    new AksClusterIdentity(stack, "identities", {
      cluster: aks,
      nodePools: [pool],
      acceptSmallSystemPool: { reason },
    });
    const written = only(resourcesOf(stack, "azurerm_kubernetes_cluster")).default_node_pool;
    expect([written.vm_size, written.node_count]).toEqual(["Standard_B2s", 1]);
    expect(only(resourcesOf(stack, "azurerm_kubernetes_cluster_node_pool")).vm_size).toBe("Standard_D2s_v5");
    expect(warnings(aks)).toEqual([
      `The system node pool of test/cluster is below what Microsoft recommends for a system pool: Standard_B2s is a B-series (burstable) size, which Microsoft does not recommend for system pools. Accepted outside production (acceptSmallSystemPool): ${reason}`,
    ]);
    expect(warnings(pool)).toEqual([
      `The system node pool of test/sys2 is below what Microsoft recommends for a system pool: Standard_D2s_v5 has 2 vCPUs, below the 4 Microsoft recommends. Accepted outside production (acceptSmallSystemPool): ${reason}`,
    ]);
  });

  it("is refused below the API's own floor of 2 vCPUs, whatever the reason: the apply would fail", () => {
    const stack = testStack("test", NON_PRODUCTION);
    const aks = cluster(stack, { defaultNodePool: { name: "system", vmSize: "Standard_B1ms", nodeCount: 1 } });
    expect(
      refusal(() => new AksClusterIdentity(stack, "identities", { cluster: aks, acceptSmallSystemPool: { reason } }))
        .problem,
    ).toBe(
      "The system node pool of test/cluster is below what Microsoft recommends for a system pool: Standard_B1ms is a B-series (burstable) size, which Microsoft does not recommend for system pools; AKS itself refuses a system pool of fewer than 2 vCPUs, so no reason accepts it",
    );
  });

  // Judged again at synth: the construct-time check alone would miss a pool changed afterwards.
  it("refuses at synth a production system pool made small after the construct, or one not listed in nodePools", () => {
    const changed = testStack("test", { name: "prod", production: true });
    const aks = cluster(changed);
    new AksClusterIdentity(changed, "identities", { cluster: aks });
    aks.defaultNodePool.vmSize = "Standard_B2s";
    expect(() => Testing.synth(changed, true)).toThrow(
      "[test/identities] The system node pool of test/cluster is below what Microsoft recommends for a system pool: Standard_B2s is a B-series (burstable) size",
    );
    const unlisted = testStack("test", { name: "prod", production: true });
    const other = cluster(unlisted);
    new AksClusterIdentity(unlisted, "identities", { cluster: other });
    new KubernetesClusterNodePool(unlisted, "sys2", {
      name: "sys2",
      kubernetesClusterId: other.id,
      vmSize: "Standard_D2s_v5",
      nodeCount: 2,
      mode: "System",
    });
    expect(() => Testing.synth(unlisted, true)).toThrow(
      "The system node pool of test/sys2 is below what Microsoft recommends for a system pool: Standard_D2s_v5 has 2 vCPUs",
    );
    // The same pool naming its cluster by the id built from the cluster's names, in another case.
    const byId = testStack("test", { name: "prod", production: true });
    new AksClusterIdentity(byId, "identities", { cluster: cluster(byId) });
    new KubernetesClusterNodePool(byId, "sys3", {
      name: "sys3",
      kubernetesClusterId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${inRg.resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/AKS`,
      vmSize: "Standard_B2s",
      nodeCount: 1,
      mode: "System",
    });
    expect(() => Testing.synth(byId, true)).toThrow(
      "The system node pool of test/sys3 is below what Microsoft recommends",
    );
  });

  it("warns about nothing when the pools meet the recommendation", () => {
    const stack = testStack("test", NON_PRODUCTION);
    const aks = cluster(stack);
    new AksClusterIdentity(stack, "identities", { cluster: aks, acceptSmallSystemPool: { reason } });
    expect(warnings(aks)).toEqual([]);
  });

  it.each([
    ["a production environment", { name: "prod", production: true }, "stack test is of production environment prod"],
    ["no environment", undefined, "stack test declares no environment, so it counts as production"],
  ])("is refused in a stack of %s, even with a reason", (_what, environment, why) => {
    const stack = testStack("test", environment);
    const aks = cluster(stack, { defaultNodePool: small });
    expect(
      refusal(() => new AksClusterIdentity(stack, "identities", { cluster: aks, acceptSmallSystemPool: { reason } }))
        .message,
    ).toBe(
      `[test/identities] The system node pool of test/cluster is below what Microsoft recommends for a system pool: Standard_B2s is a B-series (burstable) size, which Microsoft does not recommend for system pools; ${why}, and production system pools must meet it: {"vmSize":"Standard_B2s","nodeCount":1,"minCount":null}. Fix: use at least 2 nodes of a size with at least 4 vCPUs that is not B-series (e.g. Standard_D4ds_v5) in production, and remove acceptSmallSystemPool there (a non-production stack declares environment: { name, production: false } in configureIdentityStack)`,
    );
  });

  it("is refused without the acceptance: outside production the fix names it, in production it does not", () => {
    const dev = testStack("test", NON_PRODUCTION);
    expect(
      refusal(() => new AksClusterIdentity(dev, "identities", { cluster: cluster(dev, { defaultNodePool: small }) }))
        .fix,
    ).toBe(
      "use at least 2 nodes of a size with at least 4 vCPUs that is not B-series (e.g. Standard_D4ds_v5), or accept it for this non-production cluster with acceptSmallSystemPool: { reason }",
    );
    const prod = testStack("test", { name: "prod", production: true });
    expect(
      refusal(() => new AksClusterIdentity(prod, "identities", { cluster: cluster(prod, { defaultNodePool: small }) }))
        .fix,
    ).toBe("use at least 2 nodes of a size with at least 4 vCPUs that is not B-series (e.g. Standard_D4ds_v5)");
  });

  it.each([
    ["", "it is shorter than 10 characters"],
    ["   dev      ", "it is shorter than 10 characters"],
    ["aaaaaaaaaaaaaaaa", "it is mostly one repeated character"],
    ["dev cluster", "it has fewer than three distinct words"],
  ])("refuses the reason %j", (given, why) => {
    const stack = testStack("test", NON_PRODUCTION);
    const aks = cluster(stack, { defaultNodePool: small });
    expect(
      refusal(
        () => new AksClusterIdentity(stack, "identities", { cluster: aks, acceptSmallSystemPool: { reason: given } }),
      ).message,
    ).toBe(
      `[test/identities] acceptSmallSystemPool needs a reason in words (${why}): ${JSON.stringify(given)}. Fix: say in at least 10 characters and three words why this cluster can run on a small system pool`,
    );
  });
});

describe("AKS workload identity", () => {
  function withCluster() {
    const stack = testStack();
    const aks = cluster(stack);
    withControlPlane(stack, aks);
    return { stack, aks };
  }

  it("federates a user-assigned identity to one namespace and service account and exposes its client id", () => {
    const { stack, aks } = withCluster();
    const worker = new AksWorkloadIdentity(stack, "worker", {
      cluster: aks,
      namespace: "orders",
      serviceAccount: "worker",
      identity: Identity.newUserAssigned({ name: "orders-worker-id", ...inRg }),
      grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads its secrets")],
    });
    const ref = (v: string) => resolveInStack(stack, v);
    expect(only(resourcesOf(stack, "azurerm_federated_identity_credential"))).toEqual({
      name: "orders-worker",
      ...credentialParent(ref(worker.identity.id), "aks-rg"),
      issuer: "${azurerm_kubernetes_cluster.cluster.oidc_issuer_url}",
      subject: "system:serviceaccount:orders:worker",
      audience: ["api://AzureADTokenExchange"],
    });
    expect(worker.serviceAccountAnnotations).toEqual({ "azure.workload.identity/client-id": worker.identity.clientId });
    expect(JSON.parse(Testing.synth(stack)).output["worker-client-id"].value).toBe(ref(worker.identity.clientId));
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).principal_id).toBe(ref(worker.identity.principalId));
  });

  it("refuses a cluster that issues no workload identity tokens", () => {
    const stack = testStack();
    expect(
      () =>
        new AksWorkloadIdentity(stack, "worker", {
          cluster: cluster(stack),
          namespace: "orders",
          serviceAccount: "worker",
          identity: Identity.newUserAssigned({ name: "w-id", ...inRg }),
          grants: [],
        }),
    ).toThrow(
      /^\[test\/worker\] The cluster does not issue workload identity tokens: .*Fix: give the cluster an AksClusterIdentity first/,
    );
  });

  it.each([
    ["namespace", "orders-*"],
    ["service account", "Worker"],
  ])("refuses a %s that is not one Kubernetes name", (what, value) => {
    const { stack, aks } = withCluster();
    const names =
      what === "namespace"
        ? { namespace: value, serviceAccount: "worker" }
        : { namespace: "orders", serviceAccount: value };
    expect(
      () =>
        new AksWorkloadIdentity(stack, "worker", {
          cluster: aks,
          ...names,
          identity: Identity.newUserAssigned({ name: "w-id", ...inRg }),
          grants: [],
        }),
    ).toThrow(`[test/worker] Kubernetes ${what} is not a DNS-1123 label: "${value}"`);
  });
});
