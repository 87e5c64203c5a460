import { resourceTypeOfTerraform } from "../azure/contract/resource-types";
import { EstateModel, parseReference, TfResource } from "./estate-model";
import { comparableText } from "../core/terraform-text";

type Estate = Pick<EstateModel, "byAddress" | "subscriptionId">;

/** A literal segment, or a `${x.name}`-style reference to a literal of a resource of the stack. */
function literal(value: unknown, estate: Estate): string | undefined {
  if (typeof value !== "string") return undefined;
  if (!value.includes("${")) return value;
  const ref = parseReference(value);
  const target = ref && ref.suffix === "" ? estate.byAddress.get(ref.address) : undefined;
  const attribute = ref?.attribute.slice(1);
  const resolved = target && attribute ? target.config[attribute] : undefined;
  return typeof resolved === "string" && !resolved.includes("${") ? resolved : undefined;
}

/**
 * The Azure id a resource of the stack will have, built from its names as Azure builds it; what
 * `verify` looks up in Azure. Undefined when a name is known only to Terraform, or the resource
 * is read through another provider (another subscription).
 */
export function azureIdOf(resource: TfResource, estate: Estate, seen = new Set<string>()): string | undefined {
  if (seen.has(resource.address) || resource.config.provider !== undefined) return undefined;
  seen.add(resource.address);
  const type = resource.type.replace(/^data\./, "");
  const name = literal(resource.config.name, estate);
  const resourceType = resourceTypeOfTerraform(type);
  if (!name || !resourceType) return undefined;
  const { azureType, id } = resourceType;
  // A child's id is its parent's (by the argument naming it) and its path; without one, unknown.
  const child = typeof id === "string" ? undefined : id;
  if (child?.parentId) {
    const parent = parseReference(resource.config[child.parentId]);
    const parentResource =
      parent?.attribute === ".id" && !parent.suffix ? estate.byAddress.get(parent.address) : undefined;
    const parentId = parentResource
      ? azureIdOf(parentResource, estate, seen)
      : literal(resource.config[child.parentId], estate);
    return parentId ? `${parentId}/${child.path}/${name}` : undefined;
  }
  const group = literal(resource.config.resource_group_name, estate);
  if (!group || !estate.subscriptionId) return undefined;
  const inGroup = `/subscriptions/${estate.subscriptionId}/resourceGroups/${group}/providers`;
  if (child?.parentName) {
    const parentName = literal(resource.config[child.parentName], estate);
    const parentType = azureType.split("/").slice(0, -1).join("/");
    return parentName ? `${inGroup}/${parentType}/${parentName}/${child.path}/${name}` : undefined;
  }
  return id === "inResourceGroup" ? `${inGroup}/${azureType}/${name}` : undefined;
}

/** A scope as an Azure id: literal, or a resource's `id` reference followed by a literal sub-path. */
export function azureScopeId(raw: string, estate: Estate): string | undefined {
  if (!raw.includes("${")) return raw.startsWith("/") ? raw : undefined;
  const ref = parseReference(raw);
  const resource =
    ref?.attribute === ".id" && !ref.suffix.includes("${") ? estate.byAddress.get(ref.address) : undefined;
  const base = resource ? azureIdOf(resource, estate) : undefined;
  return base && ref ? `${base}${ref.suffix}` : undefined;
}

/** A scope as Azure compares it: the id built from names where known, else the text Terraform gets (references exact). */
export function comparableScope(raw: string, estate: Estate): string {
  return comparableText(azureScopeId(raw, estate) ?? raw);
}
