// `verify --migration`: whether each migration the stack declares may move to its next phase,
// proven by the logs, not by the app seeming fine: the identity acquired tokens for the target
// (the tenant's managed-identity sign-ins), and no request reached the target with a key or SAS
// (the target's own logs). A conversion is ready when the user-assigned identity signs in and
// the system-assigned one no longer does. Where a log is missing, the answer is "cannot tell".
import type { AccessReport, ReportMigration } from "../../constructs";
import { keyMigrationOf } from "../../constructs/azure";
import { keyUseQuery, migrationSignInsQuery } from "../../constructs/reports";
import { AzureReadError, AzureReader, LogRow } from "./live-estate";
import { withObjectId } from "./usage";

export type Verdict = "ready" | "not-ready" | "cannot-tell" | "final";

/** What the logs said: counts in the window, and the latest time each happened (null: never, or not read). */
export interface MigrationEvidence {
  /** Successful token acquisitions of the identities that must carry the load; null when not read. */
  readonly tokenAcquisitions: number | null;
  readonly lastTokenAcquisition: string | null;
  /** Key- or SAS-based requests at the target (secret migrations); null when not read. */
  readonly keyRequests?: number | null;
  readonly lastKeyRequest?: string | null;
  /** Sign-ins of the system-assigned identities a conversion drops; null when not read. */
  readonly retiringSignIns?: number | null;
  readonly lastRetiringSignIn?: string | null;
}

export interface MigrationVerdict {
  readonly constructPath: string;
  readonly kind: ReportMigration["kind"];
  readonly workload: string;
  /** The setting and target, or the computes being converted. */
  readonly subject: string;
  readonly phase: string;
  readonly next?: string;
  readonly verdict: Verdict;
  /** Why, in sentences: what the logs showed, or what could not be read. */
  readonly reasons: readonly string[];
  readonly evidence?: MigrationEvidence;
}

export interface MigrationReport {
  readonly environment: string;
  readonly days: number;
  /** Every migration is ready to advance or in its final phase. */
  readonly allReady: boolean;
  readonly migrations: readonly MigrationVerdict[];
}

const total = (rows: readonly LogRow[], column: string) =>
  rows.reduce((sum, row) => sum + (Number(row[column]) || 0), 0);

/** The latest of the rows' `last` values (ISO times compare as text); null when none. */
function latest(rows: readonly LogRow[]): string | null {
  const times = rows.map((r) => r.last).filter((t): t is string => typeof t === "string" && t !== "");
  return times.length === 0 ? null : times.sort().at(-1)!;
}

const latestOf = (...times: (string | null)[]) =>
  times
    .filter((t): t is string => t !== null)
    .sort()
    .at(-1) ?? null;

/** A count and the latest time, or why it could not be read. */
type Reading = { readonly count: number; readonly last: string | null } | { readonly unknown: string };

const subjectOf = (m: ReportMigration) =>
  m.kind === "secret"
    ? `${m.setting} on ${m.target?.label ?? "its target"}`
    : `${m.computes.join(", ")} to a user-assigned identity`;

export async function readMigrations(
  report: AccessReport & { auditWorkspace?: string },
  reader: AzureReader,
  days: number,
): Promise<MigrationReport> {
  const query = async (where: string, kql: string) => {
    if (!reader.queryLogs) throw new AzureReadError("this Azure reader cannot query Log Analytics");
    return reader.queryLogs(where, kql, days);
  };
  const byKey = new Map(report.identities.map((i) => [i.key, i]));

  /** The identities' successful sign-ins (optionally for one Entra resource), summed over them. */
  const signIns = async (keys: readonly string[], appId?: string): Promise<Reading> => {
    if (report.signInWorkspace === undefined)
      return {
        unknown:
          "no workspace receives the tenant's managed-identity sign-ins (Entra ManagedIdentitySignInLogs): name it in auditLogs.signInWorkspaceId",
      };
    let count = 0;
    let last: string | null = null;
    for (const key of keys) {
      const identity = byKey.get(key);
      if (identity?.resourceId === undefined)
        return { unknown: `${key} is no identity of the report with a resource id` };
      const found = await reader.principalOf(identity.resourceId);
      if (found.status === "unsupported") return { unknown: found.reason };
      if (found.status === "not-found" || found.principalId === undefined)
        return { unknown: `${identity.resourceId} has no principal in Azure (not applied yet?)` };
      try {
        const rows = await query(
          report.signInWorkspace,
          withObjectId(migrationSignInsQuery({ signInName: identity.name }, appId), found.principalId),
        );
        count += total(rows, "signIns");
        last = latestOf(last, latest(rows));
      } catch (e) {
        if (!(e instanceof AzureReadError)) throw e;
        return { unknown: `the sign-ins could not be read: ${e.message}` };
      }
    }
    return { count, last };
  };

  /**
   * Requests at the target made with a key or SAS, over the target's key-use logs. The queries are
   * built here from the target's service and its checked id, never taken as the report writes
   * them: the report is a file, and a query in it could read anything the reader may read.
   */
  const keyRequests = async (m: ReportMigration): Promise<Reading> => {
    const keys = m.target && keyMigrationOf(m.target.address.replace(/\.[^.]*$/, ""));
    if (!keys) return { unknown: `no service declares key-use evidence for ${m.target?.address ?? "the target"}` };
    if ("gap" in keys.keyUse) return { unknown: `the target records no authentication type: ${keys.keyUse.gap}` };
    if (m.target?.resourceId === undefined) return { unknown: "the target's Azure id is not known before apply" };
    if (report.auditWorkspace === undefined) return { unknown: "the environment has no audit workspace" };
    let count = 0;
    let last: string | null = null;
    for (const q of keys.keyUse.map((log) => ({ table: log.table, query: keyUseQuery(log, m.target!.resourceId!) }))) {
      try {
        const rows = await query(report.auditWorkspace, q.query);
        count += total(rows, "requests");
        last = latestOf(last, latest(rows));
      } catch (e) {
        if (!(e instanceof AzureReadError)) throw e;
        return { unknown: `${q.table} could not be read (no diagnostic setting sends it, or no access): ${e.message}` };
      }
    }
    return { count, last };
  };

  const judge = async (m: ReportMigration): Promise<MigrationVerdict> => {
    const head = {
      constructPath: m.constructPath,
      kind: m.kind,
      workload: m.workload,
      subject: subjectOf(m),
      phase: m.phase,
      ...(m.next === undefined ? {} : { next: m.next }),
    };
    if (m.next === undefined)
      return {
        ...head,
        verdict: "final",
        reasons: ["in its final phase: delete the migration's declaration once the report lists nothing to revoke"],
      };
    const days_ = `${days} days`;
    // The Entra resource, too, is the service's, not the file's.
    const tokenResource =
      m.kind === "secret" && m.target
        ? keyMigrationOf(m.target.address.replace(/\.[^.]*$/, ""))?.tokenResource
        : undefined;
    const carried = await signIns(m.carriers, tokenResource?.appId);
    const other = m.kind === "secret" ? await keyRequests(m) : await signIns(m.retiring);
    const reasons: string[] = [];
    const unknown = [carried, other].flatMap((r) => ("unknown" in r ? [r.unknown] : []));
    const resource = tokenResource?.displayName ?? "the target";
    if ("count" in carried && carried.count === 0)
      reasons.push(
        m.kind === "secret"
          ? `the identity acquired no token for ${resource} in ${days_}: the app still runs on the secret`
          : `the user-assigned identity acquired no token in ${days_}: the code does not use it yet`,
      );
    if ("count" in other && other.count > 0)
      reasons.push(
        m.kind === "secret"
          ? `key-based requests still reach ${m.target?.label ?? "the target"}: ${other.count} in ${days_}, last ${other.last ?? "unknown"}`
          : `the system-assigned identity still signs in: ${other.count} times in ${days_}, last ${other.last ?? "unknown"}`,
      );
    const evidence: MigrationEvidence = {
      tokenAcquisitions: "count" in carried ? carried.count : null,
      lastTokenAcquisition: "count" in carried ? carried.last : null,
      ...(m.kind === "secret"
        ? { keyRequests: "count" in other ? other.count : null, lastKeyRequest: "count" in other ? other.last : null }
        : {
            retiringSignIns: "count" in other ? other.count : null,
            lastRetiringSignIn: "count" in other ? other.last : null,
          }),
    };
    // A reason not to advance is known even when another reading is missing: that is "not ready".
    if (reasons.length > 0) return { ...head, verdict: "not-ready", reasons: [...reasons, ...unknown], evidence };
    if (unknown.length > 0) return { ...head, verdict: "cannot-tell", reasons: unknown, evidence };
    return {
      ...head,
      verdict: "ready",
      reasons: [
        m.kind === "secret"
          ? `the identity acquired ${(carried as { count: number }).count} tokens for ${resource} in ${days_} and no request used a key: declare phase ${m.next}`
          : `only the user-assigned identity signed in during ${days_}: declare phase ${m.next}`,
      ],
      evidence,
    };
  };

  const migrations: MigrationVerdict[] = [];
  for (const m of report.migrations ?? []) migrations.push(await judge(m));
  return {
    environment: report.environment,
    days,
    allReady: migrations.every((m) => m.verdict === "ready" || m.verdict === "final"),
    migrations,
  };
}

const TITLES: Readonly<Record<Verdict, string>> = {
  ready: "ready to advance",
  "not-ready": "not ready",
  "cannot-tell": "cannot tell",
  final: "in its final phase",
};

export function renderMigrations(report: MigrationReport): string {
  const lines = [`# Migrations of ${report.environment}, from the last ${report.days} days of logs`, ""];
  if (report.migrations.length === 0) {
    lines.push("The environment declares no migration.", "");
    return lines.join("\n");
  }
  const count = (v: Verdict) => report.migrations.filter((m) => m.verdict === v).length;
  lines.push(
    `${count("ready")} ready to advance, ${count("not-ready")} not ready, ${count("cannot-tell")} cannot tell, ${count("final")} in their final phase.`,
    "",
  );
  for (const m of report.migrations) {
    lines.push(
      `## ${m.workload}: ${m.subject} (${m.kind}, phase ${m.phase}${m.next ? ` → ${m.next}` : ""}): ${TITLES[m.verdict]}`,
      "",
      `Declared at \`${m.constructPath}\`.`,
      "",
      ...m.reasons.map((r) => `- ${r}`),
    );
    if (m.evidence) {
      const e = m.evidence;
      const shown = (n: number | null | undefined, last: string | null | undefined) =>
        n === null || n === undefined ? "not read" : `${n}${last ? `, last ${last}` : ""}`;
      lines.push(`- Token acquisitions: ${shown(e.tokenAcquisitions, e.lastTokenAcquisition)}`);
      if (m.kind === "secret") lines.push(`- Key-based requests: ${shown(e.keyRequests, e.lastKeyRequest)}`);
      else lines.push(`- Sign-ins of the system identity: ${shown(e.retiringSignIns, e.lastRetiringSignIn)}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
