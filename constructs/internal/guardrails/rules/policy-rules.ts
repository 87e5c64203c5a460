import { ACCESS_POLICY, PolicyRule } from "../../policy/access-policy";
import { factsOf, hit, Rule } from "./rule";

/** The guardrail of one access-policy predicate: the same verdict a grant gets, on every assignment. */
function policyGuardrail(policy: PolicyRule): Rule {
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    check(estate, context) {
      return estate.assignments.flatMap((a) => {
        const verdict = policy.judge(factsOf(a, context));
        return verdict ? [hit(a.resource, verdict.message, verdict.fix)] : [];
      });
    },
  };
}

/** Every predicate of the access policy, as a guardrail (their ids interleave with the other families'). */
export const POLICY_RULES: readonly Rule[] = ACCESS_POLICY.map(policyGuardrail);
