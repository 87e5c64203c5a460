import {
  AccessReport,
  ConditionSummary,
  describeValueSet,
  PermissionSummary,
  ReportGrant,
  ReportIdentity,
  ReportMigration,
} from "./access-report";
import { isDeepStrictEqual } from "node:util";
import { ValueSet } from "../azure/abac/analysis";
import { canonicalCondition, conditionImplies } from "../azure/abac/implication";
import { permissionsOutside } from "../azure/role-permissions";
import { findRoleByGuid } from "../azure/role-catalog";
import { MANAGED_IDENTITY_KINDS, readEstate } from "../estate/estate-model";
import { byKeys } from "../core/ordering";
import { tableCell as cell } from "../core/markdown";
import { isFinalPhase, PHASES } from "../policy/migration-record";

/** What makes a change widen access; any of them makes the diff exit 1. */
export type Broadening =
  | "broader role"
  | "other role"
  | "broader scope"
  | "other scope"
  | "other principal"
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
  /**
   * What the change now allows that was not allowed: a widened condition's "may assign Storage Blob
   * Data Contributor", a role's permissions outside the old role's.
   */
  readonly widened?: readonly string[];
  /**
   * A step of a conversion to a user-assigned identity: in `both`, the user-assigned identity
   * gaining a grant the compute's system identity holds (a second holder, not new access); in
   * `user-assigned`, the system identity's grant going with it.
   */
  readonly conversion?: "second holder" | "holder removed";
}

/** A migration's step between base and head, matched by construct path and setting. */
export interface MigrationChange {
  /** `complete`: removed after its final phase; `removed`: before it. */
  readonly kind: "added" | "advanced" | "removed" | "complete" | "expiry";
  /** What moves, in words: `INVOICES_STORAGE of invoices`, `identity conversion of docs`. */
  readonly subject: string;
  readonly before?: ReportMigration;
  readonly after?: ReportMigration;
  /**
   * Why the step is refused (IG032 migration-phase): a phase skipped, or moved backwards. It fails
   * the diff as a widening does, and is never counted as narrowing.
   */
  readonly skipped?: string;
  /** A later expiry keeps what the phase accepts (a secret setting, keys on) for longer: reviewed like a new suppression. */
  readonly later?: boolean;
}

/** A database-access output whose statements are not what its grants call for (what an admin would run). */
export interface StatementChange {
  readonly output: string;
  readonly database: string;
  /** Statement lines the output holds that its grants do not call for. */
  readonly lines: readonly string[];
}

/**
 * What the guardrails wrote beside a stack (`guardrails.json`): every finding, suppressed or not,
 * every suppression, and the settings that decide which rules run.
 */
export interface GuardrailRecord {
  readonly settings: { readonly severity: string; readonly rules: Readonly<Record<string, string>> };
  readonly findings: readonly {
    readonly ruleId: string;
    readonly address: string;
    readonly message: string;
    readonly suppression?: { readonly reason: string };
  }[];
  readonly suppressions: readonly {
    readonly ruleId: string;
    readonly constructPath: string;
    readonly reason: string;
    readonly expires?: string;
  }[];
}

/** A guardrail matter new in the head; every one broadens (the guardrails let more through). */
export type GuardrailChange =
  | {
      readonly kind: "finding";
      readonly ruleId: string;
      readonly address: string;
      readonly message: string;
      readonly suppressedBy?: string;
    }
  | {
      readonly kind: "suppression";
      readonly ruleId: string;
      readonly constructPath: string;
      readonly reason: string;
      readonly expires?: string;
    }
  | { readonly kind: "setting"; readonly what: string }
  | { readonly kind: "missing" };

export interface IdentityChange {
  /** `attached`: a compute new to the identity runs as it, and gains every grant it holds (here or anywhere). */
  readonly kind: "destroyed" | "replaced" | "attached";
  readonly identity: ReportIdentity;
  readonly why: string;
  /** Grants the old principal held (lost on apply, re-made for the new one if still declared); for `attached`, those the compute gains. */
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
  /** Edited database statements: every one broadens, since nothing bounds what a statement does. */
  readonly statements: readonly StatementChange[];
  /**
   * What no rule reads (a resource the guardrails cannot judge, a module call, a variable, a local)
   * and the head adds or edits: each broadens, since neither report says what it does.
   */
  readonly unjudged: readonly string[];
  readonly guardrails: readonly GuardrailChange[];
  readonly migrations: readonly MigrationChange[];
  readonly broadens: boolean;
}

/** The two stacks' guardrail records; `head` undefined when the head stack has none. */
export interface GuardrailRecords {
  readonly base?: GuardrailRecord;
  readonly head?: GuardrailRecord;
}

const EMPTY = (environment: string): AccessReport => ({
  environment,
  identities: [],
  grants: [],
  databaseUsers: [],
  migrations: [],
});

/** Whether a new grant is privileged: all data and its access, or change the resource or access. */
function roleRank(g: ReportGrant): number {
  if (g.plane === "privileged") return g.conditionLimits ? 3 : 4;
  return g.plane === "data (broad)" ? 3 : 1;
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

/** What a role-assignment condition allows after a change that it did not before: roles, principal types, principals. */
function assignmentWidening(before: ConditionSummary | undefined, after: ConditionSummary | undefined): string[] {
  if (!before || !after) return [];
  if (before.parsed && !after.parsed) return ["condition cannot be parsed any more, so it limits nothing"];
  return [
    ...permissionWidening("assign", before.assign, after.assign),
    ...permissionWidening("remove", before.remove, after.remove),
  ];
}

/**
 * What the head's condition lets through that the base's did not, by meaning: any condition
 * (storage's container names too), not only role-assignment ones. Dropping a condition widens;
 * adding one narrows (if it parses); a changed one widens unless it provably implies the old one.
 */
function conditionWidening(before: ReportGrant, after: ReportGrant): string[] {
  const [b, a] = [before.condition, after.condition];
  if (b === undefined)
    return a === undefined || canonicalCondition(a) !== undefined ? [] : ["condition cannot be parsed"];
  if (a === undefined) return ["no condition any more"];
  if (a === b) return [];
  const words = assignmentWidening(before.conditionAllows, after.conditionAllows);
  if (words.length > 0) return words;
  if (canonicalCondition(a) === undefined) return ["condition cannot be parsed any more, so it limits nothing"];
  return conditionImplies(a, b) ? [] : ["the new condition is not provably narrower than the old one"];
}

const MAX_LISTED = 3;

/** What the head's role may do that the base's may not; a role without a catalogued permission list proves nothing. */
function roleWidening(before: ReportGrant, after: ReportGrant): { label?: Broadening; widened: string[] } {
  if (before.roleGuid === after.roleGuid && before.system === after.system) return { widened: [] };
  const [b, a] = [findRoleByGuid(before.roleGuid), findRoleByGuid(after.roleGuid)];
  if (before.system !== "azure-rbac" || after.system !== "azure-rbac" || !a || !b)
    return { label: "other role", widened: [`${after.role}: no catalogued permissions to compare`] };
  const outside = permissionsOutside(b.permissions, a.permissions);
  if (outside.length === 0) return { widened: [] };
  const more = outside.length > MAX_LISTED ? [`and ${outside.length - MAX_LISTED} more`] : [];
  return { label: "broader role", widened: [`adds ${[...outside.slice(0, MAX_LISTED), ...more].join(", ")}`] };
}

/** A segment no Azure id has: `.` and `..` climb out of the scope it seems to lie in, `%` and `\\` may decode to them. */
const ODD_SEGMENT = /^\.{0,2}$|[%\\]/;

/**
 * Whether the head's scope lies inside the base's: Azure ids ignore case, Terraform references do
 * not. A scope with an odd segment lies inside nothing but itself (a trailing `/` is no segment).
 */
function scopeWithin(after: ReportGrant, before: ReportGrant): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer ||
    (inner.startsWith(`${outer}/`) &&
      !inner
        .replace(/\/$/, "")
        .split("/")
        .slice(1)
        .some((segment) => ODD_SEGMENT.test(segment)));
  if (after.scopeId !== undefined && before.scopeId !== undefined)
    return within(after.scopeId.toLowerCase(), before.scopeId.toLowerCase());
  return within(after.scope, before.scope);
}

const outsideEstate = (g: ReportGrant) => !MANAGED_IDENTITY_KINDS.has(g.principalKind);

/**
 * The access changes between two synth outputs of one environment. With `guardrails`, the stacks'
 * guardrail records are compared too: a finding or suppression new in the head broadens.
 */
export function diffAccess(
  environment: string,
  baseReport: AccessReport | undefined,
  headReport: AccessReport | undefined,
  guardrails?: GuardrailRecords,
  stacks?: TerraformStacks,
): EnvironmentDiff {
  const base = baseReport ?? EMPTY(environment);
  const head = headReport ?? EMPTY(environment);
  // Grants are compared by the identity's kind, resource group and name, the target and the role:
  // stable across construct renames, distinct for same-named identities in different places.
  const stableIn = (report: AccessReport) => new Map(report.identities.map((i) => [i.key, i.stableKey]));
  const nameIn = (report: AccessReport) => new Map(report.identities.map((i) => [i.key, i.name]));
  const [baseStable, headStable] = [stableIn(base), stableIn(head)];
  const [baseNames, headNames] = [nameIn(base), nameIn(head)];
  // The target names a scope as a person does (`Key Vault app-kv`): a same-named vault in another
  // subscription reads alike, so the scope's Azure id tells them apart wherever the code knows it.
  const keyOf = (stable: Map<string, string>) => (g: ReportGrant) =>
    `${stable.get(g.identity) ?? g.identity}|${g.scopeId?.toLowerCase() ?? g.target}|${g.roleGuid}`;
  const baseKeys = new Map(base.grants.map((g) => [keyOf(baseStable)(g), g]));
  const headKeys = new Map(head.grants.map((g) => [keyOf(headStable)(g), g]));
  const removed = [...baseKeys].filter(([k]) => !headKeys.has(k)).map(([, g]) => g);
  const added = [...headKeys].filter(([k]) => !baseKeys.has(k)).map(([, g]) => g);

  const grants: GrantChange[] = [];
  // Same identity, target and role: only the condition (or the wording) can have changed.
  for (const [key, after] of headKeys) {
    const before = baseKeys.get(key);
    const widened = before ? conditionWidening(before, after) : [];
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
  // An assignment whose Terraform address stays while its principal changes was handed to someone else.
  const removedAddresses = new Set(removed.map((g) => g.address));
  for (const after of added) {
    const identity = headNames.get(after.identity) ?? after.identity;
    const sameIdentity = (g: ReportGrant) =>
      (baseStable.get(g.identity) ?? g.identity) === (headStable.get(after.identity) ?? after.identity);
    const related = (g: ReportGrant) => scopeWithin(g, after) || scopeWithin(after, g);
    const before =
      removed.find((g) => sameIdentity(g) && g.target === after.target) ??
      removed.find((g) => sameIdentity(g) && g.roleGuid === after.roleGuid) ??
      removed.find((g) => sameIdentity(g) && related(g));
    if (before) {
      removed.splice(removed.indexOf(before), 1);
      const broadening: Broadening[] = [];
      const role = roleWidening(before, after);
      if (role.label) broadening.push(role.label);
      if (scopeRank(after) > scopeRank(before)) broadening.push("broader scope");
      else if (!scopeWithin(after, before)) broadening.push("other scope");
      if (outsideEstate(after) && !outsideEstate(before)) broadening.push("principal outside the estate");
      const condition = conditionWidening(before, after);
      if (condition.length > 0) broadening.push("wider condition");
      grants.push({ kind: "changed", identity, before, after, broadening, widened: [...role.widened, ...condition] });
    } else {
      const broadening: Broadening[] = [];
      if (roleRank(after) >= 3) broadening.push("new privileged role");
      if (scopeRank(after) >= 3) broadening.push("broader scope");
      if (outsideEstate(after)) broadening.push("principal outside the estate");
      if (removedAddresses.has(after.address)) broadening.push("other principal");
      // The labels stay: a second holder of a privileged role is still reviewed as one.
      const second = secondHolder(after, head) ? { conversion: "second holder" as const } : {};
      grants.push({ kind: "added", identity, after, broadening, ...second });
    }
  }
  const dropped = new Set(
    (head.migrations ?? [])
      .filter((m) => m.kind === "conversion" && m.phase === "user-assigned")
      .flatMap((m) => m.retiring),
  );
  for (const before of removed)
    grants.push({
      kind: "removed",
      identity: baseNames.get(before.identity) ?? before.identity,
      before,
      broadening: [],
      ...(dropped.has(before.identity) ? { conversion: "holder removed" as const } : {}),
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
    else
      identities.push({
        kind: "destroyed",
        identity: old,
        why: dropped.has(old.key)
          ? "its compute's conversion to a user-assigned identity drops it"
          : "it is no longer declared",
        grants: held,
      });
  }
  for (const now of head.identities) {
    const was = base.identities.find((i) => i.stableKey === now.stableKey);
    const gained = now.attachedTo.filter((c) => !was?.attachedTo.includes(c));
    if (was && gained.length > 0)
      identities.push({
        kind: "attached",
        identity: now,
        why: `now runs on ${gained.join(", ")}`,
        grants: head.grants.filter((g) => g.identity === now.key),
      });
  }

  const trustsOf = (report: AccessReport) =>
    report.identities.flatMap((i) =>
      i.federatedTrusts.map((t) => ({ identity: i.name, ...t, key: `${i.stableKey}|${t.issuer}|${t.subject}` })),
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
  const statements = statementChanges(base, head);
  // A stack gone from the head has no findings left to judge.
  const guardrailChanges = guardrails && headReport ? diffGuardrails(guardrails, baseReport !== undefined) : [];
  const unjudged = stacks?.head ? unjudgedChanges(stacks.base, stacks.head) : [];
  const migrations = migrationChanges(baseReport, head, stacks);
  return {
    environment,
    grants,
    identities,
    trusts,
    statements,
    unjudged,
    guardrails: guardrailChanges,
    migrations,
    broadens:
      migrations.some((m) => m.skipped !== undefined || m.later === true) ||
      grants.some((g) => g.broadening.length > 0) ||
      identities.some((i) => i.kind === "attached") ||
      trusts.some((t) => t.kind === "added") ||
      statements.length > 0 ||
      unjudged.length > 0 ||
      guardrailChanges.length > 0,
  };
}

/** Whether a grant new in the head is one a conversion in `both` doubles: the system identity it replaces holds the same. */
function secondHolder(after: ReportGrant, head: AccessReport): boolean {
  const same = (g: ReportGrant) =>
    g.roleGuid === after.roleGuid &&
    g.system === after.system &&
    (g.scopeId?.toLowerCase() ?? g.scope) === (after.scopeId?.toLowerCase() ?? after.scope) &&
    g.condition === after.condition;
  return (head.migrations ?? []).some(
    (m) =>
      m.kind === "conversion" &&
      m.phase === "both" &&
      m.carriers.includes(after.identity) &&
      head.grants.some((g) => m.retiring.includes(g.identity) && same(g)),
  );
}

const migrationKey = (m: ReportMigration) => `${m.constructPath}|${m.setting ?? ""}`;
const subjectOf = (m: ReportMigration) =>
  m.kind === "secret" ? `${m.setting} of ${m.workload}` : `identity conversion of ${m.workload}`;

/**
 * The migrations' steps, one phase per change, forward only (IG032 migration-phase): a phase
 * skipped, a phase moved back, or a migration that first appears past its first phase on computes
 * the base already had is refused. Without the base's JSON its computes are unknown, and taken as there.
 */
function migrationChanges(
  baseReport: AccessReport | undefined,
  head: AccessReport,
  stacks: TerraformStacks | undefined,
): MigrationChange[] {
  const base = baseReport?.migrations ?? [];
  const baseComputes = stacks?.base
    ? new Set(readEstate(stacks.base).computes.map((c) => c.resource.address))
    : undefined;
  const hadComputes = (m: ReportMigration) =>
    baseReport !== undefined && (stacks === undefined || m.computes.some((c) => baseComputes?.has(c) === true));
  const changes: MigrationChange[] = [];
  for (const after of head.migrations ?? []) {
    const before = base.find((b) => migrationKey(b) === migrationKey(after));
    const subject = subjectOf(after);
    const phases = PHASES[after.kind];
    const [was, now] = [before ? phases.indexOf(before.phase) : -1, phases.indexOf(after.phase)];
    if (!before) {
      const skipped =
        now > 0 && hadComputes(after)
          ? `IG032 migration-phase: it first appears in phase ${after.phase} on computes the base already had; a migration starts in ${phases[0]}`
          : undefined;
      changes.push({ kind: "added", subject, after, ...(skipped ? { skipped } : {}) });
    } else if (now !== was) {
      const skipped =
        now < was
          ? `IG032 migration-phase: phases only move forward: re-declare (remove the migration, then declare it again from ${phases[0]})`
          : now > was + 1
            ? `IG032 migration-phase: it skips phase ${phases.slice(was + 1, now).join(", ")}; advance one phase per change`
            : undefined;
      changes.push({ kind: "advanced", subject, before, after, ...(skipped ? { skipped } : {}) });
    } else if (before.expires !== after.expires) {
      changes.push({ kind: "expiry", subject, before, after, later: after.expires > before.expires });
    }
  }
  for (const before of base.filter((b) => !(head.migrations ?? []).some((h) => migrationKey(h) === migrationKey(b))))
    changes.push({
      kind: isFinalPhase(before as Parameters<typeof isFinalPhase>[0]) ? "complete" : "removed",
      subject: subjectOf(before),
      before,
    });
  return changes.sort(
    byKeys(
      (c) => (c.after ?? c.before)!.constructPath,
      (c) => (c.after ?? c.before)!.setting ?? "",
    ),
  );
}

/** The two stacks' synthesized Terraform JSON; `head` undefined when the head has no such stack. */
export interface TerraformStacks {
  readonly base?: Readonly<Record<string, any>>;
  readonly head: Readonly<Record<string, any>>;
}

/**
 * What the head's rules cannot read: resources no rule judges, module calls, and the variables
 * and locals something refers to (an unused one changes nothing).
 */
function unjudgedIn(stack: Readonly<Record<string, any>>): string[] {
  const estate = readEstate(stack);
  const text = JSON.stringify(stack);
  const referenced = (block: unknown, prefix: string) =>
    Object.keys(block && typeof block === "object" ? block : {})
      .map((name) => `${prefix}.${name}`)
      .filter((address) => new RegExp(`\\b${address.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(text));
  return [
    ...[...estate.unreadable, ...estate.modules].map((r) => r.address),
    ...referenced(stack.variable, "var"),
    ...referenced(stack.locals, "local"),
  ];
}

/** What the stack holds at a Terraform address, as Terraform applies it; undefined when nothing. */
function valueAt(stack: Readonly<Record<string, any>>, address: string): string | undefined {
  const dot = address.indexOf(".");
  const [kind, name] = [address.slice(0, dot), address.slice(dot + 1)];
  const blocks: Readonly<Record<string, string>> = {
    var: "variable",
    local: "locals",
    output: "output",
    module: "module",
  };
  const value = Object.hasOwn(blocks, kind)
    ? (stack[blocks[kind]] as Record<string, unknown> | undefined)?.[name]
    : readEstate(stack).byAddress.get(address)?.config;
  return value === undefined ? undefined : canonicalJson(value);
}

/** Everything the head cannot judge that is new or edited since the base, sorted. */
function unjudgedChanges(
  base: Readonly<Record<string, any>> | undefined,
  head: Readonly<Record<string, any>>,
): string[] {
  return [...new Set(unjudgedIn(head))]
    .filter((address) => !base || valueAt(base, address) !== valueAt(head, address))
    .sort(byKeys((a) => a));
}

/** JSON with keys in code-point order and cdktf's `//` metadata (construct paths) left out: what Terraform applies. */
function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .filter((k) => k !== "//")
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sorted(value)) ?? "undefined";
}

/**
 * Database-access outputs whose own statements (what `terraform output` hands the administrator)
 * differ from what their grants call for, unless the base held the very same statements.
 */
function statementChanges(base: AccessReport, head: AccessReport): StatementChange[] {
  return head.databaseUsers.flatMap((d) => {
    const written = d.stepsAsWritten;
    if (!written) return [];
    const before = base.databaseUsers.find((b) => b.output === d.output);
    if (before && isDeepStrictEqual(before.stepsAsWritten ?? before.steps, written)) return [];
    const expected = new Set(d.steps.flatMap((s) => lines(s.statements).map((l) => `${s.database}|${l}`)));
    return written.map((step) => {
      const extra = lines(step.statements).filter((l) => !expected.has(`${step.database}|${l}`));
      // The same lines in another order or another database still run differently.
      return { output: d.output, database: step.database, lines: extra.length > 0 ? extra : lines(step.statements) };
    });
  });
}

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

const SEVERITY_RANK: Readonly<Record<string, number>> = { off: 0, warning: 1, error: 2 };

/**
 * Guardrail matters new in the head, each of which lets more through: a finding (suppressed or
 * not: a suppression must not hide it from review), a suppression (an exception is a decision to
 * accept a risk, so it is reviewed when it is made, before any finding needs it; a later expiry
 * is a new one), and a rule or severity turned down. A head stack without guardrails, where the
 * base had them or the stack is new, is judged as unjudged: it broadens.
 */
function diffGuardrails({ base, head }: GuardrailRecords, stackInBase: boolean): GuardrailChange[] {
  if (!head) return base || !stackInBase ? [{ kind: "missing" }] : [];
  const findingKey = (f: GuardrailRecord["findings"][number]) => `${f.ruleId}|${f.address}|${f.message}`;
  const baseFindings = new Map((base?.findings ?? []).map((f) => [findingKey(f), f]));
  const findings: GuardrailChange[] = head.findings
    .filter((f) => {
      const before = baseFindings.get(findingKey(f));
      return !before || (f.suppression !== undefined && before.suppression?.reason !== f.suppression.reason);
    })
    .map((f) => ({
      kind: "finding",
      ruleId: f.ruleId,
      address: f.address,
      message: f.message,
      ...(f.suppression ? { suppressedBy: f.suppression.reason } : {}),
    }));
  const suppressionKey = (s: GuardrailRecord["suppressions"][number]) =>
    `${s.ruleId}|${s.constructPath}|${s.reason}|${s.expires ?? ""}`;
  const baseSuppressions = new Set((base?.suppressions ?? []).map(suppressionKey));
  const suppressions: GuardrailChange[] = head.suppressions
    .filter((s) => !baseSuppressions.has(suppressionKey(s)))
    .map((s) => ({
      kind: "suppression",
      ruleId: s.ruleId,
      constructPath: s.constructPath,
      reason: s.reason,
      ...(s.expires === undefined ? {} : { expires: s.expires }),
    }));
  const settings: GuardrailChange[] = [];
  const rank = (severity: string | undefined) => SEVERITY_RANK[severity ?? ""] ?? 0;
  if (base && rank(head.settings.severity) < rank(base.settings.severity))
    settings.push({ kind: "setting", what: `severity ${head.settings.severity} (was ${base.settings.severity})` });
  for (const [ruleId, severity] of Object.entries(head.settings.rules).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const was = base?.settings.rules[ruleId];
    if (was !== severity && rank(severity) < rank(was ?? base?.settings.severity ?? "error"))
      settings.push({
        kind: "setting",
        what: `${ruleId} set to ${severity}${was === undefined ? "" : ` (was ${was})`}`,
      });
  }
  return [...findings, ...suppressions, ...settings];
}

const DIFF_MARKER = "<!-- identity-access-diff -->";
const scopeOf = (g: ReportGrant) => (g.scopeLevel === "resource" ? g.target : `${g.target} (**${g.scopeLevel}**)`);

/** Markdown for a pull-request comment; the marker lets a workflow update its comment in place. */
export function renderAccessDiff(diffs: readonly EnvironmentDiff[]): string {
  const changed = diffs.filter(
    (d) =>
      d.grants.length +
        d.identities.length +
        d.trusts.length +
        d.statements.length +
        d.unjudged.length +
        d.guardrails.length +
        d.migrations.length >
      0,
  );
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
        const step = g.conversion === undefined ? "" : ` (${g.conversion}, conversion)`;
        lines.push(
          `| ${g.kind}${step} | ${cell(g.identity)} | ${cell(role)} | ${cell(target)} | ${cell(`${g.broadening.map((b) => `**${b}**`).join(", ")}${widened}`)} |`,
        );
      }
      lines.push("");
    }
    for (const t of d.trusts)
      lines.push(
        `- Federated trust ${t.kind}: ${t.identity} trusts \`${t.subject}\` from ${t.issuer}${t.kind === "added" ? " (**new federated trust**)" : ""}`,
      );
    for (const i of d.identities) {
      if (i.kind === "attached") {
        lines.push(
          `- Identity attached: ${i.identity.name} ${i.why}, which gains its ${i.grants.length} grant(s) (**new attachment**)`,
        );
        continue;
      }
      lines.push(
        `- Identity ${i.kind}: ${i.identity.name} (\`${i.identity.key}\`): ${i.why}. Its principal changes, so its ${i.grants.length} grant(s) are lost and re-made${i.kind === "destroyed" ? " only if declared elsewhere" : ""}.`,
      );
    }
    if (d.trusts.length + d.identities.length > 0) lines.push("");
    for (const g of d.guardrails) lines.push(`- ${guardrailLine(g)}`);
    for (const u of d.unjudged)
      lines.push(`- New or edited in the head, and read by no rule: \`${cell(u)}\` (**unjudged change**)`);
    if (d.guardrails.length + d.unjudged.length > 0) lines.push("");
    for (const m of d.migrations) lines.push(`- ${migrationLine(m)}`);
    if (d.migrations.length > 0) lines.push("");
    for (const st of d.statements) {
      lines.push(
        `- Database statements edited: output \`${cell(st.output)}\` holds, for database \`${cell(st.database)}\`, statements its grants do not call for (**edited statements**):`,
        "",
        ...fenced(st.lines),
        "",
      );
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function migrationLine(m: MigrationChange): string {
  const refused = m.skipped === undefined ? "" : ` (**phase skipped**: ${cell(m.skipped)})`;
  const subject = cell(m.subject);
  switch (m.kind) {
    case "added":
      return `Migration declared: ${subject}, phase ${cell(m.after!.phase)}, until ${cell(m.after!.expires)}${refused}`;
    case "advanced":
      return `Migration phase change: ${subject}: phase ${cell(m.before!.phase)} → ${cell(m.after!.phase)}${refused}`;
    case "expiry":
      return `Migration expiry moved: ${subject}: ${cell(m.before!.expires)} → ${cell(m.after!.expires)}${m.later ? " (**later expiry**: what the phase accepts stays longer)" : ""}`;
    case "complete":
      return `Migration complete: ${subject} (its declaration removed after phase ${cell(m.before!.phase)})`;
    case "removed":
      return `Migration removed before its final phase: ${subject} (was in phase ${cell(m.before!.phase)}): what the phase accepted is judged again`;
  }
}

function guardrailLine(g: GuardrailChange): string {
  switch (g.kind) {
    case "finding":
      return `Guardrail finding new in the head: ${cell(g.ruleId)} at \`${cell(g.address)}\`: ${cell(g.message)}${g.suppressedBy === undefined ? "" : ` (suppressed: ${cell(g.suppressedBy)})`} (**new guardrail finding**)`;
    case "suppression":
      return `Suppression new in the head: ${cell(g.ruleId)} on \`${cell(g.constructPath)}\`: ${cell(g.reason)}${g.expires === undefined ? "" : `, until ${cell(g.expires)}`} (**new suppression**)`;
    case "setting":
      return `Guardrail setting turned down: ${cell(g.what)} (**weaker guardrails**)`;
    case "missing":
      return "No guardrail report for this stack in the head: its findings cannot be judged (**guardrails did not run**)";
  }
}

/** A code block no line can close: its fence is longer than any run of backticks inside. */
function fenced(text: readonly string[]): string[] {
  const longest = Math.max(0, ...text.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}sql`, ...text, fence];
}
