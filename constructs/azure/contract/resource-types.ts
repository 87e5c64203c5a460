import { IdentityConfigError } from "../../core/errors";
import { nameRule, type NameRule, type NameRuleSpec } from "../azure-names";
import type { RoleService } from "../role-catalog";
import type { ServiceDefinition } from ".";
import { isNotApplicable } from "./part";
import { definedServices, registeredServices } from "./registry";
import { roleServiceOwners } from "./roles";

/**
 * The resourceTypes part: the Azure resource types a service has, the azurerm resource creating
 * each, how their ids are built and the rule their names follow. Grants, the estate reader,
 * `verify`, the bootstrap's provider registration and the Terraform gate look types up here.
 */

/** Where a resource's id sits, when it is not a sub-resource. */
export type IdPlacement =
  /** `/subscriptions/<s>/resourceGroups/<g>/providers/<azureType>/<name>` */
  | "inResourceGroup"
  /** The resource group itself: `/subscriptions/<s>/resourceGroups/<name>` */
  | "resourceGroup"
  /** Below the resource it extends (role assignments, diagnostic settings): `<scope>/providers/<azureType>/<name>` */
  | "extension"
  /** In the tenant, outside any subscription: `/providers/<azureType>/<name>` */
  | "tenant";

/** A sub-resource's id: `<parent id>/<path>/<name>`. */
export interface ChildId {
  /** Below the parent up to the child's name, its types matching the azureType's last ones (`queueServices/default/queues`). */
  readonly path: string;
  /** The Terraform argument holding the parent's `id`, where the id is built from the stack's names. */
  readonly parentId?: string;
  /** The argument holding the parent's name instead (a subnet's `virtual_network_name`); the parent is in the same resource group. */
  readonly parentName?: string;
}

export interface ResourceType<S extends RoleService = RoleService> {
  /** How people name it, in messages. */
  readonly kind: string;
  /** `Namespace/type[/childType...]`, as in a resource id. */
  readonly azureType: string;
  /** The azurerm resource that creates it; none where the library never reads one. */
  readonly terraformType?: string;
  /**
   * The role services whose roles mean something on it: a grant target. Absent where the library
   * does not judge grants scoped to it (computes, network plumbing, settings).
   */
  readonly services?: readonly S[];
  readonly id: IdPlacement | ChildId;
  /** Azure's rule for its names; absent where the library never checks one. */
  readonly name?: NameRuleSpec;
  /** Azure registers its resource provider in every subscription: the bootstrap has nothing to register. */
  readonly registeredByDefault?: true;
}

/** A resource type roles are granted on. */
export interface ResourceTypeInfo<S extends RoleService = RoleService> extends ResourceType<S> {
  readonly services: readonly S[];
}

/** A service's resource types, by the name its module and targets use (`vault`, `secret`). */
export type ResourceTypesPart = Readonly<Record<string, ResourceType>>;

const AZURE_TYPE = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+(?:\/[A-Za-z][A-Za-z0-9]*)+$/;
const PLACEMENTS: readonly IdPlacement[] = ["inResourceGroup", "resourceGroup", "extension", "tenant"];

const partOf = (service: ServiceDefinition): ResourceTypesPart | undefined =>
  service.resourceTypes === undefined || isNotApplicable(service.resourceTypes) ? undefined : service.resourceTypes;

/** Why a type's id does not fit its azureType, or undefined when it does. */
function idProblem({ azureType, id }: ResourceType): string | undefined {
  const types = azureType.split("/").slice(1);
  if (typeof id === "string") {
    if (!PLACEMENTS.includes(id))
      return `its id is "${id}", which is neither a placement (${PLACEMENTS.join(", ")}) nor a child's { path }`;
    return types.length === 1 ? undefined : `an ${id} id needs a top-level type (Namespace/type), not a child type`;
  }
  const segments = typeof id?.path === "string" ? id.path.split("/") : [];
  const pathTypes = segments.filter((_, i) => i % 2 === 0);
  const fits =
    segments.length % 2 === 1 &&
    segments.every((s) => s !== "") &&
    pathTypes.length < types.length &&
    pathTypes.every((t, i) => t === types[types.length - pathTypes.length + i]);
  if (!fits)
    return `its child path "${id?.path}" does not end the azureType's types (type/name/.../type below the parent)`;
  return id.parentId !== undefined && id.parentName !== undefined
    ? "its child id names the parent both by id and by name"
    : undefined;
}

/**
 * Refuses a resourceTypes part that would build wrong ids or lookups: a malformed azureType, one
 * outside the service's namespaces, a grant target of another service's azureType, a child path
 * not fitting it, a terraform type another service (or type) already claims, or another service's
 * role services (its roles would then apply to these targets).
 */
export function checkResourceTypes(definition: ServiceDefinition): void {
  const part = partOf(definition);
  if (!part) return;
  const refuse = (key: string, problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError("defineService", {
      problem: `${definition.name} resourceTypes.${key}: ${problem}`,
      value,
      fix,
    });
  };
  const claimed = new Map<string, string>(
    definedServices().flatMap((s) =>
      Object.values(partOf(s) ?? {}).flatMap((t) => (t.terraformType ? [[t.terraformType, s.name] as const] : [])),
    ),
  );
  const azureTypeOwners = new Map<string, string>(
    definedServices().flatMap((s) =>
      Object.values(partOf(s) ?? {}).map((t) => [t.azureType.toLowerCase(), s.name] as const),
    ),
  );
  const serviceOwners = roleServiceOwners();
  const namespaces = (definition.namespaces ?? []).map((ns) => ns.toLowerCase());
  for (const [key, type] of Object.entries(part)) {
    if (typeof type?.kind !== "string" || type.kind.trim() === "")
      refuse(key, "the type has no kind", type?.kind ?? null, 'say how people name it, e.g. kind: "Key Vault"');
    if (typeof type.azureType !== "string" || !AZURE_TYPE.test(type.azureType))
      refuse(
        key,
        "the azureType is not Namespace/type[/childType...]",
        type.azureType ?? null,
        'spell it as in a resource id, e.g. "Microsoft.KeyVault/vaults" or "Microsoft.KeyVault/vaults/secrets"',
      );
    const namespace = type.azureType.split("/")[0];
    if (!namespaces.includes(namespace.toLowerCase()))
      refuse(
        key,
        `the azureType's namespace ${namespace} is not one of the service's namespaces`,
        type.azureType,
        `add ${namespace} to the service's namespaces, or move the type to the service of that namespace`,
      );
    // A grant target of another service's type would take this service's roles on that service's resources.
    const azureTypeOwner = type.services && azureTypeOwners.get(type.azureType.toLowerCase());
    if (azureTypeOwner && azureTypeOwner !== definition.name)
      refuse(
        key,
        `the azureType is already a type of ${azureTypeOwner}`,
        type.azureType,
        `grant on ${azureTypeOwner}'s own targets; a service defines only the types of its own resource provider`,
      );
    const claimedService = (type.services ?? []).find(
      (s) => (serviceOwners.get(s) ?? definition.name) !== definition.name,
    );
    if (claimedService !== undefined)
      refuse(
        key,
        `the role service "${claimedService}" is ${serviceOwners.get(claimedService)}'s`,
        type.services,
        `name ${definition.name}'s own role services, the ones its roles carry`,
      );
    // A grant target's id may come from a caller (ServiceTarget.fromId): its names are checked by this rule.
    if (type.services && type.name === undefined)
      refuse(
        key,
        "a grant target (it has services) has no name rule",
        type.kind,
        'give Microsoft\'s naming rule for it (learn.microsoft.com "resource-name-rules"), e.g. name: { min: 3, max: 24, pattern: /^[a-z0-9]+$/, text: "3-24 lowercase letters and digits" }',
      );
    const idIssue = idProblem(type);
    if (idIssue)
      refuse(
        key,
        idIssue,
        type.id ?? null,
        'give a child the path from its parent to its name (a storage queue: { path: "queueServices/default/queues" }), a top-level type "inResourceGroup"',
      );
    if (type.terraformType !== undefined) {
      const owner = claimed.get(type.terraformType);
      if (owner !== undefined)
        refuse(
          key,
          `the terraform type is already ${owner === definition.name ? "another type" : "a type"} of ${owner}`,
          type.terraformType,
          "give each azurerm resource type one resource type, in the service that owns it",
        );
      claimed.set(type.terraformType, definition.name);
    }
  }
}

interface Tables {
  readonly services: number;
  readonly byTerraform: ReadonlyMap<string, ResourceType>;
  readonly targetsByAzure: ReadonlyMap<string, ResourceTypeInfo>;
  readonly namesByAzure: ReadonlyMap<string, NameRule>;
  readonly resourceGroupName?: NameRule;
  readonly registeredByDefault: ReadonlySet<string>;
  readonly byServiceKey: ReadonlyMap<string, ResourceType>;
}

let tables: Tables | undefined;
const rules = new WeakMap<ResourceType, NameRule>();

const ruleOf = (type: ResourceType & { name: NameRuleSpec }): NameRule => {
  if (!rules.has(type)) rules.set(type, nameRule(type.kind, type.name));
  return rules.get(type)!;
};

/** The lookups, rebuilt when a service registers; the first service (and type) to name something wins, as in registry order. */
function lookups(): Tables {
  const services = registeredServices();
  if (tables?.services === services.length) return tables;
  const types = services.flatMap((s) => Object.values(partOf(s) ?? {}));
  const first = <K, V>(entries: readonly (readonly [K, V])[]) => {
    const map = new Map<K, V>();
    for (const [k, v] of entries) if (!map.has(k)) map.set(k, v);
    return map;
  };
  const named = types.filter((t): t is ResourceType & { name: NameRuleSpec } => t.name !== undefined);
  const resourceGroup = named.find((t) => t.id === "resourceGroup");
  tables = {
    services: services.length,
    byTerraform: first(types.flatMap((t) => (t.terraformType ? [[t.terraformType, t] as const] : []))),
    targetsByAzure: first(
      types.flatMap((t) => (t.services ? [[t.azureType.toLowerCase(), t as ResourceTypeInfo] as const] : [])),
    ),
    namesByAzure: first(named.map((t) => [t.azureType.toLowerCase(), ruleOf(t)] as const)),
    resourceGroupName: resourceGroup && ruleOf(resourceGroup),
    registeredByDefault: new Set(types.filter((t) => t.registeredByDefault).map((t) => t.azureType.split("/")[0])),
    byServiceKey: new Map(
      services.flatMap((s) => Object.entries(partOf(s) ?? {}).map(([key, t]) => [`${s.name}/${key}`, t] as const)),
    ),
  };
  return tables;
}

/** The grant target type of an Azure type (compared case-insensitively), or undefined. */
export function typeInfoByAzureType(azureType: string): ResourceTypeInfo | undefined {
  return lookups().targetsByAzure.get(azureType.toLowerCase());
}

/** The grant target type an azurerm resource type creates, or undefined. */
export function typeInfoByTerraformType(terraformType: string): ResourceTypeInfo | undefined {
  const type = lookups().byTerraform.get(terraformType);
  return type?.services ? (type as ResourceTypeInfo) : undefined;
}

/** The resource type an azurerm resource type creates (grant target or not), or undefined. */
export function resourceTypeOfTerraform(terraformType: string): ResourceType | undefined {
  return lookups().byTerraform.get(terraformType);
}

/** Every azurerm resource type a service module knows, in registry order. */
export function knownTerraformTypes(): string[] {
  return [...lookups().byTerraform.keys()];
}

/** The resource provider namespace of an azurerm resource type, or undefined when no service knows it. */
export function resourceProviderOf(terraformType: string): string | undefined {
  return resourceTypeOfTerraform(terraformType)?.azureType.split("/")[0];
}

/** Whether Azure registers the namespace in every subscription (Microsoft's "registered by default"). */
export function isRegisteredByDefault(namespace: string): boolean {
  return lookups().registeredByDefault.has(namespace);
}

/** The rule for names of an Azure resource type (`Namespace/type[/childType...]`, compared case-insensitively), or undefined. */
export function nameRuleFor(azureType: string): NameRule | undefined {
  return lookups().namesByAzure.get(azureType.toLowerCase());
}

/** The rule for resource group names (every id in a resource group carries one). */
export function resourceGroupNameRule(): NameRule | undefined {
  return lookups().resourceGroupName;
}

/**
 * A service's resource type by the key its module gives it (`serviceType("Network", "subnet")`):
 * how the library's own plumbing (identities, networks, scopes, clusters) reads a type it models
 * by meaning, without spelling the type itself. Refused when no registered service has it.
 */
export function serviceType(service: string, key: string): ResourceType {
  const type = lookups().byServiceKey.get(`${service}/${key}`);
  if (type) return type;
  throw new IdentityConfigError("service registry", {
    problem: `No registered service "${service}" has a resource type keyed "${key}"`,
    value: `${service}/${key}`,
    fix: "name the service and the key its module's resourceTypes part gives the type",
  });
}

/** The azurerm resource type of a service's resource type (see serviceType); refused when it has none. */
export function serviceTerraformType(service: string, key: string): string {
  const { terraformType } = serviceType(service, key);
  if (terraformType) return terraformType;
  throw new IdentityConfigError("service registry", {
    problem: `${service}'s resource type "${key}" names no azurerm resource type`,
    value: `${service}/${key}`,
    fix: "give the type its terraformType in the service's resourceTypes part",
  });
}
