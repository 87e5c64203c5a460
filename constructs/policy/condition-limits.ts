import { analyzeCondition, AssignmentPermission, ValueSet } from "../azure/abac/analysis";
import { findRoleByGuid } from "../azure/role-catalog";
import { comparableText } from "../core/terraform-text";

/** Whether an ABAC condition makes Role Based Access Control Administrator safe, and why not. */
export interface ConditionVerdict {
  readonly limits: boolean;
  /** What the condition still allows, in words, when it does not limit. */
  readonly why?: string;
}

const describe = (set: ValueSet, what: string): string =>
  set.kind === "any"
    ? `any ${what}`
    : set.kind === "anyExcept"
      ? `any ${what} except ${set.values.join(", ")}`
      : set.values.join(", ");

/**
 * A condition limits role assignment only when it is parsed, and both writes and deletes are
 * restricted to an explicit set of catalogued roles with no privileged role among them, and to
 * service principals; and writes can never name the holder itself (or it could grant itself the
 * estate's data roles everywhere in its scope). Anything the analysis cannot pin down counts as
 * allowed, so a condition that only looks restrictive limits nothing.
 */
export function conditionLimitsRoles(condition: string | undefined, holderPrincipalId: string): ConditionVerdict {
  if (condition === undefined || condition.trim() === "") return { limits: false, why: "there is no condition" };
  const allows = analyzeCondition(condition);
  if (!allows.parsed) return { limits: false, why: `the condition cannot be parsed (${allows.error})` };
  for (const [verb, permission] of [
    ["write", allows.write],
    ["delete", allows.delete],
  ] as const) {
    const problem = permissionProblem(permission);
    if (problem) return { limits: false, why: `role assignment ${verb}s ${problem}` };
  }
  const ids = allows.write.principalIds;
  // GUIDs compare in any case, Terraform references exactly: `deployer` and `Deployer` are two identities.
  const holder = comparableText(holderPrincipalId);
  const namesHolder = (v: string) => comparableText(v) === holder;
  if (ids.kind === "anyExcept" && ids.values.some(namesHolder)) return { limits: true };
  // A listed GUID may be the holder's own id unless the holder is a literal one: an identity read
  // by a data source, or imported, has an id anyone can know before apply.
  if (ids.kind === "only" && (ids.values.length === 0 || (!holder.includes("${") && !ids.values.some(namesHolder))))
    return { limits: true };
  const listed =
    ids.kind === "only"
      ? ` (it may name ${ids.values.join(", ")}, and the holder's own id is known only at apply)`
      : "";
  return {
    limits: false,
    why: `role assignment writes may name the holder itself (${holderPrincipalId})${listed}, so it can grant itself every role it may assign`,
  };
}

function permissionProblem(p: AssignmentPermission): string | undefined {
  if (p.roles.kind !== "only") return `may use ${describe(p.roles, "role")}`;
  const unknown = p.roles.values.filter((guid) => !findRoleByGuid(guid));
  if (unknown.length > 0) return `may use ${unknown.join(", ")}, which no catalogued role is, so it may be anything`;
  const privileged = p.roles.values.map((guid) => findRoleByGuid(guid)!).filter((r) => r.plane === "privileged");
  if (privileged.length > 0) return `may use the privileged ${privileged.map((r) => r.name).join(", ")}`;
  const types = p.principalTypes;
  if (types.kind !== "only" || types.values.some((t) => t !== "ServicePrincipal"))
    return `may name ${describe(types, "principal type")}, not only service principals`;
  return undefined;
}
