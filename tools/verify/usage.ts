// `verify --usage`: which workload identities and logged grants were used in the last N days, from
// the audit workspace's logs and the workspace that receives the tenant's managed-identity
// sign-ins. An identity with no successful token acquisition is a cleanup candidate; a logged
// grant with no data operation is a grant never exercised. Where no workspace receives the
// sign-ins, nothing says whether an identity signed in: that is "cannot tell", never "unused".
import type { AccessReport } from "../../constructs";
import { isGuid } from "../../constructs/azure";
import { kqlString, tokenAcquisitionsQuery } from "../../constructs/reports";
import { AzureReadError, AzureReader, LogRow } from "./live-estate";

export interface IdentityUsage {
  readonly key: string;
  readonly name: string;
  readonly principalId: string;
  /** Successful token acquisitions in the window; null when no workspace receives the tenant's sign-ins. */
  readonly signIns: number | null;
  readonly grants: readonly GrantUsage[];
}

export interface GrantUsage {
  readonly target: string;
  readonly resourceId: string;
  /** Data operations on the target in the window; null when its log names callers by an id only the sign-ins hold. */
  readonly operations: number | null;
}

export interface UsageReport {
  readonly environment: string;
  readonly days: number;
  readonly auditWorkspace: string;
  /** Where the token acquisitions were read; absent when no workspace receives the tenant's sign-ins. */
  readonly signInWorkspace?: string;
  /** Every identity signed in and every logged grant was used (none of it unknown). */
  readonly allUsed: boolean;
  readonly identities: readonly IdentityUsage[];
  /** Workload identities not checked: their principal could not be resolved in Azure. */
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
}

/** The report's data-operations query with the principal's object id in place of its name-based lookup. */
export function withObjectId(query: string, objectId: string): string {
  // The report's queries find the principal by the name it signs in with (written before apply, when
  // no id exists): their first line is `let oid = ...;`. With the id known, that line becomes the
  // literal, as `dataOperationsQuery(log, resource, { objectId }, source)` writes it; the rest (appId
  // from sign-ins, the target's table and caller filter) is unchanged. The id comes from Azure, but
  // is checked all the same: only a GUID goes into KQL.
  if (!isGuid(objectId))
    throw new AzureReadError(`Azure returned a principal id that is no GUID: ${JSON.stringify(objectId)}`);
  const [first, ...rest] = query.split("\n");
  if (!/^let oid = .*;$/.test(first))
    throw new Error(`the report's query does not start with \`let oid = ...;\`: ${first}`);
  return [`let oid = ${kqlString(objectId)};`, ...rest].join("\n");
}

const total = (rows: readonly LogRow[], column: string) =>
  rows.reduce((sum, row) => sum + (Number(row[column]) || 0), 0);

export async function readUsage(
  report: AccessReport & { auditWorkspace: string },
  reader: AzureReader,
  days: number,
): Promise<UsageReport> {
  const workspace = report.auditWorkspace;
  const { signInWorkspace } = report;
  const query = async (where: string, kql: string) => {
    if (!reader.queryLogs) throw new AzureReadError("this Azure reader cannot query Log Analytics");
    return reader.queryLogs(where, kql, days);
  };
  const workloads = report.identities.filter((i) => i.access === "workload" && i.resourceId !== undefined);
  const results = await Promise.all(
    workloads.map(async (identity): Promise<IdentityUsage | { key: string; reason: string }> => {
      const found = await reader.principalOf(identity.resourceId!);
      if (found.status === "unsupported") return { key: identity.key, reason: found.reason };
      if (found.status === "not-found" || found.principalId === undefined)
        return { key: identity.key, reason: `${identity.resourceId} has no principal in Azure (not applied yet?)` };
      const objectId = found.principalId;
      // Token acquisitions are where the tenant exports them, which may be another environment's workspace.
      const signIns =
        signInWorkspace === undefined
          ? null
          : total(await query(signInWorkspace, tokenAcquisitionsQuery({ objectId })), "signIns");
      const grants = await Promise.all(
        (identity.queries?.dataOperations ?? []).map(async (q) => ({
          target: q.target,
          resourceId: q.resourceId,
          // A log that names callers by client id needs the sign-ins to learn it.
          operations:
            signInWorkspace === undefined && (q.identifiedBy ?? []).includes("appId")
              ? null
              : total(await query(workspace, withObjectId(q.query, objectId)), "operations"),
        })),
      );
      return { key: identity.key, name: identity.name, principalId: objectId, signIns, grants };
    }),
  );
  const identities = results.filter((r): r is IdentityUsage => "principalId" in r);
  const skipped = results.filter((r): r is { key: string; reason: string } => "reason" in r);
  const allUsed = identities.every(
    (i) => i.signIns !== null && i.signIns > 0 && i.grants.every((g) => g.operations !== null && g.operations > 0),
  );
  return {
    environment: report.environment,
    days,
    auditWorkspace: workspace,
    ...(signInWorkspace === undefined ? {} : { signInWorkspace }),
    allUsed,
    identities,
    skipped,
  };
}

export function renderUsage(usage: UsageReport): string {
  const unused = usage.identities.filter((i) => i.signIns === 0);
  const unexercised = usage.identities.flatMap((i) =>
    i.grants.filter((g) => g.operations === 0).map((g) => ({ identity: i, grant: g })),
  );
  const unknown = usage.identities.flatMap((i) =>
    i.grants.filter((g) => g.operations === null).map((g) => ({ identity: i, grant: g })),
  );
  const lines = [`# Usage of ${usage.environment} in the last ${usage.days} days`, ""];
  const signInsUnknown = usage.signInWorkspace === undefined;
  lines.push(
    usage.allUsed
      ? `Every identity signed in and every logged grant was used (${usage.identities.length} identities checked).`
      : signInsUnknown
        ? `Cannot tell whether the ${usage.identities.length} identities signed in; ${unexercised.length} grants never exercised.`
        : `${unused.length} identities never signed in, ${unexercised.length} grants never exercised.`,
    "",
  );
  if (signInsUnknown && usage.identities.length > 0) {
    lines.push(
      "## Sign-ins: cannot tell",
      "",
      "No workspace receives the tenant's managed-identity sign-ins (Entra `ManagedIdentitySignInLogs`), so no identity can be called unused: export them to one workspace and name it in the stack's `auditLogs.signInWorkspaceId`.",
      "",
    );
  }
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
  if (unknown.length > 0) {
    lines.push("## Grants whose use cannot be told (their log names callers by client id, known from sign-ins)", "");
    for (const { identity, grant } of unknown)
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
