import { roleKey } from "../../azure/role-catalog";
import { Assignment, EstateModel, MANAGED_IDENTITY_KINDS } from "../../estate/estate-model";
import { comparableScope } from "../../estate/azure-id-of";
import { grantText, hitsWhere, isDeveloperGrant, Rule } from "./rule";
import { comparableText } from "../../core/terraform-text";

const scopeKey = (estate: EstateModel, a: Assignment) => comparableScope(a.scope.raw, estate);

const roleOf = (a: Assignment) => comparableText(a.role ? roleKey(a.role) : a.roleWritten);

export const developerWithoutWorkloadRule: Rule = {
  id: "IG025",
  name: "developer-without-workload-role",
  description:
    "Works locally, fails in the cloud: the developer group holds a role on a target that no workload identity of the environment holds there.",
  defaultSeverity: "error",
  check(estate, context) {
    const held = new Set([
      ...context.estateGrants,
      ...estate.assignments
        .filter((a) => MANAGED_IDENTITY_KINDS.has(a.principal.kind))
        .map((a) => `${scopeKey(estate, a)}|${roleOf(a)}`),
    ]);
    return hitsWhere(
      estate.assignments,
      (a) => isDeveloperGrant(a, context) && !held.has(`${scopeKey(estate, a)}|${roleOf(a)}`),
      (a) => [
        `${grantText(a)}: no workload identity of the environment holds this role here, so code tested with it locally fails in Azure`,
        "grant the role to the workload that needs it (developer access follows it), or remove the developer grant",
      ],
    );
  },
};
