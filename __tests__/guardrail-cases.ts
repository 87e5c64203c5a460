import { TerraformStack } from "cdktf";
import { evaluateGuardrails } from "../constructs/guardrails";
import { testStack } from "./helpers";

/** The unsuppressed findings of one rule on a stack, judged at the strictest severity. */
export function findings(stack: TerraformStack, ruleId: string) {
  return evaluateGuardrails(stack, { severity: "error", today: "2026-11-22" }).filter(
    (f) => f.ruleId === ruleId && !f.suppression,
  );
}

/** One rule's bad configuration and its correct counterpart. */
export interface GuardrailCase {
  readonly ruleId: string;
  /** What the case is about, when a rule has several. */
  readonly about?: string;
  readonly bad: (stack: TerraformStack) => void;
  readonly good: (stack: TerraformStack) => void;
  readonly message: RegExp;
  /** The fix the finding must name; any fix of some length when unset. */
  readonly fix?: RegExp;
}

/** Each case: the rule finds the bad configuration on the synthesized JSON, and stays quiet on the good one. */
export function describeGuardrailCases(cases: readonly GuardrailCase[]): void {
  describe.each(cases)("guardrail $ruleId $about", ({ ruleId, bad, good, message, fix }) => {
    it("finds it on the synthesized JSON, with the message and the fix", () => {
      const stack = testStack();
      bad(stack);
      const found = findings(stack, ruleId);
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.message).toMatch(message);
        if (fix) expect(f.fix).toMatch(fix);
        else expect(f.fix.length).toBeGreaterThan(10);
        expect(f.address).toMatch(/^azurerm_[a-z_]+\.[A-Za-z0-9_-]+$/);
      }
    });

    it("stays quiet on the correct setup", () => {
      const stack = testStack();
      good(stack);
      expect(findings(stack, ruleId)).toEqual([]);
    });
  });
}
