import { ScopeLevel } from "../../azure-ids";
import { ALL_ROLES, RoleDefinition, RoleService, RoleSystem } from "../../role-catalog";
import { ResourceTypeInfo } from "../resource-types";
import { conditionLimitsRoles } from "./condition-limits";
import { conditionBoundsProblem, MAX_CONDITION_BYTES } from "../abac/parser";
import { excerpt } from "../excerpt";

/**
 * Who holds a grant, as far as the policy cares. A `DeveloperGroup` is a group the stack names
 * for developer access (configureIdentityStack's `developerAccess`); any other group is a `Group`.
 */
export type PrincipalClass = "ManagedIdentity" | "ServicePrincipal" | "DeveloperGroup" | "User" | "Group" | "Unknown";

/**
 * One role assignment as the policy judges it, whether it is about to be made by a grant or read
 * back from the synthesized JSON: the same facts give the same verdict in both places.
 */
export interface AssignmentFacts {
  /** Who authorizes the assignment: Azure RBAC (`azurerm_role_assignment`), or a service's own data plane. */
  readonly system: RoleSystem;
  /** The catalog entry, when the role is a catalogued built-in. */
  readonly role?: RoleDefinition;
  readonly roleName: string;
  readonly scopeLevel: ScopeLevel | "unknown";
  /** The scope's resource type, when known: which services' roles mean something there. */
  readonly scopeType?: ResourceTypeInfo;
  readonly scopeLabel: string;
  readonly condition?: string;
  /** The principal id as written, to check that a condition excludes its holder. */
  readonly principalId: string;
  readonly principal: PrincipalClass;
  readonly principalLabel: string;
  /**
   * What the assignment lets a platform do, when a compute is configured to need exactly it:
   * the compute's platform identity on a resource it uses (`node subnet of AKS cluster x`).
   */
  readonly platformUse?: string;
}

export interface Verdict {
  readonly message: string;
  readonly fix: string;
  /** The bad value, when it is not the role: a grant's error names it. */
  readonly value?: unknown;
}

/** One predicate of the access policy, tied to the guardrail rule that reports it. */
export interface PolicyRule {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Whether a justification in code may let a grant through (it then suppresses this rule). */
  readonly justifiable: boolean;
  judge(facts: AssignmentFacts): Verdict | undefined;
}

const subject = (f: AssignmentFacts) => `${f.roleName} for ${f.principalLabel} on ${f.scopeLabel}`;

/** The narrow data roles of the scope's services: what to grant instead. */
function narrowDataRoles(scopeType: ResourceTypeInfo | undefined): RoleDefinition[] {
  const services = (scopeType?.services ?? []) as readonly RoleService[];
  return ALL_ROLES.filter((r) => r.plane === "data" && !r.broad && services.includes(r.service));
}

/**
 * Services whose data only their own authorization reaches (Cosmos DB, Redis, Azure SQL,
 * PostgreSQL): every data role of theirs in the catalog is a data-plane role, none an Azure role.
 */
const OWN_DATA_PLANE: ReadonlySet<RoleService> = new Set(
  ALL_ROLES.filter((r) => r.system !== "azure-rbac").map((r) => r.service),
);

const authorizesItsOwnData = (scopeType: ResourceTypeInfo | undefined) =>
  (scopeType?.services ?? []).some((s) => OWN_DATA_PLANE.has(s));

const suggest = (f: AssignmentFacts) => {
  const roles = narrowDataRoles(f.scopeType).map((r) => r.name);
  return roles.length > 0
    ? `grant the narrowest data role that makes the call succeed (${roles.join(", ")})`
    : "grant the narrowest data role of the target's service";
};

const policyRule = (
  id: string,
  name: string,
  description: string,
  justifiable: boolean,
  judge: PolicyRule["judge"],
): PolicyRule => ({ id, name, description, justifiable, judge });

const privilegedRole = policyRule(
  "IG001",
  "privileged-role",
  "Owner, Contributor, User Access Administrator, or RBAC Administrator without a condition that provably limits what it assigns.",
  true,
  (f) => {
    if (f.role?.plane !== "privileged") return undefined;
    if (!f.role.privilegedUnlessConditioned)
      return {
        message: `privileged role ${subject(f)}: it can change the resource or hand out access`,
        fix: suggest(f),
      };
    const verdict = conditionLimitsRoles(f.condition, f.principalId);
    if (verdict.limits) return undefined;
    return {
      message: `privileged role ${subject(f)}: it can hand out access, because ${verdict.why}`,
      fix: "add a condition from onlyAssignRoles(holder, roles): writes and deletes limited to listed non-privileged roles, to service principals, never to the holder",
    };
  },
);

const broadDataRole = policyRule(
  "IG002",
  "broad-data-role",
  "A *Data Owner role or Key Vault Administrator: all data plus control of access to it.",
  true,
  (f) => (f.role?.broad ? { message: `broad data role ${subject(f)}`, fix: suggest(f) } : undefined),
);

const broadScope = policyRule(
  "IG003",
  "broad-scope",
  "A grant at management group, subscription or resource group scope reaches everything below it, now and later.",
  true,
  (f) =>
    f.scopeLevel !== "resource" && f.scopeLevel !== "unknown"
      ? {
          message: `${f.roleName} at ${f.scopeLevel} scope ${f.scopeLabel}`,
          fix: "grant on the exact resource (or sub-resource) the workload uses",
        }
      : undefined,
);

const controlPlaneRole = policyRule(
  "IG004",
  "control-plane-role",
  "A control-plane role on a target whose service has data-plane roles.",
  true,
  (f) =>
    f.role?.plane === "control" && narrowDataRoles(f.scopeType).length > 0 && !authorizesItsOwnData(f.scopeType)
      ? { message: `control-plane role ${subject(f)}: it manages the resource but reads no data`, fix: suggest(f) }
      : undefined,
);

const azureRoleOnOwnDataPlane = policyRule(
  "IG027",
  "azure-role-on-own-data-plane",
  "An Azure role assignment on Cosmos DB, Redis, Azure SQL or PostgreSQL, whose data only the service's own authorization reaches: the role grants no data access, and management roles there can read the keys.",
  true,
  (f) =>
    f.system === "azure-rbac" && f.role?.plane !== "privileged" && authorizesItsOwnData(f.scopeType)
      ? {
          message: `Azure role ${subject(f)}: a ${f.scopeType!.kind} authorizes data access itself, so no Azure role reaches its data`,
          fix: `${suggest(f)}, granted on the ${f.scopeType!.kind} target, which makes the service's own assignment (or its database statements)`,
        }
      : undefined,
);

const roleServiceMismatch = policyRule(
  "IG005",
  "role-service-mismatch",
  "A role of one service on another service's resource does nothing.",
  false,
  (f) => {
    const services = f.scopeType?.services as readonly RoleService[] | undefined;
    if (!f.role || f.role.service === "Any resource" || !services || services.includes(f.role.service))
      return undefined;
    return {
      message: `${f.role.service} role ${subject(f)}, a ${f.scopeType!.kind}: it grants nothing there`,
      fix: suggest(f),
    };
  },
);

const WORKLOAD_PRINCIPALS: ReadonlySet<PrincipalClass> = new Set(["ManagedIdentity", "ServicePrincipal"]);

/** What a principal may hold beyond control-plane roles: workloads anything the other rules allow, developers narrow data roles. */
function mayHold(f: AssignmentFacts): boolean {
  if (WORKLOAD_PRINCIPALS.has(f.principal)) return true;
  return f.principal === "DeveloperGroup" && f.role?.plane === "data" && !f.role.broad;
}

const nonWorkloadPrincipal = policyRule(
  "IG021",
  "non-workload-principal",
  "Data-plane, platform, privileged and identity-operating roles go to workload identities only: never to a user, a group, or a principal the estate cannot name. The one exception is the stack's developer group (developer access), and for narrow data roles only.",
  false,
  (f) => {
    // Operating a managed identity (or writing its federated credentials) is acting as it: all its data access.
    const reaches = f.role === undefined || f.role.plane !== "control" || f.role.service === "Managed Identity";
    if (!reaches || mayHold(f)) return undefined;
    const who =
      f.principal === "Unknown"
        ? "a principal that is no managed identity of the estate"
        : f.principal === "DeveloperGroup"
          ? "the developer group, which may hold narrow data roles only"
          : `a ${f.principal.toLowerCase()}`;
    const developers =
      f.principal === "Group" || f.principal === "User"
        ? "; developer access goes to the one group configureIdentityStack names in `developerAccess`, in environments that allow it"
        : "";
    return {
      message: `${subject(f)} is held by ${who}`,
      fix: `grant the role to the workload's managed identity; people reach data through the workload, or through access governed outside this estate${developers}`,
    };
  },
);

const platformRoleOutsideUse = policyRule(
  "IG024",
  "platform-role-outside-platform-use",
  "A platform role (Network Contributor, Private DNS Zone Contributor) held by anything but a compute's platform identity, on anything but what that compute is configured to use.",
  false,
  (f) =>
    f.role?.plane === "platform" && f.platformUse === undefined
      ? {
          message: `platform role ${subject(f)}: no compute of the stack runs its platform as this principal on this resource`,
          fix: "let the compute's construct grant it (AksClusterIdentity grants its control plane on the subnets and DNS zone the cluster uses), or grant a data role",
        }
      : undefined,
);

const conditionOutOfBounds = policyRule(
  "IG031",
  "condition-out-of-bounds",
  `A condition longer than Azure accepts (${MAX_CONDITION_BYTES} bytes), or nested deeper than any real condition: Azure refuses the first, and no rule can read the second.`,
  false,
  (f) => {
    const problem = f.condition === undefined ? undefined : conditionBoundsProblem(f.condition);
    return problem
      ? {
          message: `${subject(f)} has a condition no rule can judge: ${problem}`,
          fix: "write the condition as Azure's format and syntax describes it (onlyAssignRoles for RBAC Administrator), a few parenthesised expressions per action",
          value: excerpt(f.condition!),
        }
      : undefined;
  },
);

/** The access policy: every predicate that decides whether an assignment is allowed. */
export const ACCESS_POLICY: readonly PolicyRule[] = [
  // First: a grant refused for its condition names the condition, not what the other rules make of it.
  conditionOutOfBounds,
  privilegedRole,
  broadDataRole,
  broadScope,
  controlPlaneRole,
  roleServiceMismatch,
  azureRoleOnOwnDataPlane,
  nonWorkloadPrincipal,
  platformRoleOutsideUse,
];

/** What the policy finds wrong with one assignment, rule by rule. */
export function judgeAssignment(facts: AssignmentFacts): { readonly rule: PolicyRule; readonly verdict: Verdict }[] {
  return ACCESS_POLICY.flatMap((rule) => {
    const verdict = rule.judge(facts);
    return verdict ? [{ rule, verdict }] : [];
  });
}
