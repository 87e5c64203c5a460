import { TerraformStack } from "cdktf";
import { readEstate } from "../estate/estate-model";
import { RULES } from "./rules";
import { findSuppression, GuardrailSuppressions, RecordedSuppression } from "./suppressions";
import { byKeys } from "../ordering";

export type Severity = "error" | "warning";

/** How strict an environment is: a default severity, overridden (or turned off) per rule. */
export interface GuardrailSettings {
  readonly severity: Severity;
  readonly rules?: Readonly<Record<string, Severity | "off">>;
  /** Token issuers trusted besides GitHub Actions and the stack's own AKS clusters. */
  readonly knownIssuers?: readonly string[];
  /** The day suppressions' expiry is checked against (YYYY-MM-DD); today in UTC by default. */
  readonly today?: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
  readonly constructPath: string;
  readonly address: string;
  readonly message: string;
  readonly fix: string;
  /** The reasoned suppression that silences it, if any. */
  readonly suppression?: RecordedSuppression;
}

/** Runs every rule over the stack as Terraform will see it, overrides and escape hatches included. */
export function evaluateGuardrails(stack: TerraformStack, settings: GuardrailSettings, stackJson = stack.toTerraform()): Finding[] {
  const estate = readEstate(stackJson);
  const suppressions = GuardrailSuppressions.under(stack);
  const today = settings.today ?? new Date().toISOString().slice(0, 10);
  return RULES.flatMap((rule) => {
    const severity = settings.rules?.[rule.id] ?? settings.severity;
    if (severity === "off") return [];
    return rule.check(estate, { knownIssuers: settings.knownIssuers ?? [] }).map((hit) => ({
      ruleId: rule.id,
      ruleName: rule.name,
      severity,
      constructPath: hit.resource.path,
      address: hit.resource.address,
      message: hit.message,
      fix: hit.fix,
      suppression: findSuppression(suppressions, rule.id, hit.resource.path, today),
    }));
  }).sort(byKeys((f) => f.ruleId, (f) => f.address, (f) => f.message));
}

/** The line a person reads: rule, address, what is wrong, and the fix. */
export function describeFinding(f: Finding): string {
  return `${f.ruleId} ${f.ruleName} at ${f.address}: ${f.message}. Fix: ${f.fix}`;
}
