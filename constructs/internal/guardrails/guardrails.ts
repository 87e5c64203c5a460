import { Construct, IConstruct } from "constructs";
import { Annotations, TerraformStack } from "cdktf";
import { onStackSynthesis } from "../estate/stack-synthesis";
import { describeFinding, evaluateGuardrails, Finding } from "./findings";
import { GuardrailSettings } from "../../guardrails/settings";
import { findingsJson, findingsSarif } from "./reports";
import { GuardrailSuppressions } from "../../guardrails/suppressions";

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
    GuardrailSuppressions.configure(stack, settings);
    onStackSynthesis(this, (json) => {
      const findings = evaluateGuardrails(stack, settings, json());
      this.annotate(findings);
      return {
        "guardrails.json": findingsJson(stack.node.id, findings, GuardrailSuppressions.under(stack)),
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
