// What `verify` reads from Azure, behind one small interface, so the comparison runs offline in
// tests (a reader built from recorded responses) and against Azure in use (./azure-reader.ts).
import type { AccessReport } from "../../constructs";

type ReportIdentity = AccessReport["identities"][number];

/** A role assignment as the ARM SDK returns it: the fields verify reads. */
export interface LiveAssignment {
  readonly id: string;
  readonly scope: string;
  /** `/subscriptions/<s>/providers/Microsoft.Authorization/roleDefinitions/<role GUID>` */
  readonly roleDefinitionId: string;
  readonly principalId: string;
  readonly principalType: string;
}

/** The principal a resource holds: a user-assigned identity's own, or a compute's system-assigned one. */
export type ResourcePrincipal =
  /** principalId absent: a compute whose system-assigned identity is off. */
  | { readonly status: "found"; readonly principalId?: string }
  | { readonly status: "not-found" }
  /** A resource type verify knows no api-version for. */
  | { readonly status: "unsupported"; readonly reason: string };

export interface AzureReader {
  principalOf(resourceId: string): Promise<ResourcePrincipal>;
  /** The principal's role assignments at, above and below the subscription (`principalId eq` filter). */
  assignmentsOfPrincipal(subscriptionId: string, principalId: string): Promise<readonly LiveAssignment[]>;
  /** The role assignments at or above a scope (`atScope()` filter); none when the scope does not exist. */
  assignmentsAtScope(scope: string): Promise<readonly LiveAssignment[]>;
  /** Which of these Entra object ids exist, lower-cased. */
  existingObjects(objectIds: readonly string[]): Promise<ReadonlySet<string>>;
  /**
   * A KQL query's rows (the first table, keyed by column name) over the last `days` days, run
   * against a Log Analytics workspace by its resource id (`verify --usage`). Optional: only
   * --usage needs it, and readers built for the drift check need not implement it.
   */
  queryLogs?(workspaceResourceId: string, query: string, days: number): Promise<readonly LogRow[]>;
}

/** One row of a Log Analytics result, by column name. */
export type LogRow = Readonly<Record<string, unknown>>;

/** Azure could not be read: sign-in failed, or a right is missing. The message says which and the fix. */
export class AzureReadError extends Error {}

/** An assignment of an estate principal, with the subscriptions whose listing returned it. */
export interface ListedAssignment extends LiveAssignment {
  /** A management-group assignment applies to these subscriptions (the listing knows the hierarchy; verify does not). */
  readonly listedFor: readonly string[];
}

export type LivePrincipal =
  | { readonly state: "found"; readonly principalId: string; readonly assignments: readonly ListedAssignment[] }
  | { readonly state: "gone"; readonly reason: string }
  | { readonly state: "unverifiable"; readonly reason: string };

/** What Azure holds for one access report: the input of the comparison (./drift.ts). */
export interface LiveEstate {
  /** By report identity key. */
  readonly principals: ReadonlyMap<string, LivePrincipal>;
  /** The assignments exactly at the grants' scopes, whoever holds them. */
  readonly atScopes: readonly LiveAssignment[];
  /** Object ids asked of Entra that it no longer holds, lower-cased. */
  readonly deletedObjects: ReadonlySet<string>;
}

const lower = (s: string) => s.toLowerCase();

/**
 * An Azure id as lower-cased segments (ids compare case-insensitively); undefined for what is no
 * id: relative, empty segments, `.` or `..`. `/` (the tenant root) is no segments.
 */
function segments(id: string): string[] | undefined {
  if (!id.startsWith("/")) return undefined;
  const parts = id.replace(/\/$/, "").split("/").slice(1);
  return parts.some((p) => p === "" || p === "." || p === "..") ? undefined : parts.map(lower);
}

export function sameScope(a: string, b: string): boolean {
  const [x, y] = [segments(a), segments(b)];
  return x !== undefined && y !== undefined && x.length === y.length && x.every((s, i) => s === y[i]);
}

/** Whether `ancestor` is a strictly broader scope holding `scope`, by whole segments: `/x/rg-a` never holds `/x/rg-ab`. */
export function isStrictAncestorScope(ancestor: string, scope: string): boolean {
  const [x, y] = [segments(ancestor), segments(scope)];
  return x !== undefined && y !== undefined && x.length < y.length && x.every((s, i) => s === y[i]);
}

/** The subscription an Azure id lives in, lower-cased; undefined for a management group or the tenant root. */
export function subscriptionOf(id: string): string | undefined {
  const parts = segments(id);
  return parts?.[0] === "subscriptions" && parts.length > 1 ? parts[1] : undefined;
}

/** Reads what Azure holds for the report's identities and scopes. */
export async function readLiveEstate(report: AccessReport, reader: AzureReader): Promise<LiveEstate> {
  // Literal principal ids (groups, users, service principals) exist only if Entra still holds them.
  const literalIds = report.identities.flatMap((i) =>
    i.resourceId === undefined && i.principalId ? [i.principalId] : [],
  );
  const existingLiterals = literalIds.length > 0 ? await reader.existingObjects(literalIds) : new Set<string>();
  const principals = new Map(
    await Promise.all(
      report.identities.map(async (identity) => [identity.key, await livePrincipal(identity)] as const),
    ),
  );

  async function livePrincipal(identity: ReportIdentity): Promise<LivePrincipal> {
    let principalId: string;
    if (identity.resourceId !== undefined) {
      const found = await reader.principalOf(identity.resourceId);
      if (found.status === "unsupported") return { state: "unverifiable", reason: found.reason };
      if (found.status === "not-found")
        return { state: "gone", reason: `${identity.resourceId} not found in Azure (not applied yet, or deleted)` };
      if (found.principalId === undefined)
        return {
          state: "gone",
          reason: `${identity.resourceId} has no system-assigned identity in Azure (not applied yet, or turned off)`,
        };
      principalId = found.principalId;
    } else if (identity.principalId !== undefined) {
      if (!existingLiterals.has(lower(identity.principalId)))
        return { state: "gone", reason: `${identity.kind} ${identity.principalId} no longer exists in Entra` };
      principalId = identity.principalId;
    } else {
      return {
        state: "unverifiable",
        reason: "the access report has no Azure id for it: a name it is built from is known only to Terraform",
      };
    }
    // A grant in another subscription (a shared registry, say) is listed only from that subscription.
    const subscriptions = [
      ...new Set([
        ...(report.subscriptionId === undefined ? [] : [lower(report.subscriptionId)]),
        ...[identity.resourceId, ...scopesOf(identity.key)].flatMap((id) => (id && subscriptionOf(id)) || []),
      ]),
    ].sort();
    const listings = await Promise.all(
      subscriptions.map(async (s) => ({ s, found: await reader.assignmentsOfPrincipal(s, principalId) })),
    );
    const byId = new Map<string, { assignment: LiveAssignment; listedFor: string[] }>();
    for (const { s, found } of listings)
      for (const assignment of found) {
        const entry = byId.get(lower(assignment.id)) ?? { assignment, listedFor: [] };
        entry.listedFor.push(s);
        byId.set(lower(assignment.id), entry);
      }
    const assignments = [...byId.values()].map(({ assignment, listedFor }) => ({ ...assignment, listedFor }));
    return { state: "found", principalId, assignments };
  }

  function scopesOf(identityKey: string): string[] {
    return report.grants.flatMap((g) => (g.identity === identityKey && g.scopeId !== undefined ? [g.scopeId] : []));
  }

  const scopes = [
    ...new Map(report.grants.flatMap((g) => (g.scopeId ? [[lower(g.scopeId), g.scopeId]] : []))).values(),
  ];
  // atScope() lists inherited assignments too; the estate's own scopes are those exactly at a grant's.
  const atScopes = (
    await Promise.all(
      scopes.map(async (scope) => (await reader.assignmentsAtScope(scope)).filter((a) => sameScope(a.scope, scope))),
    )
  ).flat();
  // Whether an unknown holder still exists: estate principals just found need no second look.
  const known = new Set([...principals.values()].flatMap((p) => (p.state === "found" ? [lower(p.principalId)] : [])));
  const unknown = [...new Set(atScopes.map((a) => lower(a.principalId)).filter((id) => !known.has(id)))].sort();
  const existing = unknown.length > 0 ? await reader.existingObjects(unknown) : new Set<string>();
  const deletedObjects = new Set([
    ...unknown.filter((id) => !existing.has(id)),
    ...literalIds.map(lower).filter((id) => !existingLiterals.has(id)),
  ]);
  return { principals, atScopes, deletedObjects };
}
