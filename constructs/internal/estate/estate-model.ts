import { isGuid, ResourceId, ScopeLevel } from "../../azure-ids";
import { idTextProblem } from "../azure-names";
import {
  AzureRoleDefinition,
  findDataPlaneRole,
  findRoleByGuid,
  lookupRoleByName,
  RoleDefinition,
  roleKey,
  Roles,
  RoleSystem,
} from "../../role-catalog";
import { DATABASE_ACCESS_KIND, stepsOfGrants } from "../data-plane/database-access";
import { COMPUTE_TYPES } from "../identity-references";
import { ResourceTypeInfo, typeInfoByAzureType, typeInfoByTerraformType } from "../resource-types";
import { byKeys } from "../ordering";
import { comparableText } from "../terraform-text";
import { DECLARED_SUBSCRIPTION_LOCAL } from "../azure-context";

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

/**
 * Who an assignment's principal is: a managed identity of the estate (resolved through its
 * reference), a service principal, user or group by literal object id (typed by
 * `principal_type`), or `Unknown`: a reference to something that is no principal, or a value only
 * Terraform knows (a variable, a local, a module output, a function).
 */
export type PrincipalKind =
  "UserAssigned" | "SystemAssigned" | "ExistingUserAssigned" | "ServicePrincipal" | "User" | "Group" | "Unknown";

/** The kinds that are managed identities the estate declares: the only principals its workloads run as. */
export const MANAGED_IDENTITY_KINDS: ReadonlySet<PrincipalKind> = new Set([
  "UserAssigned",
  "SystemAssigned",
  "ExistingUserAssigned",
]);

export interface Principal {
  /** Stable key: the identity's address, `<compute address>#system`, or the principal id as written. */
  readonly key: string;
  readonly kind: PrincipalKind;
  /** The identity resource, or the compute whose system-assigned identity it is. */
  readonly resource?: TfResource;
  readonly label: string;
  /** The principal id as written in the assignment. */
  readonly raw: string;
  /** False when the value is one only Terraform knows, so nothing can be judged from it. */
  readonly verifiable: boolean;
}

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

export interface Assignment {
  /** What makes it: a role assignment, a Cosmos DB SQL role assignment, a Redis access policy assignment, or a database-access output. */
  readonly resource: TfResource;
  /** Who authorizes it: Azure RBAC, or the service's own data plane. */
  readonly system: RoleSystem;
  readonly scope: Scope;
  readonly principal: Principal;
  readonly role?: RoleDefinition;
  /** The role as written: id or name. */
  readonly roleWritten: string;
  /** False when the role is a value only Terraform knows (a variable, a data source...). */
  readonly roleVerifiable: boolean;
  readonly usesRoleName: boolean;
  readonly unscopedRoleId: boolean;
  readonly principalType?: string;
  readonly name?: unknown;
  readonly condition?: string;
  readonly description?: string;
  /** The workload that asked for it, from the description our constructs write (`workload: reason`). */
  readonly workload?: string;
  /** What a compute of the stack needs this for, when its platform identity holds it on what it uses. */
  readonly platformUse?: string;
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
  /** The stack's Terraform JSON the model was read from. */
  readonly json: Readonly<Record<string, any>>;
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
  /** Module calls: whatever they assign is not in this JSON, so it is not analysed. */
  readonly modules: readonly TfResource[];
  /** Resources that may make role assignments in a way that cannot be read (an azapi type only Terraform knows). */
  readonly unreadable: readonly TfResource[];
}

const REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}(.*)$/;

export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const match = REFERENCE.exec(value);
  return match ? { address: match[1], attribute: match[2], suffix: match[3] } : undefined;
}

const LEVEL_OF_TYPE: Readonly<Record<string, ScopeLevel>> = {
  azurerm_resource_group: "resourceGroup",
  "data.azurerm_resource_group": "resourceGroup",
  "data.azurerm_subscription": "subscription",
  azurerm_subscription: "subscription",
  azurerm_management_group: "managementGroup",
  "data.azurerm_management_group": "managementGroup",
};

/**
 * The labelled entries of a block: Terraform's JSON syntax also accepts a list of objects at every
 * level (`"resource": [{ ... }, { ... }]`), and a reader that skipped lists would see nothing.
 */
function blockEntries(value: unknown): [string, any][] {
  if (Array.isArray(value)) return value.flatMap((item) => blockEntries(item));
  return value && typeof value === "object" ? Object.entries(value) : [];
}

/** A block as cdktf writes it: an object, or a list of one. */
export function block(value: unknown): Record<string, any> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === "object" ? (first as Record<string, any>) : undefined;
}

const estates = new WeakMap<object, EstateModel>();

/**
 * The subscription the stack deploys into: the provider's, when it names one; else the one
 * configureIdentityStack was given (a provider reading ARM_SUBSCRIPTION_ID or a variable names none
 * Terraform knows before apply, and without it no target could be told to be the stack's own).
 */
function subscriptionOf(stackJson: Readonly<Record<string, any>>): string | undefined {
  const provider: unknown = block(stackJson.provider?.azurerm)?.subscription_id;
  if (typeof provider === "string" && isGuid(provider)) return provider;
  const declared: unknown = stackJson.locals?.[DECLARED_SUBSCRIPTION_LOCAL];
  return typeof declared === "string" && isGuid(declared) ? declared : (provider as string | undefined);
}

/** The estate of a rendered stack; the guardrails and the access report of one synth share it. */
export function readEstate(stackJson: Readonly<Record<string, any>>): EstateModel {
  const cached = estates.get(stackJson);
  if (cached) return cached;
  const estate = buildEstate(stackJson);
  estates.set(stackJson, estate);
  return estate;
}

function buildEstate(stackJson: Readonly<Record<string, any>>): EstateModel {
  const resources: TfResource[] = [];
  for (const [mode, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const) {
    for (const [type, byName] of blockEntries(stackJson[mode])) {
      for (const [name, config] of blockEntries(byName)) {
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
  // An identity that computes, kubelets or federated workloads also run as is no control plane only.
  const otherUses = new Set([
    ...computes.filter((c) => c.resource.type !== "azurerm_kubernetes_cluster").flatMap((c) => c.userAssigned),
    ...kubeletIdentities,
    ...resources
      .filter((r) => r.type === "azurerm_federated_identity_credential")
      .flatMap((r) => parseReference(r.config.parent_id)?.address ?? []),
  ]);
  const uses = platformUses(resources, otherUses);
  const assignments = [...resources, ...databaseAccessOutputs(stackJson)].flatMap((r) => {
    const fields = assignmentFields(r);
    return fields.flatMap((f) => {
      const a = readAssignment(r, f, byAddress);
      // A platform use is of a subnet or a private DNS zone: the role's own service, at resource level.
      const onItsKind =
        a.role?.service === "Network" && a.scope.level === "resource" && a.scope.typeInfo?.services.includes("Network");
      const use = onItsKind ? uses.get(platformUseKey(a.principal.key, roleKey(a.role!), a.scope.raw)) : undefined;
      return [use ? { ...a, platformUse: use } : a];
    });
  });
  const assigning = new Set(assignments.map((a) => a.resource));
  const usedIdentities = new Set(
    resources
      .filter((r) => !assigning.has(r))
      .flatMap((r) =>
        [...JSON.stringify(r.config).matchAll(identityUse)].map((m) => `azurerm_user_assigned_identity.${m[1]}`),
      ),
  );
  const modules = Object.entries<Record<string, any>>(stackJson.module ?? {})
    .map(([name, config]) => ({
      address: `module.${name}`,
      type: "module",
      path: config?.["//"]?.metadata?.path ?? `module.${name}`,
      config,
    }))
    .sort(byKeys((m) => m.address));
  return {
    json: stackJson,
    resources,
    byAddress,
    computes,
    kubeletIdentities,
    usedIdentities,
    subscriptionId: subscriptionOf(stackJson),
    identities: resources.filter((r) => r.type === "azurerm_user_assigned_identity"),
    assignments,
    modules,
    unreadable: [...resources.filter((r) => grantsUnread(r)), ...forgedDatabaseAccess(stackJson)],
    federated: resources
      .filter((r) => r.type === "azurerm_federated_identity_credential")
      .map((r) => ({
        resource: r,
        identity: parseReference(r.config.parent_id)?.address,
        issuer: String(r.config.issuer ?? ""),
        subject: String(r.config.subject ?? ""),
      })),
  };
}

/** The arguments of a role assignment, whichever resource makes it. */
interface AssignmentFields {
  readonly system: RoleSystem;
  readonly scope: unknown;
  readonly roleDefinitionId: unknown;
  readonly roleDefinitionName?: unknown;
  readonly principalId: unknown;
  readonly principalType?: unknown;
  readonly name?: unknown;
  readonly condition?: unknown;
  readonly description?: unknown;
}

/** Everything that gives a principal a role: plain and PIM (active and eligible) assignments. */
const ROLE_ASSIGNMENT_TYPES = new Set([
  "azurerm_role_assignment",
  "azurerm_pim_active_role_assignment",
  "azurerm_pim_eligible_role_assignment",
]);
const AZAPI_TYPES = new Set(["azapi_resource", "azapi_update_resource"]);
const ROLE_ASSIGNMENT_AZURE_TYPE = "microsoft.authorization/roleassignments";

const isLiteral = (value: unknown): value is string => typeof value === "string" && !value.includes("${");

/**
 * Resources that grant access, or run arbitrary deployments or commands, in a form no rule reads:
 * refused (IG022) rather than passed unseen. Template deployments and azapi actions can carry any
 * role assignment; access policies, Cosmos DB and Lighthouse grants, directory roles and
 * federated credentials outside the library give access the policy never judges.
 */
const UNREAD_GRANTING_TYPES =
  /_template_deployment$|_role_assignment$|_role_definition$|_principal_assignment$|_access_policy(_assignment)?$|^azurerm_lighthouse_|^azuread_(directory_role|app_role|group_member|application_federated_identity_credential)|^azapi_(resource_action|data_plane_resource)$|^data\.external$/;
const UNREAD_AZAPI_TYPES =
  /^microsoft\.(authorization|resources\/deployments|managedservices)\/|\/(accesspolicies|roleassignments|sqlroleassignments|federatedidentitycredentials)$/;

/** Data-plane assignments the model reads: the role is the service's own, by its definition. */
const DATA_PLANE_ASSIGNMENT_TYPES: Readonly<Record<string, RoleSystem>> = {
  azurerm_cosmosdb_sql_role_assignment: "cosmos-db",
  azurerm_redis_cache_access_policy_assignment: "redis",
};

/**
 * The database grants a stack outputs (`database-access-*`), one pseudo-resource per output:
 * statements its Entra administrator runs, read like any other assignment for the report and diff.
 */
function databaseAccessOutputs(stackJson: Readonly<Record<string, any>>): TfResource[] {
  return blockEntries(stackJson.output)
    .filter(([, output]) => output?.value?.kind === DATABASE_ACCESS_KIND)
    .map(([name, output]) => ({
      address: `output.${name}`,
      type: "output",
      path: output?.["//"]?.metadata?.path ?? `output.${name}`,
      config: output,
    }));
}

/**
 * Database-access outputs whose statements are not exactly those their grants call for (an
 * override, a hand-written output), or outputs named like them that do not say what they are:
 * an administrator would run SQL no rule has judged.
 */
function forgedDatabaseAccess(stackJson: Readonly<Record<string, any>>): TfResource[] {
  return blockEntries(stackJson.output)
    .filter(([name, output]) => {
      const value = output?.value;
      if (value?.kind !== DATABASE_ACCESS_KIND) return name.startsWith("database-access");
      const steps = stepsOfGrants(value);
      return steps === undefined || JSON.stringify(steps) !== JSON.stringify(value.steps);
    })
    .map(([name, output]) => ({
      address: `output.${name}`,
      type: "output",
      path: output?.["//"]?.metadata?.path ?? `output.${name}`,
      config: output,
    }));
}

function grantsUnread(r: TfResource): boolean {
  if (ROLE_ASSIGNMENT_TYPES.has(r.type) || DATA_PLANE_ASSIGNMENT_TYPES[r.type] !== undefined) return false;
  if (r.config.provisioner !== undefined || (r.type === "azurerm_key_vault" && r.config.access_policy !== undefined))
    return true;
  if (AZAPI_TYPES.has(r.type)) {
    if (!isLiteral(r.config.type)) return true;
    const azureType = r.config.type.split("@")[0].toLowerCase();
    return azureType !== ROLE_ASSIGNMENT_AZURE_TYPE && UNREAD_AZAPI_TYPES.test(azureType);
  }
  return UNREAD_GRANTING_TYPES.test(r.type);
}

function assignmentFields(r: TfResource): AssignmentFields[] {
  const c = r.config;
  if (r.type === "output") {
    const value = c.value as Record<string, any>;
    const system: RoleSystem = value.system === "postgresql" ? "postgresql" : "azure-sql";
    return ((value.grants ?? []) as Record<string, unknown>[]).map((g) => ({
      system,
      scope: value.scope,
      roleDefinitionId: g.role,
      principalId: g.principal_id,
      name: g.name,
      description: g.description,
    }));
  }
  const dataPlane = DATA_PLANE_ASSIGNMENT_TYPES[r.type];
  if (dataPlane) {
    const cosmos = dataPlane === "cosmos-db";
    return [
      {
        system: dataPlane,
        scope: cosmos ? c.scope : c.redis_cache_id,
        roleDefinitionId: cosmos ? c.role_definition_id : c.access_policy_name,
        principalId: cosmos ? c.principal_id : c.object_id,
        name: c.name,
        description: c["//"]?.description,
      },
    ];
  }
  if (ROLE_ASSIGNMENT_TYPES.has(r.type)) {
    return [
      {
        system: "azure-rbac",
        scope: c.scope,
        roleDefinitionId: c.role_definition_id,
        roleDefinitionName: c.role_definition_name,
        principalId: c.principal_id,
        principalType: c.principal_type,
        name: r.type === "azurerm_role_assignment" ? c.name : undefined,
        condition: c.condition,
        description: c.description ?? c.justification,
      },
    ];
  }
  // azapi writes the ARM resource itself: `Microsoft.Authorization/roleAssignments@<api version>`.
  if (
    !AZAPI_TYPES.has(r.type) ||
    !isLiteral(c.type) ||
    c.type.split("@")[0].toLowerCase() !== ROLE_ASSIGNMENT_AZURE_TYPE
  )
    return [];
  const body = typeof c.body === "string" ? parseJson(c.body) : c.body;
  const properties: Record<string, unknown> =
    body && typeof body === "object" ? ((body as Record<string, any>).properties ?? {}) : {};
  const unknowable = "${unreadable azapi body}";
  const field = (key: string) => (body && typeof body === "object" ? properties[key] : unknowable);
  return [
    {
      system: "azure-rbac",
      scope: r.type === "azapi_resource" ? c.parent_id : parentOfId(c.resource_id),
      roleDefinitionId: field("roleDefinitionId"),
      principalId: field("principalId"),
      principalType: field("principalType"),
      name: r.type === "azapi_resource" ? c.name : undefined,
      condition: field("condition"),
      description: field("description"),
    },
  ];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `<scope>/providers/Microsoft.Authorization/roleAssignments/<name>` → `<scope>`. */
function parentOfId(id: unknown): string | undefined {
  return isLiteral(id)
    ? /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/i.exec(id)?.[1]
    : undefined;
}

function readCompute(resource: TfResource, byAddress: ReadonlyMap<string, TfResource>): Compute {
  const identity = block(resource.config.identity);
  const type = String(identity?.type ?? "");
  const userAssigned = ((identity?.identity_ids ?? []) as unknown[]).map(
    (id) => parseReference(id)?.address ?? String(id),
  );
  const parentRef = parseReference(resource.config.app_service_id ?? resource.config.function_app_id);
  return {
    resource,
    systemAssigned: type.includes("SystemAssigned"),
    userAssigned,
    settings: readSettings(resource),
    parent: parentRef && byAddress.get(parentRef.address),
  };
}

/** The settings code reads: app settings, or each container's environment. */
function readSettings(resource: TfResource): Record<string, string>[] | undefined {
  const c = resource.config;
  if (/_(web|function)_app(_slot)?$/.test(resource.type)) return [c.app_settings ?? {}];
  if (resource.type === "azurerm_container_app") {
    const containers = (block(c.template)?.container ?? []) as Record<string, any>[];
    return containers.map((container) =>
      Object.fromEntries(((container.env ?? []) as Record<string, string>[]).map((e) => [e.name, e.value])),
    );
  }
  if (resource.type === "azurerm_container_group")
    return ((c.container ?? []) as Record<string, any>[]).map((container) => container.environment_variables ?? {});
  return undefined;
}

function readAssignment(
  resource: TfResource,
  f: AssignmentFields,
  byAddress: ReadonlyMap<string, TfResource>,
): Assignment {
  const roleId = typeof f.roleDefinitionId === "string" ? f.roleDefinitionId : undefined;
  const roleName = typeof f.roleDefinitionName === "string" ? f.roleDefinitionName : undefined;
  const description = typeof f.description === "string" ? f.description : undefined;
  const principalType = typeof f.principalType === "string" ? f.principalType : undefined;
  const { role, verifiable } = readRole(f.system, roleId, roleName);
  return {
    resource,
    system: f.system,
    scope: readScope(f.scope, byAddress),
    principal: readPrincipal(f.principalId, principalType, byAddress),
    role,
    roleWritten: roleId ?? roleName ?? "",
    roleVerifiable: verifiable,
    usesRoleName: roleName !== undefined,
    unscopedRoleId: roleId?.startsWith("/providers/") ?? false,
    principalType,
    name: f.name,
    condition:
      typeof f.condition === "string"
        ? f.condition
        : f.condition === undefined
          ? undefined
          : JSON.stringify(f.condition),
    description,
    workload: description?.includes(": ") ? description.slice(0, description.indexOf(": ")) : undefined,
  };
}

const AZURE_ROLE_ID =
  /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** A Cosmos DB role definition of an account: the account may be a reference, the definition is literal. */
const COSMOS_ROLE_ID = /\/sqlRoleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The catalog entry an assignment's role as written names, and whether it can be known before apply. */
function readRole(
  system: RoleSystem,
  roleId: string | undefined,
  roleName: string | undefined,
): { role?: RoleDefinition; verifiable: boolean } {
  if (system === "azure-rbac") {
    // The GUID names the role in every subscription: a literal GUID is verifiable whatever precedes it.
    const guid = AZURE_ROLE_ID.exec(roleId ?? "")?.[1];
    if (guid) return { role: findRoleByGuid(guid), verifiable: true };
    return {
      role: roleName !== undefined && isLiteral(roleName) ? lookupRoleByName(roleName) : undefined,
      verifiable: roleId === undefined ? isLiteral(roleName) : isLiteral(roleId),
    };
  }
  const definition = system === "cosmos-db" ? COSMOS_ROLE_ID.exec(roleId ?? "")?.[1] : roleId;
  if (definition === undefined || !isLiteral(definition)) return { verifiable: false };
  return { role: findDataPlaneRole(system, definition), verifiable: true };
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
function readScope(value: unknown, byAddress: ReadonlyMap<string, TfResource>): Scope {
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
  const level = LEVEL_OF_TYPE[resource.type];
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

/** Terraform addresses are case-sensitive; literal ids are not. */
const platformUseKey = (principal: string, roleGuid: string, scope: string) =>
  `${principal}|${roleGuid}|${comparableText(scope)}`;

/** What an AKS cluster uses, and the platform role its control plane needs on each. */
const AKS_USES: readonly {
  readonly field: (config: Record<string, any> | undefined) => unknown;
  readonly role: AzureRoleDefinition;
  readonly use: string;
}[] = [
  { field: (pool) => pool?.vnet_subnet_id, role: Roles.NetworkContributor, use: "node subnet" },
  { field: (pool) => pool?.pod_subnet_id, role: Roles.NetworkContributor, use: "pod subnet" },
];

/**
 * What each AKS cluster's control plane needs, read from its configuration: its one user-assigned
 * identity on every subnet its nodes, pods or API server use (Network Contributor) and on its
 * private DNS zone (Private DNS Zone Contributor). Keyed by principal, role and scope as written,
 * so only that identity, with that role, on exactly those resources counts. A cluster or pool
 * that may not exist (count, for_each) counts for nothing, and neither does an identity the
 * estate also uses for anything but a control plane.
 */
function platformUses(resources: readonly TfResource[], otherUses: ReadonlySet<string>): Map<string, string> {
  const uses = new Map<string, string>();
  const certain = (r: TfResource) => r.config.count === undefined && r.config.for_each === undefined;
  for (const cluster of resources.filter((r) => r.type === "azurerm_kubernetes_cluster" && certain(r))) {
    const name = `AKS cluster ${isLiteral(cluster.config.name) ? cluster.config.name : cluster.address}`;
    const pools = [
      block(cluster.config.default_node_pool),
      ...resources
        .filter(
          (r) =>
            r.type === "azurerm_kubernetes_cluster_node_pool" &&
            certain(r) &&
            parseReference(r.config.kubernetes_cluster_id)?.address === cluster.address,
        )
        .map((r) => r.config),
    ];
    const scopes: [unknown, AzureRoleDefinition, string][] = [
      ...pools.flatMap((pool) =>
        AKS_USES.map(({ field, role, use }): [unknown, AzureRoleDefinition, string] => [field(pool), role, use]),
      ),
      [block(cluster.config.api_server_access_profile)?.subnet_id, Roles.NetworkContributor, "API server subnet"],
      [cluster.config.private_dns_zone_id, Roles.PrivateDnsZoneContributor, "private DNS zone"],
    ];
    const identity = block(cluster.config.identity);
    const ids = (identity?.identity_ids ?? []) as unknown[];
    const address = ids.length === 1 && identity?.type === "UserAssigned" ? parseReference(ids[0])?.address : undefined;
    if (address === undefined || otherUses.has(address)) continue;
    for (const [scope, role, use] of scopes) {
      if (typeof scope === "string" && !/^(system|none)$/i.test(scope))
        uses.set(platformUseKey(address, role.guid, scope), `${use} of ${name}`);
    }
  }
  return uses;
}

/** Directory objects azuread can name, by the kind of principal they are. */
const DIRECTORY_KINDS: Readonly<Record<string, PrincipalKind>> = {
  azuread_user: "User",
  azuread_group: "Group",
  azuread_service_principal: "ServicePrincipal",
};

function readPrincipal(
  value: unknown,
  principalType: string | undefined,
  byAddress: ReadonlyMap<string, TfResource>,
): Principal {
  const raw = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const ref = parseReference(raw);
  if (ref && ref.suffix === "") {
    const resource = byAddress.get(ref.address);
    const kind = resource ? referencedPrincipalKind(resource, ref.attribute) : undefined;
    if (kind === "SystemAssigned")
      return {
        key: `${ref.address}#system`,
        kind,
        resource,
        label: `${ref.address} (system-assigned)`,
        raw,
        verifiable: true,
      };
    if (kind) return { key: ref.address, kind, resource, label: ref.address, raw, verifiable: true };
    // A reference to a resource that is no principal is wrong, but certain; one to a variable is not.
    return { key: raw, kind: "Unknown", resource, label: raw, raw, verifiable: resource !== undefined };
  }
  if (!isLiteral(raw)) return { key: raw, kind: "Unknown", label: raw, raw, verifiable: false };
  const typed =
    isGuid(raw) && (principalType === "ServicePrincipal" || principalType === "User" || principalType === "Group")
      ? principalType
      : "Unknown";
  return { key: raw.toLowerCase(), kind: typed, label: raw, raw, verifiable: true };
}

function referencedPrincipalKind(resource: TfResource, attribute: string): PrincipalKind | undefined {
  if (resource.type === "azurerm_user_assigned_identity" && attribute === ".principal_id") return "UserAssigned";
  // Read through another provider alias, it is another subscription's (another environment's) identity.
  if (resource.type === "data.azurerm_user_assigned_identity" && attribute === ".principal_id")
    return resource.config.provider === undefined ? "ExistingUserAssigned" : undefined;
  if (COMPUTE_TYPES.has(resource.type) && attribute === ".identity[0].principal_id") return "SystemAssigned";
  const directory = DIRECTORY_KINDS[resource.type.replace(/^data\./, "")];
  return directory && attribute === ".object_id" ? directory : undefined;
}
