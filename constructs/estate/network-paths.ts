import { ResourceId } from "../azure/azure-ids";
import { RoleService } from "../azure/role-catalog";
import {
  ComputeReader,
  NamesParent,
  networkChildField,
  networkTargetByType,
  placementByType,
  privateLinkGroupOf,
  PUBLIC_ACCESS_DISABLED,
  RuleResources,
} from "../azure/contract/network";
import { resourceTypeOfTerraform, serviceTerraformType, serviceType } from "../azure/contract/resource-types";
import { azureIdOf, parentIdOf } from "./azure-id-of";
import { Assignment, block, EstateModel, parseReference, TfResource } from "./estate-model";
import { isLiteral } from "./terraform-json";

/**
 * The network path from a compute of the stack to a data target of the stack, judged from the
 * JSON as Terraform applies it. Three answers: the target admits the compute (and how), it
 * refuses it (and why), or the JSON cannot tell (a value only Terraform knows on the target's or
 * the compute's side, a target outside the stack): then nothing is claimed. A path must be certain
 * to count: a private endpoint or rule that may not exist (`count`, `for_each`), names its target
 * or subnet through a value only Terraform knows, or waits for a manual approval is no path.
 */

/** How a sub-resource names the resource whose network settings it is under, and that resource's ARM type. */
function parentOfType(type: string): { how: NamesParent; parentType: string } | undefined {
  const resourceType = resourceTypeOfTerraform(type);
  const id = resourceType?.id;
  const parentType = resourceType?.azureType.split("/").slice(0, -1).join("/") ?? "";
  if (typeof id === "object" && id.parentName)
    return { how: { nameField: id.parentName, resourceGroupField: "resource_group_name" }, parentType };
  const field = (typeof id === "object" ? id.parentId : undefined) ?? networkChildField(type);
  return field === undefined ? undefined : { how: { field }, parentType };
}

const isNetworkTarget = (type: string) => networkTargetByType(type) !== undefined;

/**
 * A Terraform bool as Terraform converts it (`"true"`/`"1"` and `"false"`/`"0"` are bools too), so
 * a string "false" is no public endpoint left on; undefined when only Terraform knows it.
 */
function boolOf(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  return value === "true" || value === "1" ? true : value === "false" || value === "0" ? false : undefined;
}
/** A resource Terraform creates exactly once: one with `count` or `for_each` may not exist at all. */
const certain = (r: TfResource) => r.config.count === undefined && r.config.for_each === undefined;
const lower = (s: string) => s.toLowerCase();

/** Whether `value` names `resource`'s id: `${<its address>.id}`, or its Azure id as a literal. */
function namesResource(value: unknown, resource: TfResource, estate: EstateModel): boolean {
  const ref = parseReference(value);
  if (ref) return ref.address === resource.address && ref.attribute === ".id" && ref.suffix === "";
  const id = azureIdOf(resource, estate);
  return isLiteral(value) && id !== undefined && lower(value) === lower(id);
}

const targetsByEstate = new WeakMap<EstateModel, readonly { resource: TfResource; id: string }[]>();

/** The estate's network targets with their Azure ids (lower case), in estate order: read once, not once per grant. */
function networkTargetsOf(estate: EstateModel): readonly { resource: TfResource; id: string }[] {
  const cached = targetsByEstate.get(estate);
  if (cached) return cached;
  const targets = estate.resources.flatMap((resource) => {
    const id = isNetworkTarget(resource.type) ? azureIdOf(resource, estate) : undefined;
    return id === undefined ? [] : [{ resource, id: lower(id) }];
  });
  targetsByEstate.set(estate, targets);
  return targets;
}

/** The resource whose network settings govern a grant's scope: the scope's root resource in the stack. */
export function networkTargetOf(a: Assignment, estate: EstateModel): TfResource | undefined {
  let resource = a.scope.resource;
  if (!resource && isLiteral(a.scope.raw)) {
    const scope = lower(a.scope.raw);
    resource = networkTargetsOf(estate).find(({ id }) => scope === id || scope.startsWith(`${id}/`))?.resource;
  }
  for (let depth = 0; depth < 3; depth++) {
    const parent = resource && parentOfType(resource.type);
    if (!parent) break;
    const child = resource!;
    const { how, parentType } = parent;
    if ("field" in how) {
      const ref = parseReference(child.config[how.field]);
      resource = ref?.attribute === ".id" && ref.suffix === "" ? estate.byAddress.get(ref.address) : undefined;
    } else resource = estate.resources.find((r) => namesParent(child, how, parentType, r, estate));
  }
  return resource && isNetworkTarget(resource.type) ? resource : undefined;
}

/** A subnet as the path compares them: its id (an Azure id, or the address of a stack subnet) and its VNet's. */
export interface SubnetRef {
  readonly key: string;
  readonly vnet: string;
  /** The subnet resource, when it is one of the stack. */
  readonly resource?: TfResource;
  readonly label: string;
}

/** A virtual network's key: its Azure id where it can be built, else its address. */
function vnetKey(vnet: TfResource, estate: EstateModel): string {
  return lower(azureIdOf(vnet, estate) ?? vnet.address);
}

/** A subnet by reference or literal id; undefined when only Terraform knows which subnet it is. */
function subnetOf(value: unknown, estate: EstateModel): SubnetRef | undefined {
  const ref = parseReference(value);
  if (ref) {
    const subnet = estate.byAddress.get(ref.address);
    if (
      subnet?.type !== serviceTerraformType("Network", "subnet") ||
      ref.attribute !== ".id" ||
      ref.suffix !== "" ||
      !certain(subnet)
    )
      return undefined;
    const vnetRef = parseReference(subnet.config.virtual_network_name);
    const vnet = vnetRef?.attribute === ".name" && !vnetRef.suffix ? estate.byAddress.get(vnetRef.address) : undefined;
    const id = azureIdOf(subnet, estate);
    // A subnet naming the network by its name is in it only in the same resource group and
    // subscription: elsewhere, Azure puts it in another network of that name.
    const inVnet =
      vnet?.type === serviceTerraformType("Network", "virtualNetwork") &&
      subnet.config.resource_group_name === vnet.config.resource_group_name &&
      subnet.config.provider === vnet.config.provider;
    const vnetId = inVnet
      ? vnetKey(vnet, estate)
      : id === undefined
        ? undefined
        : lower(id.slice(0, id.lastIndexOf("/subnets/")));
    if (vnetId === undefined) return undefined;
    return { key: lower(id ?? subnet.address), vnet: vnetId, resource: subnet, label: subnet.address };
  }
  if (!isLiteral(value)) return undefined;
  try {
    const id = ResourceId.parseShape("subnet", value);
    if (!id.isOfType(serviceType("Network", "subnet").azureType)) return undefined;
    return {
      key: lower(id.id),
      vnet: lower(value.slice(0, value.toLowerCase().lastIndexOf("/subnets/"))),
      label: value,
    };
  } catch {
    return undefined;
  }
}

/** The subnets a list of values names; undefined when any one is a value only Terraform knows. */
function subnetsOf(values: readonly unknown[], estate: EstateModel): SubnetRef[] | undefined {
  const subnets = values.map((v) => subnetOf(v, estate));
  return subnets.every((s) => s !== undefined) ? (subnets as SubnetRef[]) : undefined;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** The stack resource a value names by `${<address>.id}`. */
function referencedBy(value: unknown, estate: EstateModel): TfResource | undefined {
  const ref = parseReference(value);
  return ref?.attribute === ".id" && !ref.suffix ? estate.byAddress.get(ref.address) : undefined;
}

/** How a service's judge reads `resource` and the stack around it. */
function readerFor(resource: TfResource, estate: EstateModel): ComputeReader {
  return {
    block,
    list,
    bool: boolOf,
    attached: (type, field) => attached(estate, { type, field }, resource).map((r) => r.config),
    resource: (value) => {
      const named = referencedBy(value, estate);
      return named && { type: named.type, config: named.config, certain: certain(named) };
    },
    referencing: (type, field) =>
      estate.resources
        .filter((r) => r.type === type && parseReference(r.config[field])?.address === resource.address)
        .map((r) => r.config),
    // A `dynamic` block's entries are known only to Terraform.
    dynamic: (config, name) => (config?.dynamic as Record<string, unknown> | undefined)?.[name] !== undefined,
  };
}

/**
 * Where a compute's outbound traffic enters a virtual network, as its service says: the subnets
 * it runs in (VMs, scale sets, node pools, container groups, container app environments) or is
 * integrated with (App Service). An empty list is certain: no subnet at all. Undefined when the
 * JSON cannot tell.
 */
function placementOf(compute: TfResource, estate: EstateModel): SubnetRef[] | undefined {
  const subnets = placementByType(compute.type)?.subnets(compute.config, readerFor(compute, estate));
  return subnets && subnetsOf(subnets, estate);
}

/** How a target refuses traffic from the public internet and which paths it opens instead. */
export interface Gate {
  readonly target: TfResource;
  /** Why it refuses, in words. */
  readonly refusal: string;
  /** Whether its public endpoint (firewall and virtual network rules) still takes traffic. */
  readonly publicEndpoint: boolean;
  /** Subnets its network rules admit, each through the subnet's service endpoint. */
  readonly ruleSubnets: readonly unknown[];
  /** Rules for IP ranges other than the "Azure services" rule: a compute's outbound address is none the stack fixes. */
  readonly ipRules: number;
  /** The 0.0.0.0 firewall rules ("allow Azure services"): every Azure tenant's traffic, this compute's included. */
  readonly azureServicesRules: readonly TfResource[];
  /** A PostgreSQL server injected into this subnet: reached from its virtual network. */
  readonly injectedSubnet?: unknown;
  /** The registry lets trusted Azure services through, which include Container Instances pulling its images. */
  readonly trustedServices?: boolean;
}

/**
 * Whether `resource` names `target` (of ARM type `targetType`) as the resource it belongs to, the
 * way its service says: by id, or by name and resource group (references to the target's own, or
 * values building its Azure id).
 */
function namesParent(
  resource: TfResource,
  how: NamesParent,
  targetType: string,
  target: TfResource,
  estate: EstateModel,
): boolean {
  if ("field" in how) return namesResource(resource.config[how.field], target, estate);
  const refersTo = (field: string, attribute: string) => {
    const ref = parseReference(resource.config[field]);
    return ref?.address === target.address && ref.attribute === attribute && ref.suffix === "";
  };
  if (
    refersTo(how.nameField, ".name") &&
    refersTo(how.resourceGroupField, ".resource_group_name") &&
    resource.config.provider === target.config.provider
  )
    return true;
  const id = azureIdOf(target, estate);
  const named = parentIdOf(resource, how, targetType, estate);
  return id !== undefined && named !== undefined && lower(id) === lower(named);
}

/** Resources of the stack of `rules.type` that name `target` the way its service says, each certain to exist. */
function attached(estate: EstateModel, rules: RuleResources, target: TfResource): TfResource[] {
  const targetType = resourceTypeOfTerraform(target.type)?.azureType ?? "";
  return estate.resources.filter(
    (r) => r.type === rules.type && certain(r) && namesParent(r, rules, targetType, target, estate),
  );
}

const isAzureServicesRule = (rule: TfResource) =>
  rule.config.start_ip_address === "0.0.0.0" && rule.config.end_ip_address === "0.0.0.0";

/**
 * How a target of the stack refuses public traffic, from its own settings and the rules made
 * for it; undefined when it admits public traffic, or when a setting is a value only Terraform knows.
 */
export function gateOf(target: TfResource, estate: EstateModel): Gate | undefined {
  const network = networkTargetByType(target.type)?.target;
  if (!network) return undefined;
  const c = target.config;
  const { publicAccess } = network;
  const access = c[publicAccess?.attribute ?? "public_network_access_enabled"];
  if (access !== undefined && (publicAccess ? !isLiteral(access) : boolOf(access) === undefined)) return undefined;
  const publicOff = publicAccess ? access === publicAccess.disabled : boolOf(access) === false;
  const base = { target, ruleSubnets: [], ipRules: 0, azureServicesRules: [], publicEndpoint: !publicOff };
  const injected = network.injectedSubnet === undefined ? undefined : c[network.injectedSubnet];
  if (injected !== undefined)
    return { ...base, publicEndpoint: false, refusal: "it is injected into a subnet", injectedSubnet: injected };
  if (publicOff) return { ...base, ...PUBLIC_ACCESS_DISABLED };
  if (network.firewallRules) {
    const firewall = attached(estate, network.firewallRules, target);
    const vnetRules = network.virtualNetworkRules ? attached(estate, network.virtualNetworkRules, target) : [];
    const open = firewall.length + vnetRules.length === 0 && !hasPrivateEndpoint(target, estate);
    return {
      ...base,
      refusal: open
        ? "its firewall has no rule, virtual network rule or private endpoint, so it refuses every connection"
        : "its firewall admits only the addresses and subnets its rules name",
      ruleSubnets: vnetRules.map((r) => r.config.subnet_id),
      ipRules: firewall.filter((r) => !isAzureServicesRule(r)).length,
      azureServicesRules: firewall.filter(isAzureServicesRule),
    };
  }
  const refusal = network.refuses?.(c, readerFor(target, estate));
  return refusal && { ...base, ...refusal };
}

/** The private endpoints of the stack that connect to `target`, certain to exist and approved automatically. */
function privateEndpointsTo(target: TfResource, estate: EstateModel): TfResource[] {
  const endpointType = serviceTerraformType("Network", "privateEndpoint");
  return estate.resources.filter((r) => {
    // One connection: Azure takes no second, so a list of two is no endpoint the JSON can vouch for.
    const connections = list(r.config.private_service_connection);
    const connection = connections.length === 1 ? block(connections[0]) : undefined;
    return (
      r.type === endpointType &&
      certain(r) &&
      connection !== undefined &&
      boolOf(connection.is_manual_connection) === false &&
      namesResource(connection.private_connection_resource_id, target, estate)
    );
  });
}

const hasPrivateEndpoint = (target: TfResource, estate: EstateModel) => privateEndpointsTo(target, estate).length > 0;

/** Whether the subnet (a stack subnet) lists the service endpoint; a subnet outside the stack is its owner's to say. */
function hasServiceEndpoint(subnet: SubnetRef, endpoint: string | undefined): boolean {
  if (!subnet.resource) return true;
  return endpoint !== undefined && list(subnet.resource.config.service_endpoints).includes(endpoint);
}

/** The name of a private DNS zone given by literal id; undefined when the value is no such id. */
function zoneNameOfId(value: string): string | undefined {
  try {
    const id = ResourceId.parseShape("private DNS zone", value);
    return id.isOfType(serviceType("Network", "privateDnsZone").azureType) ? id.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the private endpoint's names resolve to it from `vnet`: when its DNS zone group names
 * zones of the stack, one must be the service's zone and be linked to that virtual network. A
 * zone outside the stack (by literal id) is its owner's to link, but must still be the service's
 * zone: a zone of any other name holds no record the service's host name looks up.
 */
function resolvesFrom(endpoint: TfResource, serviceZone: string, vnet: string, estate: EstateModel): boolean {
  const zoneGroup = block(endpoint.config.private_dns_zone_group);
  if (!zoneGroup) return true;
  // DNS names compare in any case.
  const isServiceZone = (name: unknown) => typeof name === "string" && lower(name) === serviceZone;
  const ids = list(zoneGroup.private_dns_zone_ids);
  const literalZones = ids.filter(isLiteral);
  if (literalZones.some((id) => isServiceZone(zoneNameOfId(id)))) return true;
  const zones = ids
    .filter((id) => !isLiteral(id))
    .map((id) => {
      const ref = parseReference(id);
      return ref?.attribute === ".id" && !ref.suffix ? estate.byAddress.get(ref.address) : undefined;
    });
  if (zones.some((z) => z === undefined)) return true;
  const zoneType = serviceTerraformType("Network", "privateDnsZone");
  const linkType = serviceTerraformType("Network", "privateDnsZoneLink");
  return zones.some(
    (zone) =>
      (zone!.type === zoneType || zone!.type === `data.${zoneType}`) &&
      certain(zone!) &&
      isServiceZone(zone!.config.name) &&
      estate.resources.some((link) => {
        if (link.type !== linkType || !certain(link)) return false;
        // A link names its zone by name and resource group (and subscription): the same name elsewhere is another zone.
        const zoneRef = parseReference(link.config.private_dns_zone_name);
        const namesZone =
          zoneRef?.address === zone!.address && zoneRef.attribute === ".name" && zoneRef.suffix === ""
            ? true
            : link.config.private_dns_zone_name === zone!.config.name;
        const linksZone =
          namesZone &&
          link.config.resource_group_name === zone!.config.resource_group_name &&
          link.config.provider === zone!.config.provider;
        const vnetRef = parseReference(link.config.virtual_network_id);
        const linkedVnet =
          vnetRef?.attribute === ".id" && !vnetRef.suffix ? estate.byAddress.get(vnetRef.address) : undefined;
        const linkVnet = linkedVnet
          ? vnetKey(linkedVnet, estate)
          : isLiteral(link.config.virtual_network_id)
            ? lower(link.config.virtual_network_id)
            : undefined;
        return linksZone && linkVnet === vnet;
      }),
  );
}

export type PathVerdict =
  | { readonly kind: "reached"; readonly via: string; readonly azureServicesRules: readonly TfResource[] }
  | { readonly kind: "refused"; readonly why: string }
  | { readonly kind: "unknown" };

/** Whether `compute` reaches `gate`'s target for a grant of `service`. */
export function pathFrom(
  compute: TfResource,
  gate: Gate,
  service: RoleService | undefined,
  estate: EstateModel,
): PathVerdict {
  const placement = placementOf(compute, estate);
  if (placement === undefined) return { kind: "unknown" };
  const { target } = gate;
  const network = networkTargetByType(target.type);
  const group = network && privateLinkGroupOf(network.target, service);
  const vnets = new Set(placement.map((s) => s.vnet));
  const notes: string[] = [];
  for (const endpoint of privateEndpointsTo(target, estate)) {
    const connection = block(endpoint.config.private_service_connection)!;
    const groups = list(connection.subresource_names).filter(isLiteral).map(lower);
    const subnet = subnetOf(endpoint.config.subnet_id, estate);
    if (group === undefined || !groups.includes(lower(group)))
      notes.push(
        `private endpoint ${endpoint.address} connects to ${groups.join(", ") || "no sub-resource"}, not ${group ?? "its data plane"}`,
      );
    else if (!subnet) notes.push(`private endpoint ${endpoint.address} is in a subnet only Terraform knows`);
    else if (!vnets.has(subnet.vnet)) notes.push(`private endpoint ${endpoint.address} is in another virtual network`);
    else if (!resolvesFrom(endpoint, network!.zones[group], subnet.vnet, estate))
      notes.push(
        `the DNS zone of private endpoint ${endpoint.address} is not ${network!.zones[group]} linked to its virtual network`,
      );
    else return { kind: "reached", via: `private endpoint ${endpoint.address}`, azureServicesRules: [] };
  }
  if (gate.injectedSubnet !== undefined) {
    const subnet = subnetOf(gate.injectedSubnet, estate);
    if (!subnet) return { kind: "unknown" };
    if (vnets.has(subnet.vnet)) return { kind: "reached", via: `its subnet ${subnet.label}`, azureServicesRules: [] };
    notes.push(`it is injected into ${subnet.label}, in another virtual network`);
  }
  if (gate.publicEndpoint) {
    const endpoint = network?.target.serviceEndpoint;
    for (const value of gate.ruleSubnets) {
      const subnet = subnetOf(value, estate);
      const mine = subnet && placement.find((s) => s.key === subnet.key);
      if (!subnet) notes.push("a network rule names a subnet only Terraform knows");
      else if (!mine) notes.push(`its network rule admits ${subnet.label}, which the compute is not in`);
      else if (!hasServiceEndpoint(mine, endpoint))
        notes.push(`its network rule admits ${mine.label}, which has no ${endpoint ?? "service"} service endpoint`);
      else return { kind: "reached", via: `the network rule for ${mine.label}`, azureServicesRules: [] };
    }
    if (gate.azureServicesRules.length > 0)
      return { kind: "reached", via: "the 'allow Azure services' rule", azureServicesRules: gate.azureServicesRules };
    const trusted = placementByType(compute.type)?.trustedService;
    if (gate.trustedServices && trusted)
      return { kind: "reached", via: `its trusted-services bypass (${trusted})`, azureServicesRules: [] };
    if (gate.ipRules > 0) notes.push("its IP rules name addresses the stack does not tie to this compute");
  }
  if (placement.length === 0) notes.push("the compute is in no virtual network");
  return { kind: "refused", why: notes.join("; ") || "no private endpoint or network rule admits the compute" };
}

/**
 * How an administrator reaches a database server to run statements, in words, from the same
 * facts: a machine on a virtual network its private endpoint (or injection) is in, a subnet a
 * network rule admits, or a firewall rule for their own address added for the session.
 */
export function adminPathOf(server: TfResource | undefined, estate: EstateModel): string {
  if (!server) return "not known to this stack: the server is not one of its resources; ask its owner how to reach it";
  const gate = gateOf(server, estate);
  const name = isLiteral(server.config.name) ? server.config.name : server.address;
  const vnetName = (subnet: SubnetRef | undefined) => {
    const vnetRef = parseReference(subnet?.resource?.config.virtual_network_name);
    const vnet = vnetRef ? estate.byAddress.get(vnetRef.address) : undefined;
    return isLiteral(vnet?.config.name) ? vnet.config.name : (subnet?.vnet.split("/").pop() ?? "its virtual network");
  };
  const endpoints = privateEndpointsTo(server, estate).map((e) => subnetOf(e.config.subnet_id, estate));
  const ways: string[] = [];
  for (const subnet of endpoints)
    ways.push(
      `from a machine on ${vnetName(subnet)} (a VM there, or a VPN or Bastion into it), where ${name} resolves to its private endpoint`,
    );
  if (gate?.injectedSubnet !== undefined)
    ways.push(`from a machine on ${vnetName(subnetOf(gate.injectedSubnet, estate))}, where the server is injected`);
  if (!gate || gate.publicEndpoint) {
    for (const value of gate?.ruleSubnets ?? []) {
      const subnet = subnetOf(value, estate);
      ways.push(`from a machine in subnet ${subnet?.label ?? "named by its virtual network rule"}`);
    }
    const command = networkTargetByType(server.type)?.target.firewallRuleCommand;
    ways.push(
      `from your own address: add a firewall rule for your IP for the session${command ? ` (${command})` : ""}, and delete it afterwards`,
    );
  } else if (ways.length === 0) ways.push("none: public network access is off and no private endpoint exists");
  return ways.join("; or ");
}
