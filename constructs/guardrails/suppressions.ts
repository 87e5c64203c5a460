import { IConstruct } from "constructs";
import { Lazy, TerraformDataSource, TerraformLocal, TerraformResource, TerraformStack } from "cdktf";
import { IdentityConfigError } from "../errors";
import { byKeys } from "../internal/ordering";
import { meaninglessTextProblem } from "../internal/policy/meaningful-text";
import { RULES } from "../internal/guardrails/rules";

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

/**
 * Suppressions in the style of cdk-nag: each names one known rule, says why in words, and may
 * expire within the horizon. They attach to a construct that owns resources (never a stack or
 * the app, which would silence a rule everywhere), and are recorded in the output for reviewers.
 */
export const GuardrailSuppressions = {
  add(construct: IConstruct, suppressions: readonly Suppression[]): void {
    record(construct, suppressions, { requireExpiry: true });
  },

  /** The suppressions declared on this construct itself. */
  on(construct: IConstruct): readonly Suppression[] {
    return byConstruct.get(construct) ?? [];
  },

  /** Every suppression under `root`, in path order. */
  under(root: IConstruct): RecordedSuppression[] {
    return root.node
      .findAll()
      .flatMap((c) => GuardrailSuppressions.on(c).map((s) => ({ ...s, constructPath: c.node.path })))
      .sort(
        byKeys(
          (s) => s.constructPath,
          (s) => s.ruleId,
        ),
      );
  },
};

/** A grant's justification, recorded as the suppression of the rules it passes; it expires with the code. */
export function justifySuppressions(assignment: IConstruct, ruleIds: readonly string[], justification: string): void {
  record(
    assignment,
    ruleIds.map((ruleId) => ({ ruleId, reason: `justified in code: ${justification}` })),
    { requireExpiry: false },
  );
}

/** Sets the day and horizon suppressions of `stack` are checked against (configureIdentityStack does). */
export function configureSuppressionHorizon(stack: TerraformStack, horizon: SuppressionHorizon): void {
  horizons.set(stack, horizon);
}

/** Checks and records suppressions on `construct`; `add` and `justify` differ only in what they require first. */
function record(
  construct: IConstruct,
  suppressions: readonly Suppression[],
  { requireExpiry }: { readonly requireExpiry: boolean },
): void {
  const refuse = (problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError(construct, { problem, value, fix });
  };
  if (!construct.node.scope || TerraformStack.isStack(construct)) {
    refuse(
      "Suppressions attach to the construct that owns the resources, not to a stack or the app",
      construct.node.path || "<root>",
      "add the suppression on the workload or resource construct the finding names",
    );
  }
  const horizon = horizons.get(TerraformStack.of(construct)) ?? {};
  const today = todayOf(horizon);
  const maxDays = horizon.maxExpiryDays ?? MAX_EXPIRY_DAYS;
  for (const s of suppressions) {
    if (!RULES.some((r) => r.id === s.ruleId))
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
  byConstruct.set(construct, [...(byConstruct.get(construct) ?? []), ...suppressions]);
  if (requireExpiry) addedOn.add(construct);
  requireResourcesUnder(construct);
  recordIn(TerraformStack.of(construct));
}

/** Constructs that carry suppressions added by hand (GuardrailSuppressions.add), not justifications the library records. */
const addedOn = new WeakSet<IConstruct>();

const isResource = (c: IConstruct) => c instanceof TerraformResource;

/**
 * Refuses, when the stack is synthesized (resources added after the suppression count), a
 * suppression on a construct that holds half the stack's resources or more: a wrapper around the
 * whole stack, or around all of it but a decoy or two, and every wrapper nested in such a
 * wrapper, silences a rule nearly everywhere, now and later, like the stack-level suppression
 * it stands for. A suppression on a resource itself is always as narrow as it gets.
 */
export function refuseBroadSuppressions(stack: TerraformStack): void {
  const total = stack.node.findAll().filter(isResource).length;
  for (const construct of stack.node.findAll()) {
    if (!addedOn.has(construct) || isResource(construct)) continue;
    const held = construct.node.findAll().filter(isResource).length;
    if (held > 0 && 2 * held >= total) {
      throw new IdentityConfigError(construct, {
        problem: `Suppressions on a construct that holds ${held} of the stack's ${total} resources, in effect suppressions on the stack`,
        value: GuardrailSuppressions.on(construct).map((s) => s.ruleId),
        fix: "add each suppression on the resource the finding names (or the small construct that owns only it)",
      });
    }
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
            `[${construct.node.path}] Suppressions on a construct that owns no resources: ${GuardrailSuppressions.on(
              construct,
            )
              .map((s) => s.ruleId)
              .join(", ")}. Fix: add them on the construct that owns the resource the finding names`,
          ],
  });
}

/** Writes the stack's suppressions into its output as the local `guardrail_suppressions`, for reviewers. */
function recordIn(stack: TerraformStack): void {
  if (stack.node.tryFindChild(RECORD_ID)) return;
  new TerraformLocal(
    stack,
    RECORD_ID,
    Lazy.anyValue({ produce: () => GuardrailSuppressions.under(stack) }),
  ).overrideLogicalId("guardrail_suppressions");
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
