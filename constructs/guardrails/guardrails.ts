import { Construct, IConstruct } from "constructs";
import { Annotations, ISynthesisSession, Lazy, TerraformLocal, TerraformStack } from "cdktf";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeFinding, evaluateGuardrails, Finding, GuardrailSettings } from "./findings";
import { findingsJson, findingsSarif } from "./reports";
import { GuardrailSuppressions } from "./suppressions";

/**
 * Runs the guardrail rules over the stack at every synth: a finding is an error annotation (synth
 * fails) or a warning, by the environment's severity; suppressed findings are reported, not raised.
 * Writes `guardrails.json` and `guardrails.sarif` beside the stack, and records every suppression
 * in the stack as the local `guardrail_suppressions`.
 */
export class Guardrails extends Construct {
  constructor(
    private readonly stack: TerraformStack,
    id: string,
    settings: GuardrailSettings,
  ) {
    super(stack, id);
    new TerraformLocal(this, "suppressions", Lazy.anyValue({ produce: () => GuardrailSuppressions.under(stack) })).overrideLogicalId("guardrail_suppressions");

    const inner = stack.synthesizer;
    stack.synthesizer = {
      synthesize: (session: ISynthesisSession) => {
        const findings = evaluateGuardrails(stack, settings);
        this.annotate(findings);
        inner.synthesize(session);
        this.writeReports(session, findings);
      },
    };
  }

  private annotate(findings: readonly Finding[]): void {
    const byPath = new Map<string, IConstruct>(this.stack.node.findAll().map((c) => [c.node.path, c]));
    for (const finding of findings.filter((f) => !f.suppression)) {
      const annotations = Annotations.of(byPath.get(finding.constructPath) ?? this.stack);
      if (finding.severity === "error") annotations.addError(describeFinding(finding));
      else annotations.addWarning(describeFinding(finding));
    }
  }

  private writeReports(session: ISynthesisSession, findings: readonly Finding[]): void {
    const dir = join(session.outdir, session.manifest.forStack(this.stack).workingDirectory);
    mkdirSync(dir, { recursive: true });
    const name = this.stack.node.id;
    writeFileSync(join(dir, "guardrails.json"), findingsJson(name, findings, GuardrailSuppressions.under(this.stack)));
    writeFileSync(join(dir, "guardrails.sarif"), findingsSarif(name, findings));
  }
}
