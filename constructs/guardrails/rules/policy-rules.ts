import { Assignment, MANAGED_IDENTITY_KINDS } from "../../estate/estate-model";
import {
  azureRoleOnOwnDataPlane,
  broadDataRole,
  broadScope,
  conditionOutOfBounds,
  controlPlaneRole,
  nonWorkloadPrincipal,
  platformRoleOutsideUse,
  PolicyPredicate,
  PrincipalClass,
  privilegedRole,
  roleServiceMismatch,
} from "../../policy/access-policy";
import { MAX_CONDITION_BYTES } from "../../azure/abac/parser";
import { hit, isDeveloperGrant, Rule, RuleContext } from "./rule";

/** Who an assignment's principal is to the policy: the estate's managed identities, its developer group, or as written. */
function holderOf(a: Assignment, context: RuleContext): PrincipalClass {
  if (MANAGED_IDENTITY_KINDS.has(a.principal.kind)) return "ManagedIdentity";
  return isDeveloperGrant(a, context) ? "DeveloperGroup" : (a.principal.kind as PrincipalClass);
}

/**
 * The guardrail of one access-policy predicate: the verdict a grant gets, on every assignment of
 * the JSON (the estate's assignment is the policy's facts as it stands). What a grant refuses is
 * an error wherever the environment fails on errors.
 */
function policyGuardrail(predicate: PolicyPredicate, description: string): Rule {
  return {
    id: predicate.id,
    name: predicate.name,
    description,
    defaultSeverity: "error",
    check(estate, context) {
      return estate.assignments.flatMap((a) => {
        const verdict = predicate.judge(a, holderOf(a, context));
        return verdict ? [hit(a.resource, verdict.message, verdict.fix)] : [];
      });
    },
  };
}

export const privilegedRoleRule = policyGuardrail(
  privilegedRole,
  "Owner, Contributor, User Access Administrator, or RBAC Administrator without a condition that provably limits what it assigns.",
);

export const broadDataRoleRule = policyGuardrail(
  broadDataRole,
  "A *Data Owner role or Key Vault Administrator: all data plus control of access to it.",
);

export const broadScopeRule = policyGuardrail(
  broadScope,
  "A grant at management group, subscription or resource group scope reaches everything below it, now and later.",
);

export const controlPlaneRoleRule = policyGuardrail(
  controlPlaneRole,
  "A control-plane role on a target whose service has data-plane roles.",
);

export const roleServiceMismatchRule = policyGuardrail(
  roleServiceMismatch,
  "A role of one service on another service's resource does nothing.",
);

export const nonWorkloadPrincipalRule = policyGuardrail(
  nonWorkloadPrincipal,
  "Data-plane, platform, privileged and identity-operating roles go to workload identities only: never to a user, a group, or a principal the estate cannot name. The one exception is the stack's developer group (developer access), and for narrow data roles only.",
);

export const platformRoleOutsideUseRule = policyGuardrail(
  platformRoleOutsideUse,
  "A platform role (Network Contributor, Private DNS Zone Contributor) held by anything but a compute's platform identity, on anything but what that compute is configured to use.",
);

export const azureRoleOnOwnDataPlaneRule = policyGuardrail(
  azureRoleOnOwnDataPlane,
  "An Azure role assignment on Cosmos DB, Redis, Azure SQL or PostgreSQL, whose data only the service's own authorization reaches: the role grants no data access, and management roles there can read the keys.",
);

export const conditionOutOfBoundsRule = policyGuardrail(
  conditionOutOfBounds,
  `A condition longer than Azure accepts (${MAX_CONDITION_BYTES} bytes), or nested deeper than any real condition: Azure refuses the first, and no rule can read the second.`,
);
