import type { Construct, IConstruct } from "constructs";
import type { TerraformResource } from "cdktf";
import type { GrantScope } from "../grant";
import { IdentityConfigError } from "../../core/errors";
import { isNotApplicable, type Part } from "./part";
import { registeredServices } from "./registry";

/**
 * The network part: how a compute reaches a service's data plane (Private Link, service endpoints,
 * firewall and virtual network rules), what makes a target refuse public traffic, and how the
 * service's computes enter a virtual network. The path algorithm (`estate/network-paths`)
 * judges the synthesized JSON from these facts; `NetworkPath` writes rules from them.
 */

/** A resource's configuration as the synthesized JSON holds it. */
export type JsonConfig = Readonly<Record<string, unknown>>;

/** How a judge reads the JSON: Terraform's values as Terraform converts them. */
export interface JsonReader {
  /** A nested block: its object, or its list's first one. */
  block(value: unknown): JsonConfig | undefined;
  /** A list attribute, a single value as a list of one, an absent one as none. */
  list(value: unknown): readonly unknown[];
  /** A Terraform bool (`"true"`/`"1"`, `"false"`/`"0"` too); undefined when only Terraform knows it. */
  bool(value: unknown): boolean | undefined;
  /** The configurations of the stack's resources of `type` whose `field` names this resource's id, each certain to exist. */
  attached(type: string, field: string): readonly JsonConfig[];
}

/** Why a target refuses public traffic, and which paths through its public endpoint it opens. */
export interface Refusal {
  /** In words: "its network_rule_set denies by default". */
  readonly refusal: string;
  /** Subnet values its network rules admit, each through the subnet's service endpoint. */
  readonly ruleSubnets?: readonly unknown[];
  /** How many rules for IP ranges it has. */
  readonly ipRules?: number;
  /** Whether it lets trusted Azure services through: computes whose placement names a `trustedService`. */
  readonly trustedServices?: boolean;
}

/** The refusal of a target whose public network access is disabled. */
export const PUBLIC_ACCESS_DISABLED: Refusal = Object.freeze({ refusal: "its public network access is disabled" });

/**
 * The refusal of a network ACL block of azurerm's common shape (`default_action`,
 * `virtual_network_subnet_ids`, `ip_rules`) when it denies by default; undefined otherwise.
 */
export function aclRefusal(acl: JsonConfig | undefined, blockName: string, json: JsonReader): Refusal | undefined {
  if (acl?.default_action !== "Deny") return undefined;
  return {
    refusal: `its ${blockName} deny by default`,
    ruleSubnets: json.list(acl.virtual_network_subnet_ids),
    ipRules: json.list(acl.ip_rules).length,
  };
}

/**
 * How a resource of its own names the resource it belongs to (a server's firewall rule or
 * parameter): by that resource's id (`field`: `server_id`), or by its name and resource group
 * (`server_name`, `resource_group_name`), as some azurerm resources do.
 */
export type NamesParent =
  { readonly field: string } | { readonly nameField: string; readonly resourceGroupField: string };

/** Resources made for a target (its rules, its parameters): their Terraform type and how each names the target. */
export type RuleResources = { readonly type: string } & NamesParent;

export interface NetworkTarget {
  /** The Terraform type of the resource whose network settings govern its data plane. */
  readonly terraformType: string;
  /**
   * The Private Link group (sub-resource) reaching its data plane; by role service where the
   * resource has one per service (a storage account's blob, queue, table and file).
   */
  readonly privateLinkGroup: string | Readonly<Record<string, string>>;
  /** The service endpoint a subnet needs for the target's virtual network rules to admit its traffic. */
  readonly serviceEndpoint?: string;
  /** A string switch instead of the bool `public_network_access_enabled`, and the value turning it off. */
  readonly publicAccess?: { readonly attribute: string; readonly disabled: string };
  /** The argument placing it into a subnet (VNet injection): reached from that network only. */
  readonly injectedSubnet?: string;
  /**
   * Its firewall rules: with them (and a public endpoint), it refuses every connection no rule,
   * virtual network rule or private endpoint admits; a 0.0.0.0 rule is "allow Azure services".
   */
  readonly firewallRules?: RuleResources;
  /** Its virtual network rules, each admitting its `subnet_id`. */
  readonly virtualNetworkRules?: RuleResources;
  /**
   * What else makes it refuse public traffic once its public network access is on (network ACLs
   * denying by default); undefined when it admits it or only Terraform knows.
   */
  refuses?(config: JsonConfig, json: JsonReader): Refusal | undefined;
  /**
   * Its sub-resources whose grants its network settings govern, where the resourceTypes part
   * builds no id for them (a Key Vault secret's `id` is a data-plane URL): Terraform type to the
   * argument naming this target. Children with a `parentId` there are found from it.
   */
  readonly children?: Readonly<Record<string, string>>;
  /** The command adding a firewall rule for one address, for an administrator's session. */
  readonly firewallRuleCommand?: string;
  /** How `NetworkPath` opens a path to it (a private endpoint, its rules); a path it cannot write is refused. */
  readonly rules?: {
    /** How a caller makes its target, for a fix: `SqlServerTarget.of(server)`. */
    readonly targetOf: string;
    /** A resource of the stack as a path to it is placed: undefined when it is not one of this target's. */
    home(resource: IConstruct): PathHome | undefined;
    /** The "allow Azure services" firewall rule (0.0.0.0). */
    allowAzureServices?(scope: Construct, id: string, target: GrantScope): TerraformResource;
    virtualNetworkRule?(scope: Construct, id: string, rule: VirtualNetworkRuleArgs): TerraformResource;
  };
}

/** A target of the stack, from its own inputs: where a private endpoint to it goes, and what its rules could admit. */
export interface PathHome {
  readonly resourceGroupName?: string;
  readonly location?: string;
  /** Its public network access is off: firewall and virtual network rules admit nothing. */
  readonly publicAccessOff: boolean;
  /** The subnet it is injected into: it takes no private endpoint, and its rules admit nothing. */
  readonly injectedSubnet?: string;
}

/** The firewall range that admits Azure services (0.0.0.0 to 0.0.0.0), as the database servers spell it. */
export const AZURE_SERVICES_RANGE = { startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" } as const;

/** A database server's home from the inputs every provider server class has. */
export const serverHome = (
  server: { readonly resourceGroupNameInput?: string; readonly locationInput?: string },
  publicAccessOff: boolean,
  injectedSubnet?: string,
): PathHome => ({
  resourceGroupName: server.resourceGroupNameInput,
  location: server.locationInput,
  publicAccessOff,
  injectedSubnet,
});

export interface VirtualNetworkRuleArgs {
  readonly name: string;
  readonly targetId: string;
  readonly subnetId: string;
}

/** A resource of the stack a compute's network settings name. */
export interface NamedResource {
  readonly type: string;
  readonly config: JsonConfig;
  /** Created exactly once: no `count` or `for_each`. */
  readonly certain: boolean;
}

/** How a placement reads the JSON around a compute. */
export interface ComputeReader extends JsonReader {
  /** The stack resource a value names by `${<address>.id}`. */
  resource(value: unknown): NamedResource | undefined;
  /** The configurations of the stack's resources of `type` whose `field` refers to this compute at all. */
  referencing(type: string, field: string): readonly JsonConfig[];
  /** Whether `config` writes block `name` as a `dynamic` block, whose entries only Terraform knows. */
  dynamic(config: JsonConfig | undefined, name: string): boolean;
}

export interface ComputePlacement {
  readonly terraformTypes: readonly string[];
  /**
   * The subnet values its outbound traffic enters a virtual network through (the subnets it runs
   * in or is integrated with): none is certain, no subnet at all; undefined when the JSON cannot tell.
   */
  subnets(config: JsonConfig, json: ComputeReader): readonly unknown[] | undefined;
  /** The service's name when targets' trusted-services bypass admits it (Container Registry's admits Container Instances). */
  readonly trustedService?: string;
}

export interface NetworkPart {
  /** Microsoft's private DNS zone of each Private Link group of its targets (public cloud). */
  readonly privateDnsZones?: Readonly<Record<string, string>>;
  readonly targets?: readonly NetworkTarget[];
  readonly computes?: readonly ComputePlacement[];
}

interface Lookups {
  readonly services: number;
  readonly targets: ReadonlyMap<
    string,
    { readonly target: NetworkTarget; readonly zones: Readonly<Record<string, string>> }
  >;
  readonly placements: ReadonlyMap<string, ComputePlacement>;
  readonly children: ReadonlyMap<string, string>;
}
let lookups: Lookups | undefined;

/** The lookups, rebuilt when a service registers; the first service to name a type wins, in registry order. */
function tables(): Lookups {
  const services = registeredServices();
  if (lookups?.services === services.length) return lookups;
  const parts = services.flatMap((s) => (s.network && !isNotApplicable(s.network) ? [s.network] : []));
  const targets = new Map<string, { target: NetworkTarget; zones: Readonly<Record<string, string>> }>();
  const placements = new Map<string, ComputePlacement>();
  const children = new Map<string, string>();
  const add = <V>(map: Map<string, V>, key: string, value: V) => map.has(key) || map.set(key, value);
  for (const part of parts) {
    for (const target of part.targets ?? []) {
      add(targets, target.terraformType, { target, zones: part.privateDnsZones ?? {} });
      for (const [child, field] of Object.entries(target.children ?? {})) add(children, child, field);
    }
    for (const placement of part.computes ?? [])
      for (const type of placement.terraformTypes) add(placements, type, placement);
  }
  lookups = { services: services.length, targets, placements, children };
  return lookups;
}

/** Every registered network target, and its service's DNS zones, in registry order. */
export function networkTargets() {
  return [...tables().targets.values()];
}

/** The network target of a Terraform type, and its service's DNS zones; undefined when no service has it. */
export function networkTargetByType(terraformType: string) {
  return tables().targets.get(terraformType);
}

/** How a compute of a Terraform type enters a virtual network; undefined when no service says. */
export function placementByType(terraformType: string): ComputePlacement | undefined {
  return tables().placements.get(terraformType);
}

/** The argument of a network target's sub-resource (one `children` lists) naming the target. */
export function networkChildField(terraformType: string): string | undefined {
  return tables().children.get(terraformType);
}

/** The group a target's private endpoint connects to for `roleService`'s data. */
export function privateLinkGroupOf(target: NetworkTarget, roleService: string | undefined): string | undefined {
  const group = target.privateLinkGroup;
  return typeof group === "string" ? group : roleService === undefined ? undefined : group[roleService];
}

/** A DNS name: labels of letters, digits and inner hyphens, dot-separated. */
const DNS_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/** Each group of a target has a zone, and each zone is Microsoft's kind: `privatelink.` and a DNS name. */
export function checkNetworkPart(service: string, part: Part<NetworkPart> | undefined): void {
  if (part === undefined || isNotApplicable(part)) return;
  const zones = part.privateDnsZones ?? {};
  for (const target of part.targets ?? []) {
    const groups =
      typeof target.privateLinkGroup === "string" ? [target.privateLinkGroup] : Object.values(target.privateLinkGroup);
    const missing = groups.find((g) => !Object.prototype.hasOwnProperty.call(zones, g));
    if (missing !== undefined) {
      throw new IdentityConfigError("defineService", {
        problem: `${service} network: ${target.terraformType}'s Private Link group "${missing}" has no private DNS zone`,
        value: missing,
        fix: `add privateDnsZones: { ${missing}: "privatelink.<the service's DNS suffix>" } (Microsoft's zone for the group, from "Azure Private Endpoint DNS configuration")`,
      });
    }
  }
  for (const [group, zone] of Object.entries(zones)) {
    if (typeof zone !== "string" || !zone.startsWith("privatelink.") || !DNS_NAME.test(zone)) {
      throw new IdentityConfigError("defineService", {
        problem: `${service} network: the private DNS zone of group "${group}" is not "privatelink." followed by a DNS name`,
        value: typeof zone === "string" ? zone : null,
        fix: `give Microsoft's zone for the group in lower case, e.g. "privatelink.blob.core.windows.net"`,
      });
    }
  }
}
