import { stackOf } from "../core/runtime";
import { Construct, IConstruct } from "constructs";
import { TerraformResource, TerraformStack, Token } from "cdktf";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { ResourceId } from "../azure/azure-ids";
import { IdentityConfigError } from "../core/errors";
import { knownName, requireLiteral, resolveInStack, resourceOfIdReference } from "../azure/known-values";
import { meaninglessTextProblem } from "../core/meaningful-text";
import { justifySuppressions } from "../policy/suppression-record";
import { slug } from "../core/slug";
import { ASSIGNMENT_NAMESPACE, uuidv5 } from "../core/deterministic-name";
import { network as networkService } from "../services/network";
import type { RoleService } from "../azure/role-catalog";
import type { GrantTarget } from "../grants/targets";
import { networkTargets, privateLinkGroupOf, type NetworkTarget, type PathHome } from "../azure/contract/network";
import { resourceTypeOfTerraform } from "../azure/contract/resource-types";

/** A database server the library gives a network path to: a server target, whose databases are granted on. */
export type DatabaseServerTarget = GrantTarget<RoleService> & {
  database(database: string): GrantTarget<RoleService>;
};

/** A kind of server, from its service's resource type and network part. */
interface ServerKind {
  readonly azureType: string;
  readonly product: string;
  /** The Private Link group of its data plane, and Microsoft's private DNS zone for it. */
  readonly group: string;
  readonly zone: string;
  /** How a path to it is written; a path it has no writer for is refused. */
  readonly network: NetworkTarget & { readonly rules: NonNullable<NetworkTarget["rules"]> };
}

/** The registered targets NetworkPath writes paths to (those whose network part has its writers), in registry order. */
function serverKinds(): ServerKind[] {
  return networkTargets().flatMap(({ target, zones }) => {
    const type = resourceTypeOfTerraform(target.terraformType);
    const group = privateLinkGroupOf(target, undefined);
    const { rules } = target;
    if (!type || group === undefined || !rules) return [];
    return [
      { azureType: type.azureType, product: type.kind, group, zone: zones[group], network: { ...target, rules } },
    ];
  });
}
/** The kinds whose rules of this sort NetworkPath can write. */
const kindsWriting = (rule: "virtualNetworkRule" | "allowAzureServices") =>
  serverKinds().filter((k) => k.network.rules[rule] !== undefined);

/** The server kind of a target; a database or schema target (or a cast) is refused with the fix. */
function serverKindOf(where: IConstruct, target: DatabaseServerTarget, allowed: readonly ServerKind[]): ServerKind {
  const kind = allowed.find((k) => target?.resourceId?.isOfType(k.azureType));
  if (kind) return kind;
  throw new IdentityConfigError(where, {
    problem: `A network path needs the ${allowed.map((k) => k.product).join(" or ")} itself, not ${target?.kind ?? "this value"}`,
    value: target?.resourceId?.id ?? null,
    fix: `pass the server target (${allowed.map((k) => k.network.rules.targetOf).join(" or ")}), not one of its databases`,
  });
}

/** A subnet of the stack, or an existing one by its literal id. */
function subnetIdOf(where: IConstruct, subnet: Subnet | string): string {
  if (subnet instanceof Subnet) return subnet.id;
  const id = typeof subnet === "string" && !Token.isUnresolved(subnet) ? ResourceId.parse(where, subnet) : undefined;
  if (!id?.isOfType(networkService.resourceTypes.subnet.azureType)) {
    throw new IdentityConfigError(where, {
      problem: "The network path's subnet is neither a subnet of this stack nor a subnet id",
      value: typeof subnet === "string" ? resolveInStack(where, subnet) : null,
      fix: `pass the Subnet construct, or /subscriptions/<guid>/resourceGroups/<rg>/providers/${networkService.resourceTypes.virtualNetwork.azureType}/<vnet>/subnets/<name>`,
    });
  }
  return id.id;
}

export interface PrivateEndpointPathProps {
  readonly target: DatabaseServerTarget;
  /**
   * The subnet the endpoint takes its address from: in the virtual network the workloads'
   * computes run in or are integrated with (App Service integrates through a subnet of its own).
   */
  readonly subnet: Subnet | string;
  /**
   * How the server's name resolves to the endpoint: Microsoft's private DNS zone for the service
   * (`privatelink.database.windows.net`), made here and linked to this virtual network (one zone
   * per resource group, shared by the endpoints that need it), or an existing zone by id.
   */
  readonly dns: { readonly virtualNetworkId: string } | { readonly zoneId: string };
  /** Where the endpoint lives; defaults to the server's, for a server of this stack. */
  readonly resourceGroupName?: string;
  readonly location?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface VirtualNetworkRulePathProps {
  readonly target: DatabaseServerTarget;
  /**
   * The subnet the workload's traffic leaves from: the one its VMs are in, or App Service's
   * integration subnet. A subnet of this stack gets the `Microsoft.Sql` service endpoint; one by
   * id must have it already (Azure refuses the rule otherwise).
   */
  readonly subnet: Subnet | string;
}

export interface AllowAzureServicesProps {
  readonly target: DatabaseServerTarget;
  /** Why admitting every Azure tenant's traffic is acceptable here: recorded as IG030's suppression. */
  readonly justification: string;
}

/**
 * The network path workloads take to a database server. A new Azure SQL server's firewall
 * refuses every connection, and so does a PostgreSQL flexible server's that is not VNet-injected:
 * a granted role is worth nothing until one of these exists. Guardrail IG030 checks, from the
 * synthesized JSON, that each compute holding a grant has one.
 */
export class NetworkPath extends Construct {
  /** A private endpoint in `subnet`, with the server's name resolving to it there. */
  static privateEndpoint(scope: Construct, id: string, props: PrivateEndpointPathProps): NetworkPath {
    const path = new NetworkPath(scope, id);
    const kind = serverKindOf(path, props.target, serverKinds());
    const home = homeOf(kind, props.target);
    if (home?.injectedSubnet !== undefined) {
      throw new IdentityConfigError(path, {
        problem: `The ${kind.product} is VNet-injected: it takes no private endpoint`,
        value: resolveInStack(path, home.injectedSubnet),
        fix: `reach it from its virtual network (computes in or integrated with a subnet there), or drop ${kind.network.injectedSubnet} and use the private endpoint`,
      });
    }
    const placement = {
      resourceGroupName: props.resourceGroupName ?? home?.resourceGroupName,
      location: props.location ?? home?.location,
    };
    if (placement.resourceGroupName === undefined || placement.location === undefined) {
      throw new IdentityConfigError(path, {
        problem: "The private endpoint's resource group and location are unknown: the server is not one of this stack",
        value: props.target.resourceId.id,
        fix: "pass resourceGroupName and location for the endpoint",
      });
    }
    const name = props.target.resourceId.name;
    const zoneId = "zoneId" in props.dns ? props.dns.zoneId : undefined;
    const zone =
      zoneId ??
      privateDnsZone(
        path,
        kind.zone,
        placement.resourceGroupName,
        (props.dns as { virtualNetworkId: string }).virtualNetworkId,
        props.tags,
      );
    path.resource = new PrivateEndpoint(path, "endpoint", {
      name: `${name}-pe`,
      resourceGroupName: placement.resourceGroupName,
      location: placement.location,
      subnetId: subnetIdOf(path, props.subnet),
      tags: props.tags === undefined ? undefined : { ...props.tags },
      privateServiceConnection: {
        name: `${name}-connection`,
        privateConnectionResourceId: props.target.scopeReference,
        subresourceNames: [kind.group],
        // An automatic connection is approved at once; a manual one would wait for the owner.
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: "default", privateDnsZoneIds: [zone] },
    });
    path.description = `private endpoint ${name}-pe`;
    return path;
  }

  /** A virtual network rule admitting `subnet` through the public endpoint (which must stay enabled). */
  static virtualNetworkRule(scope: Construct, id: string, props: VirtualNetworkRulePathProps): NetworkPath {
    const path = new NetworkPath(scope, id);
    const kind = serverKindOf(path, props.target, kindsWriting("virtualNetworkRule"));
    refuseWithoutPublicEndpoint(path, kind, props.target, "virtual network rules");
    const subnetId = subnetIdOf(path, props.subnet);
    const endpoint = kind.network.serviceEndpoint;
    if (props.subnet instanceof Subnet && endpoint) requireServiceEndpoint(path, props.subnet, endpoint);
    const subnetName =
      props.subnet instanceof Subnet
        ? knownName(props.subnet, props.subnet.nameInput ?? "")
        : ResourceId.parse(path, subnetId).name;
    requireLiteral(
      path,
      "The subnet's name",
      subnetName,
      "give the subnet a literal name, or pass the subnet id string built from names",
    );
    path.resource = kind.network.rules.virtualNetworkRule!(path, "rule", {
      name: virtualNetworkRuleName(subnetName),
      targetId: props.target.scopeReference,
      subnetId,
    });
    path.description = `virtual network rule for subnet ${subnetName}`;
    return path;
  }

  /**
   * The "allow Azure services" rule (0.0.0.0): connections from every Azure tenant's resources,
   * not only the workloads'. Only asked for explicitly, with a justification, which IG030 records
   * as its suppression; the rule is IG030's finding wherever it appears otherwise.
   */
  static allowAzureServices(scope: Construct, id: string, props: AllowAzureServicesProps): NetworkPath {
    const path = new NetworkPath(scope, id);
    const kind = serverKindOf(path, props.target, kindsWriting("allowAzureServices"));
    refuseWithoutPublicEndpoint(path, kind, props.target, "firewall rules");
    const vague = meaninglessTextProblem(props.justification ?? "", 10);
    if (vague) {
      throw new IdentityConfigError(path, {
        problem: `The 'allow Azure services' rule admits every Azure tenant's traffic and needs a justification in words (${vague})`,
        value: props.justification ?? null,
        fix: "say why no private endpoint or virtual network rule will do, or use NetworkPath.privateEndpoint",
      });
    }
    path.resource = kind.network.rules.allowAzureServices!(path, "rule", props.target);
    justifySuppressions(path, ["IG030"], props.justification);
    path.description = "the 'allow Azure services' firewall rule";
    return path;
  }

  /** The resource that opens the path. */
  resource!: PrivateEndpoint | TerraformResource;
  /** The path in words. */
  description = "";

  private constructor(scope: Construct, id: string) {
    super(scope, id);
  }
}

/** The target's server as its service reads it, when it is one of this stack. */
function homeOf(kind: ServerKind, target: DatabaseServerTarget): PathHome | undefined {
  return target.home === undefined ? undefined : kind.network.rules.home(target.home);
}

/**
 * Firewall and virtual network rules act on the public endpoint only: with public network access
 * off (as a VNet-injected server must have it) they admit nothing, and Azure SQL refuses to create
 * them at all (error 42101), so the first apply would fail.
 */
function refuseWithoutPublicEndpoint(
  where: IConstruct,
  kind: ServerKind,
  target: DatabaseServerTarget,
  rules: string,
): void {
  const home = homeOf(kind, target);
  const injected = home?.injectedSubnet !== undefined;
  if (!home?.publicAccessOff && !injected) return;
  const access = kind.network.publicAccess;
  throw new IdentityConfigError(where, {
    problem: `The ${kind.product}'s public network access is off, so ${rules} admit nothing`,
    value: injected
      ? `${kind.network.injectedSubnet} (VNet-injected)`
      : `${access?.attribute ?? "public_network_access_enabled"} = ${access?.disabled ?? "false"}`,
    fix: injected
      ? "reach the server from its virtual network (computes in or integrated with a subnet there)"
      : `use NetworkPath.privateEndpoint, or turn public network access on for the ${rules}`,
  });
}

/** Azure SQL's limit on a virtual network rule's name (azurerm validates it at plan). */
const RULE_NAME_LENGTH = 64;

/**
 * `allow-<subnet>`, within the limit: a subnet name may have 80 characters, so a longer one is cut
 * and given a hash of the whole, keeping two long names that share a prefix apart.
 */
function virtualNetworkRuleName(subnetName: string): string {
  const full = slug(`allow-${subnetName}`);
  if (full.length <= RULE_NAME_LENGTH) return full;
  const hash = uuidv5(ASSIGNMENT_NAMESPACE, full).slice(0, 8);
  return `${full.slice(0, RULE_NAME_LENGTH - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** A virtual network rule admits a subnet's traffic only through the service's endpoint on that subnet. */
function requireServiceEndpoint(where: IConstruct, subnet: Subnet, endpoint: string): void {
  const current = subnet.serviceEndpointsInput;
  if (current !== undefined && (Token.isUnresolved(current) || current.some((e) => Token.isUnresolved(e)))) {
    throw new IdentityConfigError(where, {
      problem: `The subnet's service endpoints are a value only Terraform knows, so ${endpoint} cannot be added`,
      value: resolveInStack(where, Token.asString(current)),
      fix: `list the subnet's service endpoints literally, including ${endpoint}`,
    });
  }
  if (!(current ?? []).includes(endpoint)) subnet.serviceEndpoints = [...(current ?? []), endpoint].sort();
}

const zones = new WeakMap<TerraformStack, Map<string, PrivateDnsZone>>();
const links = new WeakMap<TerraformStack, Set<string>>();

/**
 * The stack's private DNS zone of `name` in `group`, linked to `virtualNetworkId`: one zone per
 * resource group (Azure allows no second of the same name there) and one link per network.
 */
function privateDnsZone(
  where: Construct,
  name: string,
  group: string,
  virtualNetworkId: string,
  tags: Readonly<Record<string, string>> | undefined,
): string {
  const stack = stackOf(where);
  const vnet = resourceOfIdReference(where, virtualNetworkId);
  const vnetName =
    vnet instanceof VirtualNetwork
      ? knownName(vnet, vnet.nameInput ?? "")
      : !Token.isUnresolved(virtualNetworkId)
        ? ResourceId.parse(where, virtualNetworkId).name
        : undefined;
  if (vnetName === undefined || (vnet === undefined && !virtualNetworkId.toLowerCase().includes("/virtualnetworks/"))) {
    throw new IdentityConfigError(where, {
      problem: "The private DNS zone's virtual network is neither one of this stack nor a virtual network id",
      value: resolveInStack(where, virtualNetworkId),
      fix: `pass the VirtualNetwork's id, or /subscriptions/<guid>/resourceGroups/<rg>/providers/${networkService.resourceTypes.virtualNetwork.azureType}/<name>`,
    });
  }
  requireLiteral(
    where,
    "The private DNS zone's resource group",
    group,
    "pass the endpoint's resourceGroupName as a literal (the zone and its links are named after it)",
  );
  requireLiteral(
    where,
    "The private DNS zone's virtual network name",
    vnetName,
    "give the VirtualNetwork a literal name, or pass the virtual network id string built from names",
  );
  const host = (stack.node.tryFindChild("private-dns") as Construct | undefined) ?? new Construct(stack, "private-dns");
  const byName = zones.get(stack) ?? new Map<string, PrivateDnsZone>();
  zones.set(stack, byName);
  const zoneKey = `${group}|${name}`;
  const zone =
    byName.get(zoneKey) ??
    new PrivateDnsZone(host, slug(`${group}-${name}`), {
      name,
      resourceGroupName: group,
      tags: tags === undefined ? undefined : { ...tags },
    });
  byName.set(zoneKey, zone);
  const linkKey = `${zoneKey}|${resolveInStack(where, virtualNetworkId)}`;
  const linked = links.get(stack) ?? new Set<string>();
  links.set(stack, linked);
  if (!linked.has(linkKey)) {
    linked.add(linkKey);
    new PrivateDnsZoneVirtualNetworkLink(host, slug(`${group}-${name}-${vnetName}`), {
      name: slug(`${vnetName}-link`),
      resourceGroupName: group,
      privateDnsZoneName: zone.name,
      virtualNetworkId,
      registrationEnabled: false,
      tags: tags === undefined ? undefined : { ...tags },
    });
  }
  return zone.id;
}
