import { isGuid } from "../../azure/azure-ids";
import { roleKey } from "../../azure/role-catalog";
import { Assignment, EstateModel, MANAGED_IDENTITY_KINDS } from "../../estate/estate-model";
import { grantText, hit, hitsWhere, Rule } from "./rule";
import { comparableText } from "../../core/terraform-text";
import { comparableScope } from "../../estate/azure-id-of";

/**
 * What Azure keeps one assignment per: (scope, principal, role); ids in any case, references
 * exactly, a resource's `id` as the id built from its names (the same vault written both ways is one).
 */
function assignmentKey(estate: EstateModel, a: Assignment): string {
  return [
    comparableScope(a.scope.raw, estate),
    a.principal.key,
    comparableText(a.role ? roleKey(a.role) : a.roleWritten),
  ].join("|");
}

function lacksServicePrincipalType(a: Assignment): boolean {
  // Cosmos DB, Redis and database grants have no principal type to set.
  if (a.system !== "azure-rbac") return false;
  const managedIdentity = MANAGED_IDENTITY_KINDS.has(a.principal.kind);
  return a.principalType === undefined || (managedIdentity && a.principalType !== "ServicePrincipal");
}

function roleSubscriptionOf(a: Assignment): string | undefined {
  return /^\/subscriptions\/([^/]+)\//.exec(a.roleWritten)?.[1];
}

/** A scope inside the stack deploys into the provider's subscription. */
function scopeSubscriptionOf(estate: EstateModel, a: Assignment): string | undefined {
  return a.scope.resource ? estate.subscriptionId : a.scope.id?.subscriptionId;
}

/** A literal UUID, or uuidv5() of values known before apply (never principal_id, uuid() or timestamp()). */
function isDeterministicName(name: unknown): boolean {
  if (typeof name !== "string") return false;
  return isGuid(name) || (/^\$\{uuidv5\(/.test(name) && !/principal_id|uuid\(\)|timestamp\(\)/.test(name));
}

const SCOPED_ROLE_ID_FIX =
  "write /subscriptions/<the scope's subscription>/providers/Microsoft.Authorization/roleDefinitions/<guid>";

export const duplicateAssignmentRule: Rule = {
  id: "IG008",
  name: "duplicate-assignment",
  description:
    "Azure keeps one assignment per (scope, principal, role): a second one fails with 409 RoleAssignmentExists.",
  defaultSeverity: "error",
  check(estate) {
    const seen = new Map<string, Assignment>();
    return estate.assignments.flatMap((a) => {
      const key = assignmentKey(estate, a);
      const first = seen.get(key);
      if (!first) {
        seen.set(key, a);
        return [];
      }
      return [
        hit(
          a.resource,
          `${grantText(a)} is also declared as ${first.resource.address}`,
          "declare the grant once (the grant constructs merge repeats)",
        ),
      ];
    });
  },
};

export const missingPrincipalTypeRule: Rule = {
  id: "IG009",
  name: "missing-principal-type",
  description: "Without principal_type = ServicePrincipal, creation races the new identity's directory replication.",
  defaultSeverity: "error",
  check(estate) {
    return hitsWhere(estate.assignments, lacksServicePrincipalType, (a) => [
      `${grantText(a)} has principal_type ${JSON.stringify(a.principalType ?? null)}`,
      'set principal_type = "ServicePrincipal" for managed identities',
    ]);
  },
};

export const roleByNameRule: Rule = {
  id: "IG010",
  name: "role-by-name",
  description: "role_definition_name is resolved by a lookup and drifts; the role must be its built-in GUID.",
  defaultSeverity: "error",
  check(estate) {
    return hitsWhere(
      estate.assignments,
      (a) => a.usesRoleName,
      (a) => [
        `${grantText(a)} names its role ${JSON.stringify(a.roleWritten)}`,
        "write role_definition_id with the built-in GUID, scoped to the target's subscription",
      ],
    );
  },
};

export const unscopedRoleIdRule: Rule = {
  id: "IG011",
  name: "unscoped-role-id",
  description: "Azure returns role ids scoped to a subscription: the unscoped form diffs forever.",
  defaultSeverity: "error",
  check(estate) {
    return estate.assignments.flatMap((a) => {
      if (a.system !== "azure-rbac") return [];
      if (a.unscopedRoleId) {
        if (a.scope.level === "managementGroup") return [];
        return [hit(a.resource, `${grantText(a)} writes ${a.roleWritten}`, SCOPED_ROLE_ID_FIX)];
      }
      const roleSubscription = roleSubscriptionOf(a);
      const scopeSubscription = scopeSubscriptionOf(estate, a);
      if (!roleSubscription || !scopeSubscription) return [];
      if (roleSubscription.toLowerCase() === scopeSubscription.toLowerCase()) return [];
      return [
        hit(
          a.resource,
          `${grantText(a)} takes its role from subscription ${roleSubscription}, ` +
            `but the scope is in ${scopeSubscription}`,
          SCOPED_ROLE_ID_FIX,
        ),
      ];
    });
  },
};

export const nondeterministicNameRule: Rule = {
  id: "IG012",
  name: "nondeterministic-name",
  description:
    "An assignment name must be a UUID from values known before apply, or re-applies fail and plans replace it.",
  defaultSeverity: "error",
  check(estate) {
    return hitsWhere(
      estate.assignments,
      (a) => !isDeterministicName(a.name),
      (a) => [
        `${grantText(a)} has name ${JSON.stringify(a.name ?? null)}`,
        "name it uuidv5(scope id, role GUID, identity resource id built from names), never from principal_id",
      ],
    );
  },
};
