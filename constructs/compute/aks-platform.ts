import { stackOf } from "../core/runtime";
import { IConstruct } from "constructs";
import { AnnotationMetadataEntryType, Token } from "cdktf";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { IdentityConfigError, ProblemReport } from "../core/errors";
import { meaninglessTextProblem } from "../core/meaningful-text";
import { AzureContext } from "../azure/azure-context";
import { literalIdFromNames, resolveInStack, resourceOfIdReference } from "../azure/known-values";
import { ResourceTypes } from "../services/resource-types";
import { RoleDefinition } from "../azure/role-catalog";
import { GrantTarget } from "../grants/targets";
import { network, PrivateDnsZoneTarget, SubnetTarget } from "../services/network";

/** One resource the control plane must hold a platform role on, and what the cluster uses it for. */
export interface AksPlatformScope {
  readonly target: GrantTarget<"Network">;
  readonly role: RoleDefinition;
  readonly use: string;
}

/**
 * Every subnet the cluster's nodes, pods and API server use, and its own private DNS zone: what
 * Microsoft documents the control-plane identity needs (Network Contributor on the subnet,
 * Private DNS Zone Contributor on the zone) and must be granted outside the portal.
 */
export function aksPlatformScopes(
  where: IConstruct,
  cluster: KubernetesCluster,
  nodePools: readonly KubernetesClusterNodePool[],
): AksPlatformScope[] {
  const name = `AKS cluster ${cluster.nameInput ?? cluster.node.path}`;
  const pool = cluster.defaultNodePool;
  const subnets: [string | undefined, string][] = [
    [pool.vnetSubnetIdInput, `node subnet of ${name}`],
    [pool.podSubnetIdInput, `pod subnet of ${name}`],
    ...nodePools.flatMap((p): [string | undefined, string][] => [
      [p.vnetSubnetIdInput, `node subnet of ${name}`],
      [p.podSubnetIdInput, `pod subnet of ${name}`],
    ]),
    [cluster.apiServerAccessProfileInput?.subnetId, `API server subnet of ${name}`],
  ];
  const scopes = subnets.flatMap(([value, use]) =>
    value === undefined
      ? []
      : [{ target: subnetTarget(where, value, use), role: network.roles.NetworkContributor, use }],
  );
  const zone = cluster.privateDnsZoneIdInput;
  if (zone !== undefined && !/^(system|none)$/i.test(zone)) {
    scopes.push({
      target: dnsZoneTarget(where, zone),
      role: network.roles.PrivateDnsZoneContributor,
      use: `private DNS zone of ${name}`,
    });
  }
  const seen = new Set<string>();
  return scopes.filter((s) => {
    const key = `${s.role.guid}|${s.target.resourceId.id.toLowerCase()}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function subnetTarget(where: IConstruct, value: string, use: string): GrantTarget<"Network"> {
  if (!Token.isUnresolved(value)) return SubnetTarget.fromId(where, value);
  const subnet = resourceOfIdReference(where, value);
  if (subnet instanceof Subnet) return SubnetTarget.of(subnet);
  throw unknowable(where, value, use, "a subnet of this stack (`subnet.id`) or a subnet's resource id string");
}

function dnsZoneTarget(where: IConstruct, value: string): GrantTarget<"Network"> {
  if (!Token.isUnresolved(value)) return PrivateDnsZoneTarget.fromId(where, value);
  const zone = resourceOfIdReference(where, value);
  if (zone instanceof PrivateDnsZone) return PrivateDnsZoneTarget.of(zone);
  throw unknowable(
    where,
    value,
    "the cluster's private DNS zone",
    "a private DNS zone of this stack (`zone.id`) or its resource id string",
  );
}

const unknowable = (where: IConstruct, value: string, use: string, expected: string) =>
  new IdentityConfigError(where, {
    problem: `The ${use} is a value only Terraform knows, so the control plane cannot be granted on it before the cluster exists`,
    value: resolveInStack(where, value),
    fix: `pass ${expected}`,
  });

/**
 * What Microsoft recommends for a system node pool, where AKS runs its own pods: at least 2 nodes
 * of 4 vCPUs or more, not B-series. Recommendations for production, not limits AKS enforces: "A
 * production AKS cluster with a single system node pool must contain at least two nodes", and
 * "Every AKS cluster must contain at least one system node pool with at least one node"
 * (learn.microsoft.com/azure/aks/use-system-pools); the API asks a system pool's size for "at
 * least 2vCPUs and 4GB of memory" (AgentPoolMode.System). So a smaller pool is refused unless
 * accepted, with a reason, outside production.
 */
const SYSTEM_POOL = { nodes: 2, vcpus: 4 };
/** The API's own floor for a system pool's size ("at least 2vCPUs"): below it the apply fails. */
const AKS_SYSTEM_POOL_FLOOR_VCPUS = 2;
/** `Standard_D4ds_v5` → family D, 4 vCPUs; a constrained size `Standard_E8-4ds_v5` has 4 active vCPUs. */
const VM_SIZE = /^Standard_([A-Z]+)(\d+)(?:-(\d+))?([a-z]*)((?:_[A-Za-z0-9]+)*)$/i;
/** Before v3, D/DS and G/GS size numbers are not vCPU counts (Standard_DS3_v2 has 4, Standard_D11_v2 has 2). */
const LEGACY_VCPUS: Readonly<Record<string, number>> = {
  D1: 1,
  D2: 2,
  D3: 4,
  D4: 8,
  D5: 16,
  D11: 2,
  D12: 4,
  D13: 8,
  D14: 16,
  D15: 20,
  G1: 2,
  G2: 4,
  G3: 8,
  G4: 16,
  G5: 32,
};

function vcpusOf([, family, number, active, , versions]: RegExpExecArray): number {
  if (active !== undefined) return Number(active);
  const legacy =
    /^(D|DS|G|GS)$/i.test(family) && !/_v([3-9]|\d\d)/i.test(versions)
      ? LEGACY_VCPUS[`${family[0].toUpperCase()}${number}`]
      : undefined;
  return legacy ?? Number(number);
}

interface NodePoolSettings {
  readonly vmSize?: string;
  readonly nodeCount?: number;
  readonly autoScaling?: boolean | unknown;
  readonly minCount?: number;
}

/** What keeps a system pool below what Microsoft recommends, or nothing. */
export function systemPoolProblem(pool: NodePoolSettings): string | undefined {
  const size = pool.vmSize === undefined || Token.isUnresolved(pool.vmSize) ? undefined : VM_SIZE.exec(pool.vmSize);
  if (!size)
    return `its VM size ${pool.vmSize ?? "(unset)"} is not a literal Azure size name, so its vCPUs cannot be checked`;
  if (/^B/i.test(size[1]))
    return `${pool.vmSize} is a B-series (burstable) size, which Microsoft does not recommend for system pools`;
  const vcpus = vcpusOf(size);
  if (vcpus < SYSTEM_POOL.vcpus)
    return `${pool.vmSize} has ${vcpus} vCPUs, below the ${SYSTEM_POOL.vcpus} Microsoft recommends`;
  const nodes = pool.autoScaling === true ? pool.minCount : pool.nodeCount;
  const which = pool.autoScaling === true ? "min_count" : "node_count";
  if (nodes === undefined || Token.isUnresolved(nodes) || nodes < SYSTEM_POOL.nodes)
    return `its ${which} is ${nodes ?? "unset"}, below the ${SYSTEM_POOL.nodes} nodes Microsoft recommends`;
  return undefined;
}

/** A system pool below Microsoft's recommendation, accepted for a cluster outside production. */
export interface SmallSystemPoolAcceptance {
  /** Why this cluster can run on it (a dev cluster nobody else depends on...): in words, shown in the synth's warning. */
  readonly reason: string;
}

const MIN_REASON = 10;
const RECOMMENDED = `use at least ${SYSTEM_POOL.nodes} nodes of a size with at least ${SYSTEM_POOL.vcpus} vCPUs that is not B-series (e.g. Standard_D4ds_v5)`;

/** Why the stack counts as production (it says so, or declares no environment), or nothing. */
function productionOf(where: IConstruct): string | undefined {
  const stack = stackOf(where);
  const environment = AzureContext.environmentOf(stack);
  if (environment === undefined) return `stack ${stack.node.id} declares no environment, so it counts as production`;
  return environment.production ? `stack ${stack.node.id} is of production environment ${environment.name}` : undefined;
}

type PoolVerdict = { resource: IConstruct; refusal: ProblemReport } | { resource: IConstruct; warning: string };

/** The settings of a system pool as written (the cluster's default pool, or a pool of its own). */
const poolSettings = (p: KubernetesClusterNodePool | KubernetesCluster["defaultNodePool"]): NodePoolSettings => ({
  vmSize: p.vmSizeInput,
  nodeCount: p.nodeCountInput,
  autoScaling: p.autoScalingEnabledInput,
  minCount: p.minCountInput,
});

/** The stack's System pools of `cluster` that `listed` leaves out. */
function unlistedSystemPools(
  where: IConstruct,
  cluster: KubernetesCluster,
  listed: readonly KubernetesClusterNodePool[],
): KubernetesClusterNodePool[] {
  const clusterId = resolveInStack(where, cluster.id);
  // A pool may also name its cluster by the id built from the cluster's names.
  const literalId = literalIdFromNames(cluster, ResourceTypes.kubernetesCluster.azureType);
  return stackOf(where)
    .node.findAll()
    .filter(
      (c): c is KubernetesClusterNodePool =>
        c instanceof KubernetesClusterNodePool &&
        !listed.includes(c) &&
        c.modeInput === "System" &&
        typeof c.kubernetesClusterIdInput === "string" &&
        (resolveInStack(where, c.kubernetesClusterIdInput) === clusterId ||
          c.kubernetesClusterIdInput.toLowerCase() === literalId),
    );
}

/** Each system pool below the recommendation: refused, or (accepted outside production) a warning. */
function systemPoolVerdicts(
  where: IConstruct,
  cluster: KubernetesCluster,
  nodePools: readonly KubernetesClusterNodePool[],
  smallPool: SmallSystemPoolAcceptance | undefined,
): PoolVerdict[] {
  const pools: [IConstruct, NodePoolSettings][] = [
    [cluster, poolSettings(cluster.defaultNodePool)],
    ...nodePools
      .filter((p) => p.modeInput === "System")
      .map((p): [IConstruct, NodePoolSettings] => [p, poolSettings(p)]),
  ];
  const production = productionOf(where);
  return pools.flatMap(([resource, settings]): PoolVerdict[] => {
    const problem = systemPoolProblem(settings);
    if (!problem) return [];
    const below = `The system node pool of ${resource.node.path} is below what Microsoft recommends for a system pool: ${problem}`;
    const size = typeof settings.vmSize === "string" ? VM_SIZE.exec(settings.vmSize) : null;
    const belowApiFloor = size !== null && vcpusOf(size) < AKS_SYSTEM_POOL_FLOOR_VCPUS;
    if (smallPool && !production && !belowApiFloor)
      return [
        {
          resource,
          warning: `${below}. Accepted outside production (acceptSmallSystemPool): ${smallPool.reason.trim()}`,
        },
      ];
    return [
      {
        resource,
        refusal: {
          problem:
            smallPool && belowApiFloor
              ? `${below}; AKS itself refuses a system pool of fewer than ${AKS_SYSTEM_POOL_FLOOR_VCPUS} vCPUs, so no reason accepts it`
              : smallPool
                ? `${below}; ${production}, and production system pools must meet it`
                : below,
          value: {
            vmSize: settings.vmSize ?? null,
            nodeCount: settings.nodeCount ?? null,
            minCount: settings.minCount ?? null,
          },
          fix: smallPool
            ? `${RECOMMENDED} in production, and remove acceptSmallSystemPool there (a non-production stack declares environment: { name, production: false } in configureIdentityStack)`
            : `${RECOMMENDED}${production ? "" : ", or accept it for this non-production cluster with acceptSmallSystemPool: { reason }"}`,
        },
      },
    ];
  });
}

/**
 * What a cluster needs to deploy and then plan without changes: explicit upgrade settings (the
 * provider does not read back the API's default `max_surge`, so leaving them out shows a change on
 * every plan), an explicit network plugin (the implicit one is kubenet, which is retiring), and
 * system pools that meet Microsoft's recommendation, or, outside production, are accepted below it
 * with a reason (a warning on the pool then says so). Settings already made are kept.
 */
export function applyAksDeploySettings(
  where: IConstruct,
  cluster: KubernetesCluster,
  nodePools: readonly KubernetesClusterNodePool[],
  smallPool?: SmallSystemPoolAcceptance,
): void {
  if (smallPool !== undefined) {
    const reason: unknown = (smallPool as Partial<SmallSystemPoolAcceptance> | null)?.reason;
    const vague = meaninglessTextProblem(typeof reason === "string" ? reason : "", MIN_REASON);
    if (vague) {
      throw new IdentityConfigError(where, {
        problem: `acceptSmallSystemPool needs a reason in words (${vague})`,
        value: reason ?? null,
        fix: `say in at least ${MIN_REASON} characters and three words why this cluster can run on a small system pool`,
      });
    }
  }
  const pool = cluster.defaultNodePool;
  if (pool.upgradeSettingsInput === undefined) pool.putUpgradeSettings({ maxSurge: "10%" });
  if (cluster.networkProfileInput === undefined)
    cluster.putNetworkProfile({ networkPlugin: "azure", networkPluginMode: "overlay" });
  const verdicts = systemPoolVerdicts(where, cluster, nodePools, smallPool);
  const refused = verdicts.find((v) => "refusal" in v);
  if (refused && "refusal" in refused) throw new IdentityConfigError(where, refused.refusal);
  for (const v of verdicts)
    if ("warning" in v)
      // Metadata without a stack trace, as the guardrails' findings: the trace would be this function.
      v.resource.node.addMetadata(AnnotationMetadataEntryType.WARN, v.warning, { stackTrace: false });
  // Judged again at synth: a pool changed afterwards, or a system pool of the cluster not listed in
  // nodePools, would otherwise reach production unjudged.
  where.node.addValidation({
    validate: () =>
      systemPoolVerdicts(
        where,
        cluster,
        [...nodePools, ...unlistedSystemPools(where, cluster, nodePools)],
        smallPool,
        // The runtime prefixes each validation message with the construct's path itself.
      ).flatMap((v) =>
        "refusal" in v ? [`${v.refusal.problem}: ${JSON.stringify(v.refusal.value)}. Fix: ${v.refusal.fix}`] : [],
      ),
  });
  // AKS refuses max_surge on Spot pools.
  for (const p of nodePools)
    if (p.upgradeSettingsInput === undefined && p.priorityInput !== "Spot") p.putUpgradeSettings({ maxSurge: "10%" });
}
