import { resourceTypeOfTerraform } from "../azure/contract/resource-types";
import { EstateModel, parseReference, TfResource } from "./estate-model";
import { comparableText } from "../core/terraform-text";
import type { NamesParent } from "../azure/contract/network";

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
  if (child?.parentName) {
    const parentType = azureType.split("/").slice(0, -1).join("/");
    const byName = { nameField: child.parentName, resourceGroupField: "resource_group_name" };
    const parentId = parentIdOf(resource, byName, parentType, estate);
    return parentId ? `${parentId}/${child.path}/${name}` : undefined;
  }
  return id === "inResourceGroup" ? idInGroup(resource.config.resource_group_name, azureType, name, estate) : undefined;
}

/** `/subscriptions/<s>/resourceGroups/<group>/providers/<type>/<name>`, when the group is known before apply. */
function idInGroup(group: unknown, type: string, name: string | undefined, estate: Estate): string | undefined {
  const literalGroup = literal(group, estate);
  if (!name || !literalGroup || !estate.subscriptionId) return undefined;
  return `/subscriptions/${estate.subscriptionId}/resourceGroups/${literalGroup}/providers/${type}/${name}`;
}

/**
 * The Azure id of the resource (of ARM type `parentType`) that `resource` belongs to, named the
 * way its service says: by the parent's id, or by its name and resource group, each resolved as
 * ids are built here. Undefined when a value is known only to Terraform, or `resource` is read
 * through another provider (another subscription).
 */
export function parentIdOf(
  resource: TfResource,
  how: NamesParent,
  parentType: string,
  estate: Estate,
): string | undefined {
  if ("field" in how) {
    const value = resource.config[how.field];
    return typeof value === "string" ? azureScopeId(value, estate) : undefined;
  }
  if (resource.config.provider !== undefined) return undefined;
  const name = literal(resource.config[how.nameField], estate);
  return idInGroup(resource.config[how.resourceGroupField], parentType, name, estate);
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
