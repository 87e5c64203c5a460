import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { KubernetesCluster, KubernetesClusterConfig } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import {
  Identity,
  AksClusterIdentity,
  buildAccessReport,
  ExistingUserAssignedIdentity,
  Roles,
  UserAssignedIdentity,
} from "../constructs";
import { SubnetTarget } from "../constructs/services";
import { roleAssignmentName } from "../constructs/core";
import { grantRole } from "../constructs/grants";
import { evaluateGuardrails } from "../constructs/guardrails";
import { resolveInStack } from "../constructs/azure";
import { systemPoolProblem } from "../constructs/compute";
import { OTHER_TENANT, only, resourcesOf, SUBSCRIPTION, testStack } from "./helpers";
import { inRg, withControlPlane } from "./aks-helpers";

const SUBNET_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/hub/subnets/aks-nodes`;
const ZONE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/net-rg/providers/Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io`;

function subnetOf(stack: TerraformStack): Subnet {
  return new Subnet(stack, "nodes", {
    name: "nodes",
    resourceGroupName: "aks-rg",
    virtualNetworkName: "aks-vnet",
    addressPrefixes: ["10.1.0.0/24"],
  });
}

function clusterOn(
  stack: TerraformStack,
  pool: Partial<KubernetesClusterConfig["defaultNodePool"]> = {},
  extra: Partial<KubernetesClusterConfig> = {},
) {
  return new KubernetesCluster(stack, "cluster", {
    ...inRg,
    name: "aks",
    dnsPrefix: "aks",
    defaultNodePool: { name: "system", vmSize: "Standard_D4ds_v5", nodeCount: 2, ...pool },
    ...extra,
  });
}

/** A hand-written Network Contributor assignment, as someone might add beside the constructs. */
const handWrittenNetworkContributor = (
  stack: TerraformStack,
  id: string,
  scope: string,
  principalId: string,
  extra: { principalType?: string; description?: string } = {},
) =>
  new RoleAssignment(stack, id, {
    name: roleAssignmentName(scope, Roles.NetworkContributor.guid, id),
    scope,
    roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${Roles.NetworkContributor.guid}`,
    principalId,
    principalType: extra.principalType ?? "ServicePrincipal",
    description: extra.description,
  });

const networkGrants = (stack: TerraformStack) =>
  Object.values(resourcesOf(stack, "azurerm_role_assignment")).filter((a) =>
    a.role_definition_id.endsWith(Roles.NetworkContributor.guid),
  );

describe("AKS platform grants", () => {
  it("grants the control plane Network Contributor on its node subnet, before the cluster", () => {
    const stack = testStack();
    const subnet = subnetOf(stack);
    const aks = clusterOn(stack, { vnetSubnetId: subnet.id });
    const identities = withControlPlane(stack, aks, {
      workload: "platform",
    });
    const ref = (v: string) => resolveInStack(stack, v);

    const grant = only(Object.fromEntries(networkGrants(stack).map((g) => [g.name, g])));
    expect(grant).toMatchObject({
      scope: ref(subnet.id),
      principal_id: ref(identities.controlPlane!.principalId),
      principal_type: "ServicePrincipal",
      role_definition_id: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${Roles.NetworkContributor.guid}`,
      description: "platform: AKS control plane: node subnet of AKS cluster aks",
    });
    const network = identities.grants.find((g) => g.role === Roles.NetworkContributor)!;
    expect(network.target.resourceId.id).toBe(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/aks-rg/providers/Microsoft.Network/virtualNetworks/aks-vnet/subnets/nodes`,
    );
    expect(only(resourcesOf(stack, "azurerm_kubernetes_cluster")).depends_on).toContain(
      `azurerm_role_assignment.${network.assignment!.friendlyUniqueId}`,
    );
  });

  it("marks the grant as a platform grant in the access report, and no guardrail objects", () => {
    const stack = testStack();
    const aks = clusterOn(stack, { vnetSubnetId: subnetOf(stack).id });
    withControlPlane(stack, aks);
    const json = JSON.parse(Testing.synth(stack));
    const grant = buildAccessReport("test", json).grants.find((g) => g.role === "Network Contributor")!;
    expect(grant).toMatchObject({ plane: "platform", platformUse: "node subnet of AKS cluster aks" });
    expect(evaluateGuardrails(stack, { severity: "error" }).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it("grants on a subnet given by id, on added node pools' subnets, and Private DNS Zone Contributor on a custom zone", () => {
    const stack = testStack();
    const poolSubnet = subnetOf(stack);
    const aks = clusterOn(
      stack,
      { vnetSubnetId: SUBNET_ID },
      { privateClusterEnabled: true, privateDnsZoneId: ZONE_ID },
    );
    const pool = new KubernetesClusterNodePool(stack, "user-pool", {
      name: "user",
      kubernetesClusterId: aks.id,
      vmSize: "Standard_D4ds_v5",
      nodeCount: 1,
      vnetSubnetId: poolSubnet.id,
    });
    withControlPlane(stack, aks, {
      nodePools: [pool],
    });
    const grants = Object.values(resourcesOf(stack, "azurerm_role_assignment")).map((a) => [
      a.role_definition_id.split("/").pop(),
      a.scope,
    ]);
    expect(grants).toEqual(
      expect.arrayContaining([
        [Roles.NetworkContributor.guid, SUBNET_ID],
        [Roles.NetworkContributor.guid, resolveInStack(stack, poolSubnet.id)],
        [Roles.PrivateDnsZoneContributor.guid, ZONE_ID],
      ]),
    );
    const poolJson = only(resourcesOf(stack, "azurerm_kubernetes_cluster_node_pool"));
    expect(poolJson.upgrade_settings).toEqual({ max_surge: "10%" });
    expect(poolJson.depends_on).toHaveLength(3);
    expect(evaluateGuardrails(stack, { severity: "error" }).map((f) => f.ruleId)).toEqual([]);
  });

  it("refuses a custom subnet with a system-assigned cluster identity", () => {
    const stack = testStack();
    const aks = clusterOn(stack, { vnetSubnetId: SUBNET_ID });
    expect(() => new AksClusterIdentity(stack, "identities", { cluster: aks })).toThrow(
      `[test/identities] The cluster uses its own subnet or private DNS zone, but its identity is system-assigned: ["${SUBNET_ID}"]. Fix: pass \`controlPlane\``,
    );
  });

  it("refuses a control-plane identity of another tenant, which no grant can reach", () => {
    const stack = testStack();
    const aks = clusterOn(stack, { vnetSubnetId: SUBNET_ID });
    const foreign = new ExistingUserAssignedIdentity(
      stack,
      "foreign",
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/other-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/foreign-id`,
      {
        tenantId: OTHER_TENANT,
        principalId: "0f0f0f0f-0000-4000-8000-000000000001",
        clientId: "0f0f0f0f-0000-4000-8000-000000000002",
      },
    );
    expect(
      () => new AksClusterIdentity(stack, "identities", { cluster: aks, controlPlane: Identity.userAssigned(foreign) }),
    ).toThrow(
      /^\[test\/identities\] The control-plane identity lives in tenant 12345678-1234-4234-8234-123456789abc, but the cluster's node subnet of AKS cluster aks is in tenant aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee: no role can be granted across tenants: ".*\/subnets\/aks-nodes"\. Fix: use a control-plane identity of the subnet's tenant/,
    );
  });

  it("refuses a subnet only Terraform knows", () => {
    const stack = testStack();
    const variable = new TerraformVariable(stack, "subnet_id", { type: "string" });
    const aks = clusterOn(stack, { vnetSubnetId: variable.stringValue });
    expect(() => withControlPlane(stack, aks)).toThrow(
      '[test/identities] The node subnet of AKS cluster aks is a value only Terraform knows, so the control plane cannot be granted on it before the cluster exists: "${var.subnet_id}". Fix: pass a subnet of this stack',
    );
  });

  it("refuses Network Contributor for anything but a compute's platform use, at grant time and in the guardrails", () => {
    const stack = testStack();
    const subnet = subnetOf(stack);
    const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    expect(() =>
      grantRole(identity, Roles.NetworkContributor, SubnetTarget.of(subnet), { reason: "wants the network" }),
    ).toThrow(
      /IG024 platform-role-outside-platform-use: platform role Network Contributor .* no compute of the stack runs its platform as this principal on this resource/,
    );
    // A hand-written one, even claiming the AKS description, is judged from what the cluster really uses.
    const aks = clusterOn(stack, { vnetSubnetId: subnet.id });
    withControlPlane(stack, aks);
    handWrittenNetworkContributor(stack, "sneaky", subnet.id, identity.principalId, {
      description: "platform: AKS control plane: node subnet of AKS cluster aks",
    });
    const ig024 = evaluateGuardrails(stack, { severity: "error" }).filter((f) => f.ruleId === "IG024");
    expect(ig024.map((f) => f.address)).toEqual(["azurerm_role_assignment.sneaky"]);
  });
});

describe("AKS platform uses are judged from what the cluster really uses", () => {
  /** A web app's identity holding Network Contributor on a database subnet, through `setup`'s decoy. */
  function attempt(setup: (stack: TerraformStack, identity: UserAssignedIdentity, subnet: Subnet) => void) {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    const subnet = new Subnet(stack, "db", {
      name: "db",
      resourceGroupName: "aks-rg",
      virtualNetworkName: "aks-vnet",
      addressPrefixes: ["10.1.1.0/24"],
    });
    setup(stack, identity, subnet);
    handWrittenNetworkContributor(stack, "sneaky", subnet.id, identity.principalId, {
      description: "app: needs the network",
    });
    return evaluateGuardrails(stack, { severity: "error" })
      .filter((f) => f.ruleId === "IG024")
      .map((f) => f.address);
  }

  it("refuses a decoy cluster that may never exist (count = 0)", () => {
    const found = attempt((stack, identity, subnet) => {
      const decoy = clusterOn(
        stack,
        { vnetSubnetId: subnet.id },
        { identity: { type: "UserAssigned", identityIds: [identity.id] } },
      );
      decoy.count = 0;
    });
    expect(found).toEqual(["azurerm_role_assignment.sneaky"]);
  });

  it("refuses a cluster that names two identities, or an identity a compute also runs as", () => {
    const other = (stack: TerraformStack) => new UserAssignedIdentity(stack, "other", { name: "other-id", ...inRg });
    expect(
      attempt((stack, identity, subnet) =>
        clusterOn(
          stack,
          { vnetSubnetId: subnet.id },
          { identity: { type: "UserAssigned", identityIds: [other(stack).id, identity.id] } },
        ),
      ),
    ).toEqual(["azurerm_role_assignment.sneaky"]);
    expect(
      attempt((stack, identity, subnet) => {
        clusterOn(
          stack,
          { vnetSubnetId: subnet.id },
          { identity: { type: "UserAssigned", identityIds: [identity.id] } },
        );
        new LinuxWebApp(stack, "web", {
          ...inRg,
          name: "web",
          servicePlanId: "/plan",
          siteConfig: {},
          identity: { type: "UserAssigned", identityIds: [identity.id] },
        });
      }),
    ).toEqual(["azurerm_role_assignment.sneaky"]);
  });

  it("refuses a platform role held by a user, which no justification lets through", () => {
    const stack = testStack();
    const subnet = subnetOf(stack);
    handWrittenNetworkContributor(stack, "person", subnet.id, "0f0f0f0f-0000-4000-8000-000000000009", {
      principalType: "User",
    });
    expect(evaluateGuardrails(stack, { severity: "error" }).map((f) => f.ruleId)).toEqual(["IG021", "IG024"]);
    const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    expect(() =>
      grantRole(identity, Roles.NetworkContributor, SubnetTarget.of(subnet), {
        reason: "wants the network",
        justification: "the team says it really needs to change routes here",
      }),
    ).toThrow(/IG024 platform-role-outside-platform-use/);
  });

  it("refuses an existing control-plane identity on a custom subnet, and a node pool of another cluster", () => {
    const stack = testStack();
    const existing = new ExistingUserAssignedIdentity(
      stack,
      "cp",
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/aks-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-cp`,
      {
        principalId: "0f0f0f0f-0000-4000-8000-000000000001",
        clientId: "0f0f0f0f-0000-4000-8000-000000000002",
      },
    );
    expect(
      () =>
        new AksClusterIdentity(stack, "identities", {
          cluster: clusterOn(stack, { vnetSubnetId: SUBNET_ID }),
          controlPlane: Identity.userAssigned(existing),
        }),
    ).toThrow(
      /^\[test\/identities\] The cluster uses its own subnet or private DNS zone, but its control-plane identity is an existing one: .*Fix: pass `controlPlane: Identity.newUserAssigned\(props\)`/,
    );
    const other = testStack();
    const aks = clusterOn(other);
    const foreign = new KubernetesClusterNodePool(other, "pool", {
      name: "user",
      kubernetesClusterId: "${azurerm_kubernetes_cluster.elsewhere.id}",
      vmSize: "Standard_D4ds_v5",
      nodeCount: 1,
    });
    expect(() => new AksClusterIdentity(other, "identities", { cluster: aks, nodePools: [foreign] })).toThrow(
      '[test/identities] Node pool test/pool belongs to another cluster: "${azurerm_kubernetes_cluster.elsewhere.id}". Fix: pass only node pools',
    );
  });

  it("gives a Spot pool no max_surge, which AKS refuses for Spot", () => {
    const stack = testStack();
    const aks = clusterOn(stack);
    const spot = new KubernetesClusterNodePool(stack, "spot", {
      name: "spot",
      kubernetesClusterId: aks.id,
      vmSize: "Standard_D4ds_v5",
      nodeCount: 1,
      priority: "Spot",
    });
    new AksClusterIdentity(stack, "identities", { cluster: aks, nodePools: [spot] });
    expect(only(resourcesOf(stack, "azurerm_kubernetes_cluster_node_pool")).upgrade_settings).toBeUndefined();
  });
});

describe("AKS deploy settings", () => {
  it("sets explicit upgrade settings and Azure CNI overlay when none are given", () => {
    const stack = testStack();
    new AksClusterIdentity(stack, "identities", { cluster: clusterOn(stack) });
    const cluster = only(resourcesOf(stack, "azurerm_kubernetes_cluster"));
    expect(cluster.default_node_pool.upgrade_settings).toEqual({ max_surge: "10%" });
    expect(cluster.network_profile).toEqual({ network_plugin: "azure", network_plugin_mode: "overlay" });
  });

  it("keeps upgrade settings and a network profile the cluster already has", () => {
    const stack = testStack();
    const aks = clusterOn(
      stack,
      { upgradeSettings: { maxSurge: "33%", drainTimeoutInMinutes: 30 } },
      { networkProfile: { networkPlugin: "azure", networkPolicy: "cilium", networkDataPlane: "cilium" } },
    );
    new AksClusterIdentity(stack, "identities", { cluster: aks });
    const cluster = only(resourcesOf(stack, "azurerm_kubernetes_cluster"));
    expect(cluster.default_node_pool.upgrade_settings).toEqual({ max_surge: "33%", drain_timeout_in_minutes: 30 });
    expect(cluster.network_profile).toEqual({
      network_plugin: "azure",
      network_policy: "cilium",
      network_data_plane: "cilium",
    });
  });

  it.each([
    ["Standard_B4ms", 3, /Standard_B4ms is a B-series \(burstable\) size/],
    ["Standard_D2s_v5", 3, /Standard_D2s_v5 has 2 vCPUs, below the 4 Microsoft recommends/],
    ["Standard_E8-2ds_v5", 3, /Standard_E8-2ds_v5 has 2 vCPUs/],
    ["Standard_D4ds_v5", 1, /its node_count is 1, below the 2 nodes Microsoft recommends/],
    ["D4ds_v5", 2, /its VM size D4ds_v5 is not a literal Azure size name/],
  ])("refuses a system pool of %s x %d", (vmSize, nodeCount, message) => {
    const stack = testStack();
    const aks = clusterOn(stack, { vmSize, nodeCount });
    expect(() => new AksClusterIdentity(stack, "identities", { cluster: aks })).toThrow(message);
  });

  it.each([
    ["Standard_D4ds_v5", true],
    ["standard_d4ds_v5", true],
    ["Standard_DS3_v2", true],
    ["Standard_D3_v2", true],
    ["Standard_G2", true],
    ["Standard_D4plds_v5", true],
    ["Standard_NC4as_T4_v3", true],
    ["Standard_E4-2ds_v5", false],
    ["Standard_D11_v2", false],
    ["Standard_DS11_v2", false],
    ["Standard_D2s_v3", false],
  ])("judges %s by its real vCPUs (enough: %s)", (vmSize, enough) => {
    expect(systemPoolProblem({ vmSize, nodeCount: 2 }) === undefined).toBe(enough);
  });

  it("judges an autoscaled pool by its minimum, and an added System pool like the default one", () => {
    expect(systemPoolProblem({ vmSize: "Standard_D4ds_v5", autoScaling: true, minCount: 1, nodeCount: 5 })).toMatch(
      /its min_count is 1/,
    );
    expect(systemPoolProblem({ vmSize: "Standard_D16ds_v5", autoScaling: true, minCount: 2 })).toBeUndefined();
    const stack = testStack();
    const aks = clusterOn(stack);
    const pool = new KubernetesClusterNodePool(stack, "sys2", {
      name: "sys2",
      kubernetesClusterId: aks.id,
      vmSize: "Standard_B2s",
      nodeCount: 2,
      mode: "System",
    });
    expect(() => new AksClusterIdentity(stack, "identities", { cluster: aks, nodePools: [pool] })).toThrow(
      /The system node pool of test\/sys2 is below what Microsoft recommends for a system pool: Standard_B2s is a B-series/,
    );
  });
});
