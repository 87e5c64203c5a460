// `verify --usage`: which workload identities and logged grants were used in the last N days, from
// the audit workspace's logs. An identity with no successful token acquisition is a cleanup
// candidate; a logged grant with no data operation is a grant never exercised.
import type { AccessReport } from "../../constructs";
import { tokenAcquisitionsQuery } from "../../constructs/internal/audit/kql";
import { AzureReadError, AzureReader, LogRow } from "./live-estate";

export interface IdentityUsage {
  readonly key: string;
  readonly name: string;
  readonly principalId: string;
  /** Successful token acquisitions in the window. */
  readonly signIns: number;
  readonly grants: readonly GrantUsage[];
}

export interface GrantUsage {
  readonly target: string;
  readonly resourceId: string;
  /** Data operations on the target in the window. */
  readonly operations: number;
}

export interface UsageReport {
  readonly environment: string;
  readonly days: number;
  readonly auditWorkspace: string;
  /** Every identity signed in and every logged grant was used. */
  readonly allUsed: boolean;
  readonly identities: readonly IdentityUsage[];
  /** Workload identities not checked: their principal could not be resolved in Azure. */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
}

/** The report's data-operations query with the principal's object id in place of its name-based lookup. */
export function withObjectId(query: string, objectId: string): string {
  // The report's queries find the principal by the name it signs in with (written before apply, when
  // no id exists): their first line is `let oid = toscalar(...);`. With the id known, that line
  // becomes the literal, as `dataOperationsQuery(log, resourceId, { objectId })` writes it; the
  // rest (appId from sign-ins, the target's table and caller filter) is unchanged.
  const [first, ...rest] = query.split("\n");
  if (!/^let oid = .*;$/.test(first))
    throw new Error(`the report's query does not start with \`let oid = ...;\`: ${first}`);
  return [`let oid = ${JSON.stringify(objectId)};`, ...rest].join("\n");
}

const total = (rows: readonly LogRow[], column: string) =>
  rows.reduce((sum, row) => sum + (Number(row[column]) || 0), 0);

export async function readUsage(
  report: AccessReport & { auditWorkspace: string },
  reader: AzureReader,
  days: number,
): Promise<UsageReport> {
  const workspace = report.auditWorkspace;
  const query = async (kql: string) => {
    if (!reader.queryLogs) throw new AzureReadError("this Azure reader cannot query Log Analytics");
    return reader.queryLogs(workspace, kql, days);
  };
  const workloads = report.identities.filter((i) => i.access === "workload" && i.resourceId !== undefined);
  const results = await Promise.all(
    workloads.map(async (identity): Promise<IdentityUsage | { key: string; reason: string }> => {
      const found = await reader.principalOf(identity.resourceId!);
      if (found.status === "unsupported") return { key: identity.key, reason: found.reason };
      if (found.status === "not-found" || found.principalId === undefined)
        return { key: identity.key, reason: `${identity.resourceId} has no principal in Azure (not applied yet?)` };
      const objectId = found.principalId;
      const signIns = total(await query(tokenAcquisitionsQuery({ objectId })), "signIns");
      const grants = await Promise.all(
        (identity.queries?.dataOperations ?? []).map(async (q) => ({
          target: q.target,
          resourceId: q.resourceId,
          operations: total(await query(withObjectId(q.query, objectId)), "operations"),
        })),
      );
      return { key: identity.key, name: identity.name, principalId: objectId, signIns, grants };
    }),
  );
  const identities = results.filter((r): r is IdentityUsage => "principalId" in r);
  const skipped = results.filter((r): r is { key: string; reason: string } => "reason" in r);
  const allUsed = identities.every((i) => i.signIns > 0 && i.grants.every((g) => g.operations > 0));
  return { environment: report.environment, days, auditWorkspace: workspace, allUsed, identities, skipped };
}

export function renderUsage(usage: UsageReport): string {
  const unused = usage.identities.filter((i) => i.signIns === 0);
  const unexercised = usage.identities.flatMap((i) =>
    i.grants.filter((g) => g.operations === 0).map((g) => ({ identity: i, grant: g })),
  );
  const lines = [`# Usage of ${usage.environment} in the last ${usage.days} days`, ""];
  lines.push(
    usage.allUsed
      ? `Every identity signed in and every logged grant was used (${usage.identities.length} identities checked).`
      : `${unused.length} identities never signed in, ${unexercised.length} grants never exercised.`,
    "",
  );
  if (unused.length > 0) {
    lines.push("## Identities with no successful token acquisition (cleanup candidates)", "");
    for (const i of unused) lines.push(`- ${i.name} (\`${i.key}\`, principal ${i.principalId})`);
    lines.push("");
  }
  if (unexercised.length > 0) {
    lines.push("## Grants never exercised", "");
    for (const { identity, grant } of unexercised)
      lines.push(`- ${identity.name}: ${grant.target} (\`${grant.resourceId}\`)`);
    lines.push("");
  }
  if (usage.skipped.length > 0) {
    lines.push("## Not checked", "");
    for (const s of usage.skipped) lines.push(`- \`${s.key}\`: ${s.reason}`);
    lines.push("");
  }
  return lines.join("\n");
}
