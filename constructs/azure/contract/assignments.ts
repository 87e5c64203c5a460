import { IdentityConfigError } from "../../core/errors";
import type { AzureRoleDefinition, RoleSystem } from "../role-catalog";
import type { ServiceDefinition } from ".";
import { isNotApplicable } from "./part";
import { definedServices, registeredServices, shippedServicesAreLoaded } from "./registry";

/**
 * The assignments part: how the estate reader recognises a service's assignments in a stack's
 * Terraform JSON (the types that make them, and where scope, role and principal are written),
 * which of its resources grant access in a form no rule reads (refused, IG022), and which of its
 * resources are computes (their system-assigned identity is a principal).
 */

/** A resource of the synthesized JSON, as a dialect reads it. */
export interface JsonResource {
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** The arguments of one assignment as the stack writes them, whichever resource makes it. */
export interface AssignmentFields {
  readonly scope: unknown;
  readonly roleDefinitionId: unknown;
  readonly roleDefinitionName?: unknown;
  readonly principalId: unknown;
  readonly principalType?: unknown;
  readonly name?: unknown;
  readonly condition?: unknown;
  readonly description?: unknown;
}

/** One way a stack writes assignments. */
export interface AssignmentDialect {
  /** Who authorizes them: Azure RBAC, or the service's own data plane. */
  readonly system: RoleSystem;
  /** The Terraform types whose every resource makes them. */
  readonly terraformTypes?: readonly string[];
  /**
   * The ARM type (`Namespace/type`) a generic resource writes to make them, matched without case;
   * `genericTypes` are the Terraform types that write any ARM type by their `type` argument.
   */
  readonly azureType?: { readonly type: string; readonly genericTypes: readonly string[] };
  /** The assignments one resource makes, as written; none when it makes none that can be read. */
  readonly read: (resource: JsonResource) => readonly AssignmentFields[];
  /** The role's catalog key inside the id as written (a GUID, a definition), if any; without it the id is the key. */
  readonly roleKey?: (written: string) => string | undefined;
}

/** The description cdktf keeps in a resource's `//` block (where a resource with no description argument keeps ours). */
export const commentOf = (config: JsonResource["config"]): unknown =>
  (config["//"] as { readonly description?: unknown } | undefined)?.description;

/** What a compute's platform identity needs on one thing the compute uses. */
export interface PlatformUse {
  /** The used resource's id as the compute's configuration writes it. */
  readonly scope: unknown;
  readonly role: AzureRoleDefinition;
  /** In words: "node subnet". */
  readonly use: string;
}

/** How the platform uses of a service's computes are read from their configuration. */
export interface PlatformUses {
  /** How people name such a compute: "AKS cluster". */
  readonly label: string;
  /** What the compute's one user-assigned platform identity needs, for a compute certain to exist. */
  readonly uses: (compute: JsonResource, json: PlatformReader) => readonly PlatformUse[];
}

/** What `PlatformUses.uses` reads the JSON with. */
export interface PlatformReader {
  /** A nested block: its object, or its list's first one. */
  block(value: unknown): Readonly<Record<string, unknown>> | undefined;
  /** The configurations of the stack's resources of `type` whose `field` references the compute, each certain to exist. */
  attached(type: string, field: string): readonly Readonly<Record<string, unknown>>[];
}

export interface AssignmentsPart {
  readonly dialects?: readonly AssignmentDialect[];
  /** Resources that grant access, or run arbitrary deployments, in a form no dialect reads: refused (IG022). */
  readonly unread?: {
    /** Terraform types, by pattern. */
    readonly terraformTypes?: RegExp;
    /** ARM types (lower case, no API version) a generic resource writes. */
    readonly azureTypes?: RegExp;
    /** A block of a resource that grants access inline: the resource's Terraform type and the block. */
    readonly blocks?: readonly { readonly terraformType: string; readonly block: string }[];
  };
  /** Terraform types of its computes: their `identity[0].principal_id` is a system-assigned identity's object id. */
  readonly computeTypes?: readonly string[];
  /** What the platform identity of each of its computes needs on what the compute uses (an AKS cluster's subnets). */
  readonly platformUses?: PlatformUses;
}

/**
 * Resources that grant access, or run arbitrary deployments or commands, in a form no rule reads:
 * refused (IG022) rather than passed unseen. Beside each service's own (its `assignments.unread`),
 * the provider's naming conventions catch any service's: template deployments and azapi actions
 * can carry any role assignment; role, principal and access policy assignments, directory roles
 * and federated credentials outside the library give access the policy never judges.
 */
export const UNREAD_GRANTING_TYPES =
  /_template_deployment$|_role_assignment$|_role_definition$|_principal_assignment$|_access_policy(_assignment)?$|^azuread_(directory_role|app_role|group_member|application_federated_identity_credential)|^azapi_(resource_action|data_plane_resource)$|^data\.external$/;
/** The ARM types (lower case) a generic resource writes that grant access. */
export const UNREAD_AZURE_TYPES = /\/(accesspolicies|roleassignments)$/;

const partOf = (service: ServiceDefinition): AssignmentsPart | undefined =>
  service.assignments === undefined || isNotApplicable(service.assignments) ? undefined : service.assignments;

/**
 * Refuses an assignments part naming a type that is not the service's own (a dialect reading
 * another service's, or an unowned, type as "nothing" would hide its grants from every rule), a
 * generic type that is a service's or a granting type, and, in a service defined outside the
 * library, a dialect over a type the built-in rule refuses unread (IG022): a consumer could claim
 * a template deployment as its own type, then read it as granting nothing.
 */
export function checkAssignments(definition: ServiceDefinition): void {
  const part = partOf(definition);
  if (!part) return;
  const refuse = (where: string, problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError("defineService", {
      problem: `${definition.name} assignments.${where}: ${problem}`,
      value,
      fix,
    });
  };
  const typesOf = (s: ServiceDefinition) =>
    s.resourceTypes === undefined || isNotApplicable(s.resourceTypes) ? [] : Object.values(s.resourceTypes);
  const others = definedServices().filter((s) => s.name !== definition.name);
  const ownTerraform = new Set(typesOf(definition).flatMap((t) => (t.terraformType ? [t.terraformType] : [])));
  const othersAzure = new Set(others.flatMap((s) => typesOf(s).map((t) => t.azureType.toLowerCase())));
  const ownAzure = new Set(
    typesOf(definition)
      .map((t) => t.azureType.toLowerCase())
      .filter((t) => !othersAzure.has(t)),
  );
  const anyTerraform = new Set([
    ...ownTerraform,
    ...others.flatMap((s) => typesOf(s).flatMap((t) => (t.terraformType ? [t.terraformType] : []))),
  ]);
  const unread = others.flatMap((s) => partOf(s)?.unread ?? []);
  const consumer = shippedServicesAreLoaded();
  const ownFix = `name ${definition.name}'s own types (its resourceTypes part: ${[...ownTerraform].join(", ") || "none with a terraformType"})`;
  const own = (where: string, type: unknown) => {
    if (typeof type !== "string" || !ownTerraform.has(type))
      refuse(where, `${String(type)} is not a terraform type of ${definition.name}'s resourceTypes`, type, ownFix);
  };
  const builtInUnread = (where: string, type: string, granting: boolean) => {
    if (consumer && granting)
      refuse(
        where,
        `${type} grants access in a form the library refuses unread (IG022); a service defined outside the library cannot read it`,
        type,
        "grant through the library's targets (ServiceTarget.grant), or keep the resource out of the stack",
      );
  };
  (part.dialects ?? []).forEach((d, i) => {
    const where = `dialects[${i}]`;
    if (typeof d.read !== "function" || (d.terraformTypes === undefined) === (d.azureType === undefined))
      refuse(where, "a dialect reads either terraformTypes or an azureType, with read", d, "give one of them and read");
    (d.terraformTypes ?? []).forEach((type, j) => {
      own(`${where}.terraformTypes[${j}]`, type);
      builtInUnread(
        `${where}.terraformTypes[${j}]`,
        type,
        UNREAD_GRANTING_TYPES.test(type) || unread.some((u) => u.terraformTypes?.test(type)),
      );
    });
    if (d.azureType === undefined) return;
    const azureType = String(d.azureType.type).toLowerCase();
    if (!ownAzure.has(azureType))
      refuse(
        `${where}.azureType`,
        `${d.azureType.type} is not an azureType of ${definition.name}'s resourceTypes (or is another service's too)`,
        d.azureType.type,
        "name an ARM type only this service's resourceTypes part defines",
      );
    builtInUnread(
      `${where}.azureType`,
      d.azureType.type,
      UNREAD_AZURE_TYPES.test(azureType) || unread.some((u) => u.azureTypes?.test(azureType)),
    );
    // A generic type is a writer of any ARM type (azapi's): a service's type, or one the built-in rule
    // refuses, read as generic would pass whatever it writes.
    d.azureType.genericTypes.forEach((type, j) => {
      if (
        anyTerraform.has(type) ||
        UNREAD_GRANTING_TYPES.test(type) ||
        unread.some((u) => u.terraformTypes?.test(type)) ||
        (consumer && !others.some((s) => partOf(s)?.dialects?.some((o) => o.azureType?.genericTypes.includes(type))))
      )
        refuse(
          `${where}.azureType.genericTypes[${j}]`,
          `${type} is not a generic type the library's services read`,
          type,
          "name a Terraform type that writes any ARM type by its type argument, as the library's own dialects do (azapi_resource)",
        );
    });
  });
  (part.computeTypes ?? []).forEach((type, i) => own(`computeTypes[${i}]`, type));
  (part.unread?.blocks ?? []).forEach((b, i) => own(`unread.blocks[${i}]`, b.terraformType));
  for (const key of ["terraformTypes", "azureTypes"] as const) {
    const pattern = part.unread?.[key];
    if (pattern !== undefined && !(pattern instanceof RegExp))
      refuse(`unread.${key}`, "it is not a regular expression", pattern, `give unread.${key} as a /pattern/`);
  }
}

/** A lookup over the registry, rebuilt when a service registers (a consumer's may, after the shipped ones). */
function overRegistry<T>(build: (parts: readonly AssignmentsPart[]) => T): () => T {
  let built: { count: number; value: T } | undefined;
  return () => {
    const services = registeredServices();
    if (built?.count !== services.length) {
      const parts = services.flatMap((s) =>
        s.assignments === undefined || isNotApplicable(s.assignments) ? [] : [s.assignments],
      );
      built = { count: services.length, value: build(parts) };
    }
    return built.value;
  };
}

/** Every registered dialect, in registry order. */
export const assignmentDialects = overRegistry((parts) => parts.flatMap((p) => p.dialects ?? []));

/** Every registered service's unread grants. */
export const unreadGrants = overRegistry((parts) => parts.flatMap((p) => p.unread ?? []));

/** The Terraform types of every registered service's computes. */
export const computeTypes = overRegistry(
  (parts): ReadonlySet<string> => new Set(parts.flatMap((p) => p.computeTypes ?? [])),
);

/** The services whose computes have platform uses: their compute types and how to read the uses. */
export const platformUseReaders = overRegistry((parts) =>
  parts.flatMap((p) => (p.platformUses ? [{ computeTypes: p.computeTypes ?? [], ...p.platformUses }] : [])),
);
