import type { AzureRoleDefinition, RoleSystem } from "../role-catalog";
import { isNotApplicable } from "./part";
import { registeredServices } from "./registry";

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
