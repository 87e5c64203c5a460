import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { IdentityConfigError } from "../../core/errors";
import { isNotApplicable, type Part } from "./part";
import { registeredServices } from "./registry";
import type { JsonConfig, RuleResources } from "./network";

/**
 * The audit part: what Azure Monitor records of data-plane access to a service's grantable
 * resources, and where: the resource-log categories a diagnostic setting enables, the table they
 * land in, and the column that names the caller. Categories are Microsoft's "supported resource
 * log categories"; a category a resource does not have fails the apply, so nothing is guessed.
 */

/** The principal's identifiers a caller filter can name: `{oid}`, `{appId}`, `{name}` in its KQL. */
export type Identifier = "oid" | "appId" | "name";

/**
 * A Log Analytics table of data operations, and how to find one principal's rows in it. Every
 * column named here is in Microsoft's table reference (pinned by __tests__/audit-tables.test.ts).
 */
export interface CallerLog {
  readonly table: string;
  /** Conditions (KQL, constants only) that keep this service's rows of a shared table. */
  readonly where?: readonly string[];
  /**
   * KQL that is true for a row the principal caused: `{oid}` (object id), `{appId}` (client id)
   * and `{name}` (the name it has in the service) stand for KQL strings.
   */
  readonly callerIs: string;
  /** The column that says what was done. */
  readonly operation: string;
  /**
   * For a log a server keeps for all its databases: KQL giving a row's database, so a grant in
   * one database reads that database's rows only.
   */
  readonly database?: string;
}

/** A resource of the stack, as the JSON holds it. */
export interface StackResource {
  readonly config: JsonConfig;
  /** Created exactly once: no `count` or `for_each`. */
  readonly certain: boolean;
}

/** What the logs need besides the diagnostic setting (a server's auditing policy, a logging parameter). */
export interface AuditNeeds {
  /** What to add to the stack, for a guardrail's fix ("keep log_connections on"). */
  readonly fix: string;
  /**
   * What the stack leaves unmet, in words; `onServer` gives the stack's resources of a Terraform
   * type that name the audited server (by its id, or by its name and resource group), `audited`
   * the audited resource itself when the stack writes it.
   */
  unmet(
    onServer: (resources: RuleResources) => readonly StackResource[],
    audited: StackResource | undefined,
  ): readonly string[];
  /** Writes what the logs need beside `setting` (of construct id `id`) on the server `serverId`, when the library can. */
  write?(scope: Construct, id: string, serverId: string, setting: ITerraformDependable): void;
}

export interface AuditProfile {
  /** How people name it. */
  readonly kind: string;
  readonly categories: readonly string[];
  /**
   * `Dedicated` (resource-specific tables) where the service writes them; unset where Azure reads
   * the setting back empty (Key Vault, storage), which would show a change at every plan.
   */
  readonly destinationType?: "Dedicated";
  /** Where the categories record who did what; absent when they do not (then `gap` says why). */
  readonly log?: CallerLog;
  /** What these categories do not record of data access (or why none of it), when that is so. */
  readonly gap?: string;
  readonly needs?: AuditNeeds;
}

/** A resource whose logging depends on its tier: data access is recorded on Premium only. */
export interface ByTier {
  readonly premium: AuditProfile;
  readonly otherTiers: AuditProfile;
}

/** One of the services a resource logs separately (a storage account's blob service). */
export interface ServiceLog {
  /** The role service whose data it holds. */
  readonly roleService: string;
  /** The id path of the service below the resource (`/blobServices/default`): its first segment is its child type. */
  readonly settingOn: string;
  readonly profile: AuditProfile;
}

/** A resource that records nothing of data access, and why. */
export interface LoggedNowhere {
  readonly kind: string;
  readonly gap: string;
}

export interface AuditedResource {
  /** The ARM types of the resource a grant's scope is, or is under. */
  readonly types: readonly string[];
  /** What it logs: one profile, one per tier, one per service it logs separately, or nothing (with why). */
  readonly logs: AuditProfile | ByTier | readonly ServiceLog[] | LoggedNowhere;
  /** Where the diagnostic setting goes, as an id path below the resource; the resource itself when unset. */
  readonly settingOn?: string;
  /** For a log kept per server: the child type of its databases, whose grants read their database's rows. */
  readonly databaseType?: string;
}

/** The Log Analytics workspace the audit logs go to. */
export interface AuditWorkspace {
  readonly type: string;
  readonly terraformType: string;
  /** The Terraform type of the diagnostic setting that sends a resource's logs to it. */
  readonly settingTerraformType: string;
}

export interface AuditPart {
  readonly resources?: readonly AuditedResource[];
  /** For the service that receives the logs: its workspace. */
  readonly workspace?: AuditWorkspace;
}

let cached:
  | {
      readonly services: number;
      readonly audits: readonly { service: string; part: AuditPart }[];
      /** Each audited resource by its ARM types (lower case), the first service's where two declare a type. */
      readonly byType: ReadonlyMap<string, AuditedResource>;
    }
  | undefined;

/** Rebuilt when a service registers (the registry only grows): every grant's coverage looks here. */
function audited(): NonNullable<typeof cached> {
  const services = registeredServices();
  if (cached?.services !== services.length) {
    const parts = services.flatMap((s) =>
      s.audit === undefined || isNotApplicable(s.audit) ? [] : [{ service: s.name, part: s.audit }],
    );
    const byType = new Map<string, AuditedResource>();
    for (const r of parts.flatMap((a) => a.part.resources ?? []))
      for (const t of r.types) if (!byType.has(t.toLowerCase())) byType.set(t.toLowerCase(), r);
    cached = { services: services.length, audits: parts, byType };
  }
  return cached;
}

const audits = () => audited().audits;

/** The audited resource of an ARM type (case-insensitive), when a service declares one. */
export function auditedResourceOf(type: string): AuditedResource | undefined {
  return audited().byType.get(type.toLowerCase());
}

/** The workspace the audit logs go to, from the service that declares it. */
export function auditWorkspace(): AuditWorkspace {
  const workspace = audits().find((a) => a.part.workspace)?.part.workspace;
  if (!workspace) {
    throw new IdentityConfigError("audit", {
      problem: "No registered service declares the Log Analytics workspace audit logs go to",
      value: null,
      fix: "load the shipped services (constructs/services) before auditing",
    });
  }
  return workspace;
}

/** Whether a resource logs per service (a storage account's blob, queue, table and file). */
export const isPerService = (logs: AuditedResource["logs"]): logs is readonly ServiceLog[] => Array.isArray(logs);

/** Every profile a resource's logs hold. */
const profilesOf = (logs: AuditedResource["logs"]): readonly (AuditProfile | LoggedNowhere)[] =>
  isPerService(logs) ? logs.map((s) => s.profile) : "premium" in logs ? [logs.premium, logs.otherTiers] : [logs];

/** A profile a registered service declares (or its stated gap), with the service and the resource types. */
export interface DeclaredProfile {
  readonly service: string;
  readonly types: readonly string[];
  readonly profile: AuditProfile | LoggedNowhere;
}

/** Every profile the registered services declare, in registry order. */
export const declaredProfiles = (): readonly DeclaredProfile[] =>
  audits().flatMap(({ service, part }) =>
    (part.resources ?? []).flatMap((r) => profilesOf(r.logs).map((profile) => ({ service, types: r.types, profile }))),
  );

/** The kinds of resource a diagnostic setting can log, in registry order. */
export const auditedKinds = (): readonly string[] => [
  ...new Set(declaredProfiles().flatMap(({ profile: p }) => ("categories" in p ? [p.kind] : []))),
];

/** Each profile enables categories, in the mode Azure keeps, and names its caller's table or states the gap. */
export function checkAuditPart(service: string, part: Part<AuditPart> | undefined): void {
  if (part === undefined || isNotApplicable(part)) return;
  const refuse = (problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError("defineService", {
      problem: `Service "${service}", part audit: ${problem}`,
      value,
      fix,
    });
  };
  for (const resource of part.resources ?? []) {
    for (const profile of profilesOf(resource.logs)) {
      if (!("categories" in profile)) {
        if (!profile.gap) {
          refuse(
            `the ${profile.kind} logs nothing and states no gap`,
            profile.kind,
            "say in gap why none of its data access is logged",
          );
        }
        continue;
      }
      if (profile.categories.length === 0) {
        refuse(
          `the ${profile.kind} profile enables no categories`,
          profile.kind,
          "list the resource-log categories that record data access, or state a gap ({ kind, gap }) when it has none",
        );
      }
      if (profile.destinationType !== undefined && profile.destinationType !== "Dedicated") {
        refuse(
          `the ${profile.kind} profile's destinationType is not "Dedicated"`,
          profile.destinationType,
          'write "Dedicated" for resource-specific tables, or leave it unset where Azure reads the setting back empty',
        );
      }
      if (profile.log ? !profile.log.table : !profile.gap) {
        refuse(
          `the ${profile.kind} profile names no table of its callers and states no gap`,
          profile.log?.table ?? null,
          "name the Log Analytics table (log.table) that records who did what, or say in gap why none does",
        );
      }
    }
  }
}
