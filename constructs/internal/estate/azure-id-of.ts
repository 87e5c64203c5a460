import { AZURE_TYPE_OF_TERRAFORM } from "../platform/azure-resource-types";
import { EstateModel, parseReference, TfResource } from "./estate-model";
import { comparableText } from "../terraform-text";

/**
 * How a sub-resource names its parent: the argument holding the parent's `id` (or, for a subnet,
 * its name) and the id path between the parent and the child's name.
 */
const CHILDREN: Readonly<
  Record<string, { readonly parentId?: string; readonly parentName?: string; readonly path: string }>
> = {
  azurerm_storage_container: { parentId: "storage_account_id", path: "blobServices/default/containers" },
  azurerm_storage_queue: { parentId: "storage_account_id", path: "queueServices/default/queues" },
  azurerm_storage_table: { parentId: "storage_account_id", path: "tableServices/default/tables" },
  azurerm_storage_share: { parentId: "storage_account_id", path: "fileServices/default/fileshares" },
  azurerm_servicebus_queue: { parentId: "namespace_id", path: "queues" },
  azurerm_servicebus_topic: { parentId: "namespace_id", path: "topics" },
  azurerm_eventhub: { parentId: "namespace_id", path: "eventhubs" },
  azurerm_linux_web_app_slot: { parentId: "app_service_id", path: "slots" },
  azurerm_windows_web_app_slot: { parentId: "app_service_id", path: "slots" },
  azurerm_linux_function_app_slot: { parentId: "function_app_id", path: "slots" },
  azurerm_windows_function_app_slot: { parentId: "function_app_id", path: "slots" },
  azurerm_subnet: { parentName: "virtual_network_name", path: "subnets" },
  azurerm_mssql_database: { parentId: "server_id", path: "databases" },
  azurerm_postgresql_flexible_server_database: { parentId: "server_id", path: "databases" },
};

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
  const azureType = AZURE_TYPE_OF_TERRAFORM[type];
  if (!name || !azureType) return undefined;
  const child = CHILDREN[type];
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
  return azureType.split("/").length === 2 ? `${inGroup}/${azureType}/${name}` : undefined;
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
