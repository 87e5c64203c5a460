import { IConstruct } from "constructs";
import { Lazy, TerraformDataSource, TerraformLocal, TerraformResource, TerraformStack } from "cdktf";
import { IdentityConfigError } from "../errors";
import { byKeys } from "../internal/ordering";
import { meaninglessTextProblem } from "../internal/policy/meaningful-text";
import { RULES } from "../internal/guardrails/rules";
import { StackJson } from "../internal/estate/stack-synthesis";

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
  // A construct above the stack (the app, or one between the app and the stack) covers every stack under it.
  if (TerraformStack.isStack(construct) || !construct.node.scopes.some((c) => TerraformStack.isStack(c))) {
    refuse(
      "Suppressions attach to the construct that owns the resources, not to a stack or the app",
      construct.node.path || "<root>",
      "add the suppression on the workload or resource construct the finding names",
    );
  }
  const horizon = horizons.get(TerraformStack.of(construct)) ?? {};
  const today = todayOf(horizon);
  const maxDays = horizon.maxExpiryDays ?? MAX_EXPIRY_DAYS;
  // Checked and kept as copies, frozen: the caller's objects (or their getters) cannot change a suppression after the check.
  const copies = suppressions.map(({ ruleId, reason, expires }) =>
    Object.freeze(expires === undefined ? { ruleId, reason } : { ruleId, reason, expires }),
  );
  for (const s of copies) {
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
  byConstruct.set(construct, Object.freeze([...(byConstruct.get(construct) ?? []), ...copies]) as Suppression[]);
  if (requireExpiry) addedOn.add(construct);
  requireResourcesUnder(construct);
  recordIn(TerraformStack.of(construct));
}

/** Constructs that carry suppressions added by hand (GuardrailSuppressions.add), not justifications the library records. */
const addedOn = new WeakSet<IConstruct>();

const isResource = (c: IConstruct): c is TerraformResource => c instanceof TerraformResource;

/**
 * The stack's size: its Azure resources that Terraform creates. Terraform's own (terraform_data,
 * random, time...) and any never created (count 0, an empty for_each) cost nothing: decoys that
 * would make a wrapper of everything look small. (What a wrapper holds counts whatever it is.)
 */
function stackSize(stack: TerraformStack, json: StackDocument): number {
  const created = (config: Record<string, unknown> | undefined) => {
    const { count, for_each: forEach } = config ?? {};
    const empty = typeof forEach === "object" && forEach !== null && Object.keys(forEach).length === 0;
    return config !== undefined && count !== 0 && count !== "0" && !empty;
  };
  return stack.node
    .findAll()
    .filter(
      (c) =>
        isResource(c) &&
        /^(azurerm|azapi|azuread)_/.test(c.terraformResourceType) &&
        created(json.resource?.[c.terraformResourceType]?.[c.friendlyUniqueId]),
    ).length;
}

/**
 * Refuses, when the stack is synthesized (resources added after the suppression count), hand-added
 * suppressions of one rule on constructs that together hold half the stack's resources or more: a
 * wrapper around the whole stack, or around all of it but a few decoys, every wrapper nested in
 * such a wrapper, and the stack split into wrappers that each carry the suppression, silence the
 * rule nearly everywhere, now and later, like the stack-level suppression they stand for. A
 * suppression on a resource itself is always as narrow as it gets. The fix names the resources
 * whose findings the suppression silences, where it belongs instead.
 */
export function refuseBroadSuppressions(
  stack: TerraformStack,
  json: StackDocument,
  silenced: readonly { readonly constructPath: string; readonly suppression?: RecordedSuppression }[],
): void {
  const total = stackSize(stack, json);
  const wrappers = stack.node.findAll().filter((c) => addedOn.has(c) && !isResource(c));
  const ruleIds = [...new Set(wrappers.flatMap((c) => GuardrailSuppressions.on(c).map((s) => s.ruleId)))].sort();
  for (const ruleId of ruleIds) {
    const on = wrappers.filter((c) => GuardrailSuppressions.on(c).some((s) => s.ruleId === ruleId));
    const held = new Set(on.flatMap((c) => c.node.findAll().filter(isResource)));
    if (held.size === 0 || 2 * held.size < total) continue;
    const paths = on.map((c) => c.node.path);
    const targets = [
      ...new Set(
        silenced
          .filter((f) => f.suppression?.ruleId === ruleId && paths.includes(f.suppression.constructPath))
          .map((f) => f.constructPath),
      ),
    ].sort();
    throw new IdentityConfigError(on[0], {
      problem: `${on.length === 1 ? "Suppressions on a construct that holds" : `Suppressions of ${ruleId} on ${on.length} constructs that together hold`} ${held.size} of the stack's ${total} resources, in effect suppressions on the stack`,
      value: on.length === 1 ? GuardrailSuppressions.on(on[0]).map((s) => s.ruleId) : paths,
      fix: `add each suppression on the resource the finding names (${targets.length > 0 ? targets.join(", ") : "or the small construct that owns only it"})`,
    });
  }
}

/**
 * The record of suppressions in the output (`locals.guardrail_suppressions`) is what the access
 * report and its diff show a reviewer: an override that empties or rewrites it would hide an
 * exception, or show one that was never checked, so a record that differs is refused.
 */
export function refuseForgedRecord(stack: TerraformStack, json: StackDocument): void {
  const expected = stack.node.tryFindChild(RECORD_ID) ? GuardrailSuppressions.under(stack) : undefined;
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
