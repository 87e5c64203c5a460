import { TerraformStack, Testing } from "cdktf";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
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
import { only, registryId, resourcesOf, testStack, vaultId } from "./helpers";
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
      resource_group_name: "aks-rg",
      parent_id: ref(worker.identity.id),
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
