import { Construct, IConstruct } from "constructs";
import { Annotations, TerraformStack } from "cdktf";
import { onStackSynthesis } from "../estate/stack-synthesis";
import { describeFinding, evaluateGuardrails, Finding } from "./findings";
import { GuardrailSettings } from "../../guardrails/settings";
import { findingsJson, findingsSarif } from "./reports";
import {
  configureSuppressionHorizon,
  dayOf,
  GuardrailSuppressions,
  MAX_EXPIRY_DAYS,
  refuseBroadSuppressions,
  UNSUPPRESSIBLE,
} from "../../guardrails/suppressions";
import { IdentityConfigError } from "../../errors";
import { RULES } from "./rules";
import { developerGroupsOf } from "../../developer-access";

/**
 * Runs the guardrail rules over the stack at every synth: a finding is an error annotation (synth
 * fails) or a warning, by the environment's severity; suppressed findings are reported, not raised.
 * Writes `guardrails.json` and `guardrails.sarif` beside the stack.
 */
export class Guardrails extends Construct {
  constructor(
    private readonly stack: TerraformStack,
    id: string,
    settings: GuardrailSettings,
  ) {
    super(stack, id);
    checkSettings(stack, settings);
    configureSuppressionHorizon(stack, settings);
    onStackSynthesis(this, (json) => {
      refuseBroadSuppressions(stack);
      const findings = evaluateGuardrails(stack, settings, json());
      this.annotate(findings);
      return {
        "guardrails.json": findingsJson(
          stack.node.id,
          findings,
          GuardrailSuppressions.under(stack),
          settings,
          developerGroupsOf(stack),
        ),
        "guardrails.sarif": findingsSarif(stack.node.id, findings),
      };
    });
  }

  private annotate(findings: readonly Finding[]): void {
    const byPath = new Map<string, IConstruct>(this.stack.node.findAll().map((c) => [c.node.path, c]));
    for (const finding of findings.filter((f) => !f.suppression)) {
      const annotations = Annotations.of(byPath.get(finding.constructPath) ?? this.stack);
      if (finding.severity === "error") annotations.addError(describeFinding(finding));
      else annotations.addWarning(describeFinding(finding));
    }
  }
}

const SEVERITIES: readonly unknown[] = ["error", "warning"];

/**
 * Settings that would quietly weaken the guardrails are refused: an unknown severity (which would
 * warn where it should fail), a setting for a rule that does not exist, the secret rule turned
 * down, or a suppression horizon beyond a year (an exception nobody looks at again).
 */
function checkSettings(stack: TerraformStack, settings: GuardrailSettings): void {
  const refuse = (problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError(stack, { problem, value, fix });
  };
  if (!SEVERITIES.includes(settings.severity)) {
    refuse("Guardrail severity is neither error nor warning", settings.severity ?? null, 'set "error" or "warning"');
  }
  for (const [ruleId, severity] of Object.entries(settings.rules ?? {})) {
    if (!RULES.some((r) => r.id === ruleId)) {
      refuse("Guardrail settings name no rule", ruleId, "name a rule id such as IG002 (see the README's rule table)");
    }
    if (![...SEVERITIES, "off"].includes(severity)) {
      refuse(
        `Severity of ${ruleId} is neither error, warning nor off`,
        severity ?? null,
        'set "error", "warning" or "off"',
      );
    }
    if (UNSUPPRESSIBLE.has(ruleId) && severity !== "error") {
      refuse(
        `${ruleId} always fails the synth: a secret in the output has nothing to weigh it against`,
        severity,
        `remove ${ruleId} from the rule settings`,
      );
    }
  }
  const days = settings.maxExpiryDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= MAX_EXPIRY_DAYS)) {
    refuse(
      "The suppression horizon is not a whole number of days from 1 to 365",
      days,
      `set maxExpiryDays to at most ${MAX_EXPIRY_DAYS}`,
    );
  }
  if (settings.today !== undefined && dayOf(settings.today) === undefined) {
    refuse(
      "`today` is not a calendar date (YYYY-MM-DD)",
      settings.today,
      "leave it unset outside tests, or give a real date",
    );
  }
}
