import { IConstruct } from "constructs";
import { TerraformResource, TerraformStack } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { isRuleId } from "./rules";
import {
  addSuppressions,
  carriesAddedSuppressions,
  RecordedSuppression,
  Suppression,
  suppressionsOn,
  suppressionsUnder,
} from "../policy/suppression-record";
import type { StackJson } from "../core/stack-synthesis";

export type { Suppression } from "../policy/suppression-record";

/** The stack's Terraform JSON, as a synthesis hook reads it. */
type StackDocument = ReturnType<StackJson>;

/**
 * Suppressions in the style of cdk-nag: each names one known rule, says why in words, and may
 * expire within the horizon. They attach to a construct that owns resources (never a stack or
 * the app, which would silence a rule everywhere), and are recorded in the output for reviewers.
 */
export const GuardrailSuppressions = {
  add(construct: IConstruct, suppressions: readonly Suppression[]): void {
    addSuppressions(construct, suppressions, isRuleId);
  },

  /** The suppressions declared on this construct itself. */
  on(construct: IConstruct): readonly Suppression[] {
    return suppressionsOn(construct);
  },

  /** Every suppression under `root`, in path order. */
  under(root: IConstruct): RecordedSuppression[] {
    return suppressionsUnder(root);
  },
};

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
  const wrappers = stack.node.findAll().filter((c) => carriesAddedSuppressions(c) && !isResource(c));
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
