import { IConstruct } from "constructs";
import { Lazy, TerraformLocal, TerraformStack } from "cdktf";
import { IdentityConfigError } from "../errors";
import { byKeys } from "../ordering";

/** A reasoned exception to one guardrail rule, on one construct and everything below it. */
export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
  /** ISO date (YYYY-MM-DD) after which the suppression no longer applies. */
  readonly expires?: string;
}

export interface RecordedSuppression extends Suppression {
  readonly constructPath: string;
}

const MIN_REASON = 10;
/** A secret in the output is never acceptable: there is nothing to weigh it against. */
export const UNSUPPRESSIBLE = new Set(["IG019"]);
const byConstruct = new WeakMap<IConstruct, Suppression[]>();

/**
 * Suppressions in the style of cdk-nag: each names one rule, says why in at least ten characters,
 * and may expire. They are recorded in the synthesized output for reviewers.
 */
export const GuardrailSuppressions = {
  add(construct: IConstruct, suppressions: readonly Suppression[]): void {
    for (const s of suppressions) {
      const refuse = (problem: string, value: unknown, fix: string): never => {
        throw new IdentityConfigError(construct, { problem, value, fix });
      };
      if (!/^IG\d{3}$/.test(s.ruleId)) refuse("Suppression names no guardrail rule", s.ruleId, "name a rule id such as IG002 (see the README's rule table)");
      if (UNSUPPRESSIBLE.has(s.ruleId)) refuse(`${s.ruleId} (secret in the output) cannot be suppressed`, s.ruleId, "remove the secret: reference it from Key Vault or connect through the identity");
      if ((s.reason ?? "").trim().length < MIN_REASON) refuse(`Suppression of ${s.ruleId} needs a reason`, s.reason ?? null, `say in at least ${MIN_REASON} characters why the finding is acceptable here`);
      if (s.expires !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(s.expires)) refuse(`Suppression of ${s.ruleId} has a malformed expiry`, s.expires, "write the date as YYYY-MM-DD");
    }
    byConstruct.set(construct, [...(byConstruct.get(construct) ?? []), ...suppressions]);
    recordIn(TerraformStack.of(construct));
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
      .sort(byKeys((s) => s.constructPath, (s) => s.ruleId));
  },
};

/** Writes the stack's suppressions into its output as the local `guardrail_suppressions`, for reviewers. */
function recordIn(stack: TerraformStack): void {
  if (stack.node.tryFindChild(RECORD_ID)) return;
  new TerraformLocal(stack, RECORD_ID, Lazy.anyValue({ produce: () => GuardrailSuppressions.under(stack) })).overrideLogicalId("guardrail_suppressions");
}
const RECORD_ID = "guardrail-suppressions";

/** The suppression that covers a finding at `path`, if one applies on `today`. */
export function findSuppression(all: readonly RecordedSuppression[], ruleId: string, path: string, today: string): RecordedSuppression | undefined {
  return all.find(
    (s) => s.ruleId === ruleId && (path === s.constructPath || path.startsWith(`${s.constructPath}/`)) && (s.expires === undefined || s.expires >= today),
  );
}
