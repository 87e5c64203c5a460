import { TerraformStack } from "cdktf";

/**
 * What a DeveloperAccess declares in its stack, for the guardrails to judge that stack by: the
 * developer groups it names, and what the mirrored estates' workloads hold. Kept here, below
 * both, so the guardrails read the declarations without loading the construct that makes them.
 */
const developerGroups = new WeakMap<TerraformStack, Set<string>>();
const estateGrants = new WeakMap<TerraformStack, Set<string>>();

/** Records a developer group and the estate grants (`<scope id>|<role key>`, lower case) it mirrors. */
export function declareDeveloperAccess(stack: TerraformStack, group: string, held: Iterable<string>): void {
  const groups = developerGroups.get(stack) ?? new Set<string>();
  groups.add(group);
  developerGroups.set(stack, groups);
  const grants = estateGrants.get(stack) ?? new Set<string>();
  for (const key of held) grants.add(key);
  estateGrants.set(stack, grants);
}

/** The groups the guardrails accept narrow data roles for in this stack: those a DeveloperAccess names. */
export function developerGroupsOf(stack: TerraformStack): ReadonlySet<string> {
  return developerGroups.get(stack) ?? new Set();
}

/** What the workloads of the estates mirrored in this stack hold: `<scope id>|<role key>`, lower case. */
export function estateGrantsOf(stack: TerraformStack): ReadonlySet<string> {
  return estateGrants.get(stack) ?? new Set();
}
