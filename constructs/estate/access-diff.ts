import {
  AccessReport,
  ConditionSummary,
  describeValueSet,
  PermissionSummary,
  ReportGrant,
  ReportIdentity,
} from "./access-report";
import { ValueSet } from "../internal/abac/analysis";
import { MANAGED_IDENTITY_KINDS } from "../internal/estate/estate-model";
import { byKeys } from "../internal/ordering";
import { tableCell as cell } from "../internal/estate/markdown";

/** What makes a change widen access; any of them makes the diff exit 1. */
export type Broadening =
  | "broader role"
  | "other role"
  | "broader scope"
  | "new privileged role"
  | "new federated trust"
  | "principal outside the estate"
  | "wider condition";

export interface GrantChange {
  readonly kind: "added" | "removed" | "changed";
  readonly identity: string;
  readonly before?: ReportGrant;
  readonly after?: ReportGrant;
  readonly broadening: readonly Broadening[];
  /** What a widened condition now allows that it did not: "may assign Storage Blob Data Contributor". */
  readonly widened?: readonly string[];
}

export interface IdentityChange {
  readonly kind: "destroyed" | "replaced";
  readonly identity: ReportIdentity;
  readonly why: string;
  /** Grants the old principal held: lost on apply, and re-made for the new principal if still declared. */
  readonly grants: readonly ReportGrant[];
}

export interface TrustChange {
  readonly kind: "added" | "removed";
  readonly identity: string;
  readonly issuer: string;
  readonly subject: string;
}

export interface EnvironmentDiff {
  readonly environment: string;
  readonly grants: readonly GrantChange[];
  readonly identities: readonly IdentityChange[];
  readonly trusts: readonly TrustChange[];
  readonly broadens: boolean;
}

const EMPTY = (environment: string): AccessReport => ({ environment, identities: [], grants: [], databaseUsers: [] });

/** How much a role can do: read < write < all data and its access < change the resource or access. */
function roleRank(g: ReportGrant): number {
  if (g.plane === "privileged") return g.conditionLimits ? 3 : 4;
  if (g.plane === "data (broad)") return 3;
  return /Contributor|Officer|Writer|Push|Sender|Processor|Operator/.test(g.role) ? 2 : 1;
}

/** How far a scope reaches: a sub-resource < a resource < a resource group < a subscription < a management group. */
function scopeRank(g: ReportGrant): number {
  const levels: Record<string, number> = { resource: 2, resourceGroup: 3, subscription: 4, managementGroup: 5 };
  const subResource = g.scopeLevel === "resource" && g.target.includes(" of ");
  return subResource ? 1 : (levels[g.scopeLevel] ?? 2);
}

/** Values `after` allows that `before` did not, in words; empty when it allows nothing new. */
function newlyAllowed(before: ValueSet, after: ValueSet, what: string): string[] {
  if (before.kind === "any" || (after.kind === "only" && after.values.length === 0)) return [];
  if (after.kind === "any") return [`any ${what}`];
  if (after.kind === "only")
    return before.kind === "only"
      ? after.values.filter((v) => !before.values.includes(v))
      : after.values.filter((v) => before.values.includes(v));
  if (before.kind === "anyExcept") return before.values.filter((v) => !after.values.includes(v));
  return [describeValueSet(after, what)];
}

function permissionWidening(verb: string, before: PermissionSummary, after: PermissionSummary): string[] {
  return [
    ...newlyAllowed(before.roles, after.roles, "role").map((r) => `may ${verb} ${r}`),
    ...newlyAllowed(before.principalTypes, after.principalTypes, "principal type").map((t) => `may ${verb} to ${t}`),
    ...newlyAllowed(before.principalIds, after.principalIds, "principal").map((p) => `may ${verb} to ${p}`),
  ];
}

/** What a condition allows after a change that it did not before: roles, principal types, principals. */
function conditionWidening(before: ConditionSummary | undefined, after: ConditionSummary | undefined): string[] {
  if (!before) return [];
  if (!after) return ["no condition any more"];
  if (before.parsed && !after.parsed) return ["condition cannot be parsed any more, so it limits nothing"];
  return [
    ...permissionWidening("assign", before.assign, after.assign),
    ...permissionWidening("remove", before.remove, after.remove),
  ];
}

const outsideEstate = (g: ReportGrant) => !MANAGED_IDENTITY_KINDS.has(g.principalKind);

export function diffAccess(
  environment: string,
  baseReport: AccessReport | undefined,
  headReport: AccessReport | undefined,
): EnvironmentDiff {
  const base = baseReport ?? EMPTY(environment);
  const head = headReport ?? EMPTY(environment);
  // Grants are compared by the identity's kind, resource group and name, the target and the role:
  // stable across construct renames, distinct for same-named identities in different places.
  const stableIn = (report: AccessReport) => new Map(report.identities.map((i) => [i.key, i.stableKey]));
  const nameIn = (report: AccessReport) => new Map(report.identities.map((i) => [i.key, i.name]));
  const [baseStable, headStable] = [stableIn(base), stableIn(head)];
  const [baseNames, headNames] = [nameIn(base), nameIn(head)];
  const keyOf = (stable: Map<string, string>) => (g: ReportGrant) =>
    `${stable.get(g.identity) ?? g.identity}|${g.target}|${g.roleGuid}`;
  const baseKeys = new Map(base.grants.map((g) => [keyOf(baseStable)(g), g]));
  const headKeys = new Map(head.grants.map((g) => [keyOf(headStable)(g), g]));
  const removed = [...baseKeys].filter(([k]) => !headKeys.has(k)).map(([, g]) => g);
  const added = [...headKeys].filter(([k]) => !baseKeys.has(k)).map(([, g]) => g);

  const grants: GrantChange[] = [];
  // Same identity, target and role: only the condition (or the wording) can have changed.
  for (const [key, after] of headKeys) {
    const before = baseKeys.get(key);
    const widened = before ? conditionWidening(before.conditionAllows, after.conditionAllows) : [];
    const lostLimit = before?.conditionLimits === true && after.conditionLimits !== true;
    if (widened.length > 0 || lostLimit) {
      const identity = headNames.get(after.identity) ?? after.identity;
      grants.push({
        kind: "changed",
        identity,
        before,
        after,
        broadening: ["wider condition", ...(lostLimit ? (["broader role"] as const) : [])],
        widened,
      });
    }
  }
  for (const after of added) {
    const identity = headNames.get(after.identity) ?? after.identity;
    const sameIdentity = (g: ReportGrant) =>
      (baseStable.get(g.identity) ?? g.identity) === (headStable.get(after.identity) ?? after.identity);
    const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);
    const related = (g: ReportGrant) => within(g.scope, after.scope) || within(after.scope, g.scope);
    const before =
      removed.find((g) => sameIdentity(g) && g.target === after.target) ??
      removed.find((g) => sameIdentity(g) && g.roleGuid === after.roleGuid) ??
      removed.find((g) => sameIdentity(g) && related(g));
    if (before) {
      removed.splice(removed.indexOf(before), 1);
      const broadening: Broadening[] = [];
      if (roleRank(after) > roleRank(before)) broadening.push("broader role");
      // Roles of one rank reach different data (secrets, keys, certificates): a swap is new access.
      else if (roleRank(after) === roleRank(before) && after.roleGuid !== before.roleGuid)
        broadening.push("other role");
      if (scopeRank(after) > scopeRank(before)) broadening.push("broader scope");
      if (outsideEstate(after) && !outsideEstate(before)) broadening.push("principal outside the estate");
      const widened = conditionWidening(before.conditionAllows, after.conditionAllows);
      if (widened.length > 0) broadening.push("wider condition");
      grants.push({ kind: "changed", identity, before, after, broadening, widened });
    } else {
      const broadening: Broadening[] = [];
      if (roleRank(after) >= 3) broadening.push("new privileged role");
      if (scopeRank(after) >= 3) broadening.push("broader scope");
      if (outsideEstate(after)) broadening.push("principal outside the estate");
      grants.push({ kind: "added", identity, after, broadening });
    }
  }
  for (const before of removed)
    grants.push({
      kind: "removed",
      identity: baseNames.get(before.identity) ?? before.identity,
      before,
      broadening: [],
    });

  const identities: IdentityChange[] = [];
  for (const old of base.identities) {
    const kept = head.identities.find((i) => i.key === old.key);
    const held = base.grants.filter((g) => g.identity === old.key);
    if (kept && kept.replaceKey === old.replaceKey) continue;
    const moved = head.identities.find((i) => i.key !== old.key && i.replaceKey === old.replaceKey);
    if (kept)
      identities.push({
        kind: "replaced",
        identity: old,
        why: "its name, resource group or location changed, which forces a new resource",
        grants: held,
      });
    else if (moved)
      identities.push({
        kind: "replaced",
        identity: old,
        why: `its Terraform address changed to \`${moved.key}\`: pin the address (\`logicalId\`) or add a moved block`,
        grants: held,
      });
    else identities.push({ kind: "destroyed", identity: old, why: "it is no longer declared", grants: held });
  }

  const trustsOf = (report: AccessReport) =>
    report.identities.flatMap((i) =>
      i.federatedTrusts.map((t) => ({ identity: i.name, ...t, key: `${i.name}|${t.issuer}|${t.subject}` })),
    );
  const [baseTrusts, headTrusts] = [trustsOf(base), trustsOf(head)];
  const trusts: TrustChange[] = [
    ...headTrusts
      .filter((t) => !baseTrusts.some((b) => b.key === t.key))
      .map(({ identity, issuer, subject }) => ({ kind: "added" as const, identity, issuer, subject })),
    ...baseTrusts
      .filter((t) => !headTrusts.some((h) => h.key === t.key))
      .map(({ identity, issuer, subject }) => ({ kind: "removed" as const, identity, issuer, subject })),
  ];
  const order = (c: GrantChange) => `${c.identity}|${(c.after ?? c.before)!.target}|${c.kind}`;
  grants.sort(byKeys(order));
  return {
    environment,
    grants,
    identities,
    trusts,
    broadens: grants.some((g) => g.broadening.length > 0) || trusts.some((t) => t.kind === "added"),
  };
}

const DIFF_MARKER = "<!-- identity-access-diff -->";
const scopeOf = (g: ReportGrant) => (g.scopeLevel === "resource" ? g.target : `${g.target} (**${g.scopeLevel}**)`);

/** Markdown for a pull-request comment; the marker lets a workflow update its comment in place. */
export function renderAccessDiff(diffs: readonly EnvironmentDiff[]): string {
  const changed = diffs.filter((d) => d.grants.length + d.identities.length + d.trusts.length > 0);
  const lines = [DIFF_MARKER, "## Access changes", ""];
  if (changed.length === 0)
    return `${[...lines, `No access changes in ${diffs.map((d) => d.environment).join(", ")}.`].join("\n")}\n`;
  const broadening = changed.filter((d) => d.broadens).map((d) => d.environment);
  lines.push(
    broadening.length > 0
      ? `**Access broadens in ${broadening.join(", ")}.** Review the rows marked below.`
      : "Access changes, and nothing broadens.",
    "",
  );
  for (const d of changed) {
    lines.push(`### ${d.environment}${d.broadens ? ": broadens access" : ""}`, "");
    if (d.grants.length > 0) {
      lines.push("| change | identity | role | target | broadening |", "|---|---|---|---|---|");
      for (const g of d.grants) {
        const role =
          g.kind === "changed" && g.before!.role !== g.after!.role
            ? `${g.before!.role} → ${g.after!.role}`
            : (g.after ?? g.before)!.role;
        const target =
          g.kind === "changed" && g.before!.target !== g.after!.target
            ? `${scopeOf(g.before!)} → ${scopeOf(g.after!)}`
            : scopeOf((g.after ?? g.before)!);
        const widened = g.widened && g.widened.length > 0 ? `: ${g.widened.join("; ")}` : "";
        lines.push(
          `| ${g.kind} | ${cell(g.identity)} | ${cell(role)} | ${cell(target)} | ${cell(`${g.broadening.map((b) => `**${b}**`).join(", ")}${widened}`)} |`,
        );
      }
      lines.push("");
    }
    for (const t of d.trusts)
      lines.push(
        `- Federated trust ${t.kind}: ${t.identity} trusts \`${t.subject}\` from ${t.issuer}${t.kind === "added" ? " (**new federated trust**)" : ""}`,
      );
    for (const i of d.identities) {
      lines.push(
        `- Identity ${i.kind}: ${i.identity.name} (\`${i.identity.key}\`): ${i.why}. Its principal changes, so its ${i.grants.length} grant(s) are lost and re-made${i.kind === "destroyed" ? " only if declared elsewhere" : ""}.`,
      );
    }
    if (d.trusts.length + d.identities.length > 0) lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
