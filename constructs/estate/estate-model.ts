import { ResourceId, ScopeLevel } from "../azure-ids";
import { findRoleByGuid, lookupRoleByName, RoleDefinition } from "../role-catalog";
import { ResourceTypeInfo, typeInfoByAzureType, typeInfoByTerraformType } from "../resource-types";
import { byKeys } from "../ordering";

/**
 * A synthesized stack read back as an estate: identities, what they are attached to, and who holds
 * which role where. Built from the Terraform JSON alone, so hand-written assignments, overrides
 * and escape hatches are seen exactly as Terraform will apply them.
 */
export interface TfResource {
  /** `azurerm_role_assignment.x`, or `data.azurerm_user_assigned_identity.x`. */
  readonly address: string;
  readonly type: string;
  /** The construct path cdktf recorded, or the address when there is none. */
  readonly path: string;
  readonly config: Readonly<Record<string, any>>;
}

export interface Reference {
  readonly address: string;
  /** `.id`, `.identity[0].principal_id`... */
  readonly attribute: string;
  /** What follows the reference in the same string: a sub-resource path. */
  readonly suffix: string;
}

export type PrincipalKind = "UserAssigned" | "SystemAssigned" | "ExistingUserAssigned" | "Unresolved";

export interface Principal {
  /** Stable key: the identity's address, `<compute address>#system`, or the literal object id. */
  readonly key: string;
  readonly kind: PrincipalKind;
  /** The identity resource, or the compute whose system-assigned identity it is. */
  readonly resource?: TfResource;
  readonly label: string;
}

export interface Scope {
  readonly raw: string;
  /** The parsed id, for a literal scope. */
  readonly id?: ResourceId;
  readonly level: ScopeLevel | "unknown";
  readonly typeInfo?: ResourceTypeInfo;
  /** The stack resource the scope is, or lies inside. */
  readonly resource?: TfResource;
  readonly label: string;
}

export interface Assignment {
  readonly resource: TfResource;
  readonly scope: Scope;
  readonly principal: Principal;
  readonly role?: RoleDefinition;
  /** The role as written: id or name. */
  readonly roleWritten: string;
  readonly usesRoleName: boolean;
  readonly unscopedRoleId: boolean;
  readonly principalType?: string;
  readonly name?: unknown;
  readonly condition?: string;
  readonly description?: string;
  /** The workload that asked for it, from the description our constructs write (`workload: reason`). */
  readonly workload?: string;
}

export interface Compute {
  readonly resource: TfResource;
  readonly systemAssigned: boolean;
  /** Addresses of the user-assigned identities in its identity block. */
  readonly userAssigned: readonly string[];
  /** App settings or environment variables, when the platform has them (for every container). */
  readonly settings?: readonly Readonly<Record<string, string>>[];
  /** For a slot, its app. */
  readonly parent?: TfResource;
}

export interface FederatedCredential {
  readonly resource: TfResource;
  readonly identity?: string;
  readonly issuer: string;
  readonly subject: string;
}

export interface EstateModel {
  readonly resources: readonly TfResource[];
  readonly byAddress: ReadonlyMap<string, TfResource>;
  readonly assignments: readonly Assignment[];
  readonly computes: readonly Compute[];
  /** Managed user-assigned identities of the stack. */
  readonly identities: readonly TfResource[];
  readonly federated: readonly FederatedCredential[];
  /** The AKS kubelet identities: attached to the cluster's nodes. */
  readonly kubeletIdentities: ReadonlySet<string>;
  /** User-assigned identities some resource uses (compute, kubelet, encryption key, federation). */
  readonly usedIdentities: ReadonlySet<string>;
  /** The subscription the stack's azurerm provider deploys into, when it says. */
  readonly subscriptionId?: string;
}

const REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}(.*)$/;

export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const match = REFERENCE.exec(value);
  return match ? { address: match[1], attribute: match[2], suffix: match[3] } : undefined;
}

const COMPUTE_TYPES = new Set([
  "azurerm_linux_web_app",
  "azurerm_windows_web_app",
  "azurerm_linux_web_app_slot",
  "azurerm_windows_web_app_slot",
  "azurerm_linux_function_app",
  "azurerm_windows_function_app",
  "azurerm_linux_function_app_slot",
  "azurerm_windows_function_app_slot",
  "azurerm_linux_virtual_machine",
  "azurerm_windows_virtual_machine",
  "azurerm_linux_virtual_machine_scale_set",
  "azurerm_windows_virtual_machine_scale_set",
  "azurerm_container_app",
  "azurerm_container_group",
  "azurerm_kubernetes_cluster",
]);

const LEVEL_OF_TYPE: Readonly<Record<string, ScopeLevel>> = {
  azurerm_resource_group: "resourceGroup",
  "data.azurerm_resource_group": "resourceGroup",
  "data.azurerm_subscription": "subscription",
  azurerm_subscription: "subscription",
  azurerm_management_group: "managementGroup",
  "data.azurerm_management_group": "managementGroup",
};

/** A block as cdktf writes it: an object, or a list of one. */
export function block(value: unknown): Record<string, any> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === "object" ? (first as Record<string, any>) : undefined;
}

export function readEstate(stackJson: Readonly<Record<string, any>>): EstateModel {
  const resources: TfResource[] = [];
  for (const [mode, prefix] of [["resource", ""], ["data", "data."]] as const) {
    for (const [type, byName] of Object.entries<Record<string, any>>(stackJson[mode] ?? {})) {
      for (const [name, config] of Object.entries<Record<string, any>>(byName)) {
        const address = `${prefix}${type}.${name}`;
        resources.push({ address, type: `${prefix}${type}`, path: config?.["//"]?.metadata?.path ?? address, config });
      }
    }
  }
  resources.sort(byKeys((r) => r.address));
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const computes = resources.filter((r) => COMPUTE_TYPES.has(r.type)).map((r) => readCompute(r, byAddress));
  const kubeletIdentities = new Set(
    resources.flatMap((r) => {
      const ref = parseReference(block(r.config.kubelet_identity)?.user_assigned_identity_id);
      return ref ? [ref.address] : [];
    }),
  );
  const identityUse = /\$\{azurerm_user_assigned_identity\.([A-Za-z0-9_-]+)\.(id|client_id|principal_id)\}/g;
  const usedIdentities = new Set(
    resources
      .filter((r) => r.type !== "azurerm_role_assignment")
      .flatMap((r) => [...JSON.stringify(r.config).matchAll(identityUse)].map((m) => `azurerm_user_assigned_identity.${m[1]}`)),
  );
  return {
    resources,
    byAddress,
    computes,
    kubeletIdentities,
    usedIdentities,
    subscriptionId: block(stackJson.provider?.azurerm)?.subscription_id,
    identities: resources.filter((r) => r.type === "azurerm_user_assigned_identity"),
    assignments: resources.filter((r) => r.type === "azurerm_role_assignment").map((r) => readAssignment(r, byAddress)),
    federated: resources
      .filter((r) => r.type === "azurerm_federated_identity_credential")
      .map((r) => ({ resource: r, identity: parseReference(r.config.parent_id)?.address, issuer: String(r.config.issuer ?? ""), subject: String(r.config.subject ?? "") })),
  };
}

function readCompute(resource: TfResource, byAddress: ReadonlyMap<string, TfResource>): Compute {
  const identity = block(resource.config.identity);
  const type = String(identity?.type ?? "");
  const userAssigned = ((identity?.identity_ids ?? []) as unknown[]).map((id) => parseReference(id)?.address ?? String(id));
  const parentRef = parseReference(resource.config.app_service_id ?? resource.config.function_app_id);
  return { resource, systemAssigned: type.includes("SystemAssigned"), userAssigned, settings: readSettings(resource), parent: parentRef && byAddress.get(parentRef.address) };
}

/** The settings code reads: app settings, or each container's environment. */
function readSettings(resource: TfResource): Record<string, string>[] | undefined {
  const c = resource.config;
  if (/_(web|function)_app(_slot)?$/.test(resource.type)) return [c.app_settings ?? {}];
  if (resource.type === "azurerm_container_app") {
    const containers = (block(c.template)?.container ?? []) as Record<string, any>[];
    return containers.map((container) => Object.fromEntries(((container.env ?? []) as Record<string, string>[]).map((e) => [e.name, e.value])));
  }
  if (resource.type === "azurerm_container_group") return ((c.container ?? []) as Record<string, any>[]).map((container) => container.environment_variables ?? {});
  return undefined;
}

function readAssignment(resource: TfResource, byAddress: ReadonlyMap<string, TfResource>): Assignment {
  const c = resource.config;
  const roleId = typeof c.role_definition_id === "string" ? c.role_definition_id : undefined;
  const roleName = typeof c.role_definition_name === "string" ? c.role_definition_name : undefined;
  const guid = /roleDefinitions\/([0-9a-f-]{36})$/i.exec(roleId ?? "")?.[1];
  const description = typeof c.description === "string" ? c.description : undefined;
  return {
    resource,
    scope: readScope(String(c.scope ?? ""), byAddress),
    principal: readPrincipal(c.principal_id, byAddress),
    role: guid ? findRoleByGuid(guid) : roleName ? lookupRoleByName(roleName) : undefined,
    roleWritten: roleId ?? roleName ?? "",
    usesRoleName: roleName !== undefined,
    unscopedRoleId: roleId?.startsWith("/providers/") ?? false,
    principalType: c.principal_type,
    name: c.name,
    condition: c.condition,
    description,
    workload: description?.includes(": ") ? description.slice(0, description.indexOf(": ")) : undefined,
  };
}

function readScope(raw: string, byAddress: ReadonlyMap<string, TfResource>): Scope {
  const ref = parseReference(raw);
  if (ref) {
    const resource = byAddress.get(ref.address);
    const base = resource ? typeInfoByTerraformType(resource.type) : undefined;
    const level = (resource && LEVEL_OF_TYPE[resource.type]) ?? "resource";
    const azureType = base && ref.suffix ? subResourceType(base.azureType, ref.suffix) : base?.azureType;
    return { raw, level, resource, typeInfo: azureType ? typeInfoByAzureType(azureType) : undefined, label: `${ref.address}${ref.suffix}` };
  }
  try {
    // A scope built around references ("/subscriptions/${data...subscription_id}") still has a level.
    const interpolated = raw.includes("${");
    const id = ResourceId.parse("scope", raw.replace(/\$\{[^}]*\}/g, "00000000-0000-0000-0000-000000000000"));
    return { raw, id: interpolated ? undefined : id, level: id.level, typeInfo: id.type ? typeInfoByAzureType(id.type) : undefined, label: raw };
  } catch {
    return { raw, level: "unknown", label: raw };
  }
}

/** `Microsoft.Storage/storageAccounts` + `/queueServices/default/queues/jobs` → the queue's type. */
function subResourceType(azureType: string, suffix: string): string | undefined {
  try {
    return ResourceId.parse("scope", `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/${azureType}/x${suffix}`).type;
  } catch {
    return undefined;
  }
}

function readPrincipal(value: unknown, byAddress: ReadonlyMap<string, TfResource>): Principal {
  const ref = parseReference(value);
  if (!ref) return { key: String(value ?? ""), kind: "Unresolved", label: String(value ?? "(none)") };
  const resource = byAddress.get(ref.address);
  if (ref.address.startsWith("data.azurerm_user_assigned_identity.")) return { key: ref.address, kind: "ExistingUserAssigned", resource, label: ref.address };
  if (resource?.type === "azurerm_user_assigned_identity") return { key: ref.address, kind: "UserAssigned", resource, label: ref.address };
  if (ref.attribute.startsWith(".identity")) return { key: `${ref.address}#system`, kind: "SystemAssigned", resource, label: `${ref.address} (system-assigned)` };
  return { key: String(value), kind: "Unresolved", resource, label: String(value) };
}
