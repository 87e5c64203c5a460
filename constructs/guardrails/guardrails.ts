import { Construct, IConstruct } from "constructs";
import { AnnotationMetadataEntryType, TerraformStack } from "cdktf";
import { onStackSynthesis } from "../core/stack-synthesis";
import { describeFinding, evaluateGuardrails, Finding } from "./findings";
import { GuardrailSettings } from "./settings";
import { findingsJson, findingsSarif } from "./reports";
import { GuardrailSuppressions, refuseBroadSuppressions } from "./suppressions";
import {
  configureSuppressionHorizon,
  dayOf,
  MAX_EXPIRY_DAYS,
  refuseForgedRecord,
  UNSUPPRESSIBLE,
} from "../policy/suppression-record";
import { IdentityConfigError } from "../core/errors";
import { isRuleId, RULES } from "./rules";
import { migrationConflicts } from "./rules/migration-rules";
import { refuseForgedMigrations } from "../policy/migration-record";
import { readEstate } from "../estate/estate-model";
import { developerGroupsOf } from "../policy/developer-declarations";
import { AzureContext } from "../azure/azure-context";

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
      refuseForgedRecord(stack, json());
      refuseForgedMigrations(stack, json());
      for (const conflict of migrationConflicts(readEstate(json())))
        throw new IdentityConfigError(conflict.constructPath, conflict);
      AzureContext.refuseForgedSubscription(stack, json());
      const findings = evaluateGuardrails(stack, settings, json());
      refuseBroadSuppressions(stack, json(), findings);
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
    // cdktf's Annotations would record where each message was added: always this hook, under
    // absolute paths of this machine, in manifest.json (megabytes at a thousand workloads).
    for (const finding of findings.filter((f) => !f.suppression)) {
      const level = finding.severity === "error" ? AnnotationMetadataEntryType.ERROR : AnnotationMetadataEntryType.WARN;
      (byPath.get(finding.constructPath) ?? this.stack).node.addMetadata(level, describeFinding(finding), {
        stackTrace: false,
      });
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
    if (!isRuleId(ruleId)) {
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
  const environment = AzureContext.environmentOf(stack);
  if (environment?.production) {
    // In production a finding is fixed or suppressed one construct at a time, with a reason and an expiry.
    const lowered = [
      ...(settings.severity === "error" ? [] : [`severity ${settings.severity}`]),
      ...Object.entries(settings.rules ?? {})
        .filter(
          ([ruleId, severity]) =>
            severity === "off" ||
            (severity === "warning" && RULES.find((r) => r.id === ruleId)?.defaultSeverity !== "warning"),
        )
        .map(([ruleId, severity]) => `${ruleId} ${severity}`)
        .sort(),
    ];
    if (lowered.length > 0)
      refuse(
        `Guardrails turned down in production environment ${environment.name}`,
        lowered,
        'keep severity "error" and every rule on in production; suppress a single finding on its construct, with a reason and an expiry (GuardrailSuppressions.add)',
      );
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
