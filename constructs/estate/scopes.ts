import { ResourceId, ScopeLevel } from "../azure/azure-ids";
import { idTextProblem } from "../azure/azure-names";
import {
  ResourceTypeInfo,
  serviceTerraformType,
  typeInfoByAzureType,
  typeInfoByTerraformType,
} from "../azure/contract/resource-types";
import { isLiteral, parseReference, TfResource } from "./terraform-json";

export interface Scope {
  readonly raw: string;
  /** The parsed id, for a literal scope. */
  readonly id?: ResourceId;
  /** `unknown` when the scope is a value only Terraform knows: it cannot be judged at synth. */
  readonly level: ScopeLevel | "unknown";
  readonly typeInfo?: ResourceTypeInfo;
  /** The stack resource the scope is, or lies inside. */
  readonly resource?: TfResource;
  readonly label: string;
}

// The scopes above resource groups are no resource type of a service yet (see the boundary test).
const LEVEL_ABOVE_GROUPS: Readonly<Record<string, ScopeLevel>> = {
  azurerm_subscription: "subscription",
  azurerm_management_group: "managementGroup",
};

/** The scope level a resource or data source of the stack is, when it is a resource group or above. */
function levelOfType(type: string): ScopeLevel | undefined {
  const managed = type.replace(/^data\./, "");
  return managed === serviceTerraformType("Resource Manager", "resourceGroup")
    ? "resourceGroup"
    : LEVEL_ABOVE_GROUPS[managed];
}

const ZERO_GUID = "00000000-0000-0000-0000-000000000000";
/** Attributes that hold one id segment, so a scope may interpolate them between literal segments. */
const SEGMENT_ATTRIBUTES = new Set([".name", ".subscription_id", ".resource_group_name"]);

const unverifiableScope = (raw: string, resource?: TfResource): Scope => ({
  raw,
  level: "unknown",
  resource,
  label: raw,
});

function tryParseId(id: string): ResourceId | undefined {
  try {
    return ResourceId.parseShape("scope", id);
  } catch {
    return undefined;
  }
}

/**
 * A scope's level and type, judged only from what is certain before apply: a literal id, a
 * resource or data source of the stack whose id has a known shape (`.id`, maybe followed by a
 * literal sub-resource path), or literal segments around single-segment references to the stack.
 * Anything else (a variable, a local, a module output, a function) is `unknown`.
 */
export function readScope(value: unknown, byAddress: ReadonlyMap<string, TfResource>): Scope {
  const raw = typeof value === "string" ? value : JSON.stringify(value ?? null);
  if (typeof value !== "string") return unverifiableScope(raw);
  const ref = parseReference(raw);
  if (ref) {
    const resource = byAddress.get(ref.address);
    const base =
      resource && ref.attribute === ".id" && !ref.suffix.includes("${") ? placeholderId(resource) : undefined;
    const id = base === undefined ? undefined : tryParseId(`${base}${ref.suffix}`);
    if (!id) return unverifiableScope(raw, resource);
    return {
      raw,
      level: id.level,
      resource,
      typeInfo: id.type ? typeInfoByAzureType(id.type) : undefined,
      label: `${ref.address}${ref.suffix}`,
    };
  }
  const segments = raw.split("/");
  const interpolated = segments.filter((segment) => segment.includes("${"));
  const resolvable = interpolated.every((segment) => {
    const r = parseReference(segment);
    const resource = r && r.suffix === "" && SEGMENT_ATTRIBUTES.has(r.attribute) ? byAddress.get(r.address) : undefined;
    return resource !== undefined && /^(data\.)?azurerm_/.test(resource.type) && plainSegment(resource, r!.attribute);
  });
  const id = resolvable
    ? tryParseId(segments.map((segment) => (segment.includes("${") ? ZERO_GUID : segment)).join("/"))
    : undefined;
  if (!id) return unverifiableScope(raw);
  return {
    raw,
    id: interpolated.length === 0 ? id : undefined,
    level: id.level,
    typeInfo: id.type ? typeInfoByAzureType(id.type) : undefined,
    label: raw,
  };
}

/** The referenced attribute, when literal in the stack, is one id segment with nothing that reshapes an id. */
function plainSegment(resource: TfResource, attribute: string): boolean {
  const value = resource.config[attribute.slice(1)];
  return !isLiteral(value) || (!value.includes("/") && idTextProblem(`/${value}`) === undefined);
}

/**
 * An id of the same shape as the resource's: what its `.id` is certain to look like before apply.
 * Undefined when the shape is not certain (a data source of another kind, a resource outside
 * any resource group, or another provider's resource, which may stand for any scope).
 */
function placeholderId(resource: TfResource): string | undefined {
  const level = levelOfType(resource.type);
  if (level === "subscription") return `/subscriptions/${ZERO_GUID}`;
  if (level === "resourceGroup") return `/subscriptions/${ZERO_GUID}/resourceGroups/rg`;
  if (level === "managementGroup") return "/providers/Microsoft.Management/managementGroups/mg";
  const managedType = resource.type.replace(/^data\./, "");
  const info = typeInfoByTerraformType(managedType);
  if (info) {
    const [namespace, ...types] = info.azureType.split("/");
    return `/subscriptions/${ZERO_GUID}/resourceGroups/rg/providers/${namespace}/${types.map((t) => `${t}/x`).join("/")}`;
  }
  const inResourceGroup = managedType.startsWith("azurerm_") && resource.config.resource_group_name !== undefined;
  return inResourceGroup
    ? `/subscriptions/${ZERO_GUID}/resourceGroups/rg/providers/Unknown.Provider/resources/x`
    : undefined;
}
