import { stackOf } from "../core/runtime";
import { IConstruct } from "constructs";
import { Lazy, TerraformDataSource, TerraformLocal, TerraformResource, TerraformStack } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { byKeys } from "../core/ordering";
import { meaninglessTextProblem } from "../core/meaningful-text";
import type { StackJson } from "../core/stack-synthesis";

// The suppressions a stack records: what a grant's justification writes and the guardrails read.
// Rule ids here are data; the guardrails layer checks a person's against the rule catalogue.

/** The stack's Terraform JSON, as a synthesis hook reads it. */
type StackDocument = ReturnType<StackJson>;

/** A reasoned exception to one guardrail rule, on one construct and everything below it. */
export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
  /**
   * ISO date (YYYY-MM-DD) after which the suppression no longer applies: required, at most the
   * horizon ahead, so every exception is looked at again. (A grant's `justification` is the one
   * exception without one: it lives in the code that makes the grant, and changes with it.)
   */
  readonly expires?: string;
}

export interface RecordedSuppression extends Suppression {
  readonly constructPath: string;
}

/** How far ahead a suppression may expire, and the day that counts as today. */
export interface SuppressionHorizon {
  /** YYYY-MM-DD; today in UTC by default. */
  readonly today?: string;
  /** Days; 365 by default. An exception nobody has to look at again is a permanent one. */
  readonly maxExpiryDays?: number;
}

const MIN_REASON = 10;
/** The default horizon, and the longest one settings may set. */
export const MAX_EXPIRY_DAYS = 365;
/** A secret in the output is never acceptable: there is nothing to weigh it against. */
export const UNSUPPRESSIBLE = new Set(["IG019"]);
const byConstruct = new WeakMap<IConstruct, Suppression[]>();
const horizons = new WeakMap<TerraformStack, SuppressionHorizon>();
const checkedOwners = new WeakSet<IConstruct>();

const DAY_MS = 86_400_000;
/** The date as a UTC day number, or undefined when it is no real calendar date. */
export function dayOf(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const time = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== date ? undefined : time / DAY_MS;
}

/** Today in UTC, or the day the settings say (tests pin it). */
export const todayOf = (horizon: SuppressionHorizon): string => horizon.today ?? new Date().toISOString().slice(0, 10);

/** The suppressions declared on this construct itself. */
export function suppressionsOn(construct: IConstruct): readonly Suppression[] {
  return byConstruct.get(construct) ?? [];
}

/** Every suppression under `root`, in path order. */
export function suppressionsUnder(root: IConstruct): RecordedSuppression[] {
  return root.node
    .findAll()
    .flatMap((c) => suppressionsOn(c).map((s) => ({ ...s, constructPath: c.node.path })))
    .sort(
      byKeys(
        (s) => s.constructPath,
        (s) => s.ruleId,
      ),
    );
}

/** Suppressions a person adds (GuardrailSuppressions.add): each names a rule `isRule` knows, and expires. */
export function addSuppressions(
  construct: IConstruct,
  suppressions: readonly Suppression[],
  isRule: (ruleId: string) => boolean,
): void {
  record(construct, suppressions, { requireExpiry: true, isRule });
}

/** A grant's justification, recorded as the suppression of the rules it passes; it expires with the code. */
export function justifySuppressions(assignment: IConstruct, ruleIds: readonly string[], justification: string): void {
  record(
    assignment,
    ruleIds.map((ruleId) => ({ ruleId, reason: `justified in code: ${justification}` })),
    { requireExpiry: false },
  );
}

/** The day and horizon exceptions declared in `stack` are checked against (suppressions and migrations). */
export function horizonOf(stack: TerraformStack): { readonly today?: string; readonly maxDays: number } {
  const horizon = horizons.get(stack) ?? {};
  return { today: horizon.today, maxDays: horizon.maxExpiryDays ?? MAX_EXPIRY_DAYS };
}

/** Sets the day and horizon suppressions of `stack` are checked against (configureIdentityStack does). */
export function configureSuppressionHorizon(stack: TerraformStack, horizon: SuppressionHorizon): void {
  horizons.set(stack, horizon);
}

/**
 * Checks and records suppressions on `construct`; hand-added ones and justifications differ only in
 * what they require first. `isRule` is the rule catalogue's test of an id: a person's suppression
 * may name anything, a justification names the policy predicates the grant passed.
 */
function record(
  construct: IConstruct,
  suppressions: readonly Suppression[],
  { requireExpiry, isRule }: { readonly requireExpiry: boolean; readonly isRule?: (ruleId: string) => boolean },
): void {
  const refuse = (problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError(construct, { problem, value, fix });
  };
  // A construct above the stack (the app, or one between the app and the stack) covers every stack under it.
  if (TerraformStack.isStack(construct) || !construct.node.scopes.some((c) => TerraformStack.isStack(c))) {
    refuse(
      "Suppressions attach to the construct that owns the resources, not to a stack or the app",
      construct.node.path || "<root>",
      "add the suppression on the workload or resource construct the finding names",
    );
  }
  const horizon = horizonOf(stackOf(construct));
  const today = todayOf(horizon);
  const maxDays = horizon.maxDays;
  // Checked and kept as copies, frozen: the caller's objects (or their getters) cannot change a suppression after the check.
  const copies = suppressions.map(({ ruleId, reason, expires }) =>
    Object.freeze(expires === undefined ? { ruleId, reason } : { ruleId, reason, expires }),
  );
  for (const s of copies) {
    if (isRule && !isRule(s.ruleId))
      refuse(
        "Suppression names no guardrail rule",
        s.ruleId ?? null,
        "name a rule id such as IG002 (see the README's rule table)",
      );
    if (UNSUPPRESSIBLE.has(s.ruleId))
      refuse(
        `${s.ruleId} (secret in the output) cannot be suppressed`,
        s.ruleId,
        "remove the secret: reference it from Key Vault or connect through the identity",
      );
    const vague = meaninglessTextProblem(s.reason ?? "", MIN_REASON);
    if (vague)
      refuse(
        `Suppression of ${s.ruleId} needs a reason in words (${vague})`,
        s.reason ?? null,
        `say in at least ${MIN_REASON} characters and three words why the finding is acceptable here`,
      );
    if (s.expires === undefined && requireExpiry) {
      refuse(
        `Suppression of ${s.ruleId} never expires`,
        null,
        `add \`expires\` (YYYY-MM-DD, at most ${maxDays} days ahead): the day someone must look at the exception again`,
      );
    }
    if (s.expires !== undefined) {
      const day = dayOf(s.expires);
      if (day === undefined)
        refuse(
          `Suppression of ${s.ruleId} has an expiry that is no date`,
          s.expires,
          "write a real calendar date as YYYY-MM-DD",
        );
      if (day! - dayOf(today)! > maxDays)
        refuse(
          `Suppression of ${s.ruleId} expires more than ${maxDays} days after ${today}`,
          s.expires,
          `pick a date by which someone must look again, at most ${maxDays} days ahead`,
        );
    }
  }
  byConstruct.set(construct, Object.freeze([...(byConstruct.get(construct) ?? []), ...copies]) as Suppression[]);
  if (requireExpiry) addedOn.add(construct);
  requireResourcesUnder(construct);
  recordIn(stackOf(construct));
}

/** Constructs that carry suppressions added by hand (GuardrailSuppressions.add), not justifications the library records. */
const addedOn = new WeakSet<IConstruct>();

/** Whether a person added suppressions on this construct (a justification the library records is no such thing). */
export const carriesAddedSuppressions = (c: IConstruct): boolean => addedOn.has(c);

/**
 * The record of suppressions in the output (`locals.guardrail_suppressions`) is what the access
 * report and its diff show a reviewer: an override that empties or rewrites it would hide an
 * exception, or show one that was never checked, so a record that differs is refused.
 */
export function refuseForgedRecord(stack: TerraformStack, json: StackDocument): void {
  const expected = stack.node.tryFindChild(RECORD_ID) ? suppressionsUnder(stack) : undefined;
  const written = json.locals?.guardrail_suppressions;
  if (JSON.stringify(written) !== JSON.stringify(expected)) {
    throw new IdentityConfigError(stack, {
      problem: "The suppressions recorded in the stack's output were overwritten",
      value: written ?? null,
      fix: "add suppressions with GuardrailSuppressions.add, never by overriding locals.guardrail_suppressions",
    });
  }
}

/** A suppression on a construct with nothing under it silences nothing, or whatever is added there later. */
function requireResourcesUnder(construct: IConstruct): void {
  if (checkedOwners.has(construct)) return;
  checkedOwners.add(construct);
  construct.node.addValidation({
    validate: () =>
      construct.node.findAll().some((c) => c instanceof TerraformResource || c instanceof TerraformDataSource)
        ? []
        : [
            `[${construct.node.path}] Suppressions on a construct that owns no resources: ${suppressionsOn(construct)
              .map((s) => s.ruleId)
              .join(", ")}. Fix: add them on the construct that owns the resource the finding names`,
          ],
  });
}

/** Writes the stack's suppressions into its output as the local `guardrail_suppressions`, for reviewers. */
function recordIn(stack: TerraformStack): void {
  if (stack.node.tryFindChild(RECORD_ID)) return;
  new TerraformLocal(stack, RECORD_ID, Lazy.anyValue({ produce: () => suppressionsUnder(stack) })).overrideLogicalId(
    "guardrail_suppressions",
  );
}
const RECORD_ID = "guardrail-suppressions";

const covers = (s: RecordedSuppression, ruleId: string, path: string) =>
  s.ruleId === ruleId && (path === s.constructPath || path.startsWith(`${s.constructPath}/`));

/** The suppression that covers a finding at `path`, if one applies on `today`. */
export function findSuppression(
  all: readonly RecordedSuppression[],
  ruleId: string,
  path: string,
  today: string,
): RecordedSuppression | undefined {
  return all.find((s) => covers(s, ruleId, path) && (s.expires === undefined || s.expires >= today));
}

/** A suppression that covered the finding until it expired: the finding says so. */
export function findExpiredSuppression(
  all: readonly RecordedSuppression[],
  ruleId: string,
  path: string,
  today: string,
): RecordedSuppression | undefined {
  return all.find((s) => covers(s, ruleId, path) && s.expires !== undefined && s.expires < today);
}
