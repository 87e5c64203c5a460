import { ScopeLevel } from "../azure/azure-ids";
import { allRoles, isAzureRole, RoleDefinition, RoleService, RoleSystem } from "../azure/role-catalog";
import { ResourceTypeInfo } from "../azure/contract/resource-types";
import { conditionLimitsRoles } from "./condition-limits";
import { conditionBoundsProblem } from "../azure/abac/parser";
import { excerpt } from "../core/excerpt";

/**
 * Who holds a grant, as far as the policy cares. A `DeveloperGroup` is a group the stack names
 * for developer access (configureIdentityStack's `developerAccess`); any other group is a `Group`.
 */
export type PrincipalClass = "ManagedIdentity" | "ServicePrincipal" | "DeveloperGroup" | "User" | "Group" | "Unknown";

/**
 * One role assignment as the policy judges it, whether it is about to be made by a grant or read
 * back from the synthesized JSON: the same facts give the same verdict in both places. The estate
 * reader's assignment is these facts as it stands; a grant writes them once from its request.
 */
export interface AssignmentFacts {
  /** Who authorizes the assignment: Azure RBAC (`azurerm_role_assignment`), or a service's own data plane. */
  readonly system: RoleSystem;
  /** The catalog entry, when the role is a catalogued built-in. */
  readonly role?: RoleDefinition;
  /** The role as written (id or name): what names a role outside the catalog. */
  readonly roleWritten: string;
  readonly scope: {
    readonly level: ScopeLevel | "unknown";
    /** The scope's resource type, when known: which services' roles mean something there. */
    readonly typeInfo?: ResourceTypeInfo;
    readonly label: string;
  };
  readonly condition?: string;
  readonly principal: {
    /** The principal id as written, to check that a condition excludes its holder. */
    readonly raw: string;
    readonly label: string;
  };
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

/**
 * One predicate of the access policy, named by the guardrail rule that reports it on the JSON
 * (a grant's error names it too). Its holder is who the principal is to the stack: a managed
 * identity at grant time, whatever the estate makes of the principal in the JSON.
 */
export interface PolicyPredicate {
  readonly id: string;
  readonly name: string;
  /** Whether a justification in code may let a grant through (it then suppresses this rule). */
  readonly justifiable: boolean;
  judge(facts: AssignmentFacts, holder: PrincipalClass): Verdict | undefined;
}

const roleName = (f: AssignmentFacts) => f.role?.name ?? f.roleWritten;

/** An assignment as verdicts and hits name it: `<role> for <principal> on <scope>`. */
export const grantText = (f: AssignmentFacts) => `${roleName(f)} for ${f.principal.label} on ${f.scope.label}`;

/** The narrow data roles of the scope's services: what to grant instead. */
function narrowDataRoles(scopeType: ResourceTypeInfo | undefined): RoleDefinition[] {
  const services = (scopeType?.services ?? []) as readonly RoleService[];
  return allRoles().filter((r) => r.plane === "data" && !r.broad && services.includes(r.service));
}

/**
 * Whether the scope's services' data only their own authorization reaches: every data role of
 * theirs in the catalog is a data-plane role, none an Azure role. Read when judged, since a
 * consumer's service may register after this module loads.
 */
const authorizesItsOwnData = (scopeType: ResourceTypeInfo | undefined) =>
  (scopeType?.services ?? []).some((s) => allRoles().some((r) => !isAzureRole(r) && r.service === s));

const suggest = (f: AssignmentFacts) => {
  const roles = narrowDataRoles(f.scope.typeInfo).map((r) => r.name);
  return roles.length > 0
    ? `grant the narrowest data role that makes the call succeed (${roles.join(", ")})`
    : "grant the narrowest data role of the target's service";
};

export const privilegedRole: PolicyPredicate = {
  id: "IG001",
  name: "privileged-role",
  justifiable: true,
  judge(f) {
    if (f.role?.plane !== "privileged") return undefined;
    if (!f.role.privilegedUnlessConditioned)
      return {
        message: `privileged role ${grantText(f)}: it can change the resource or hand out access`,
        fix: suggest(f),
      };
    const verdict = conditionLimitsRoles(f.condition, f.principal.raw);
    if (verdict.limits) return undefined;
    return {
      message: `privileged role ${grantText(f)}: it can hand out access, because ${verdict.why}`,
      fix: "add a condition from onlyAssignRoles(holder, roles): writes and deletes limited to listed non-privileged roles, to service principals, never to the holder",
    };
  },
};

export const broadDataRole: PolicyPredicate = {
  id: "IG002",
  name: "broad-data-role",
  justifiable: true,
  judge: (f) => (f.role?.broad ? { message: `broad data role ${grantText(f)}`, fix: suggest(f) } : undefined),
};

export const broadScope: PolicyPredicate = {
  id: "IG003",
  name: "broad-scope",
  justifiable: true,
  judge: (f) =>
    f.scope.level !== "resource" && f.scope.level !== "unknown"
      ? {
          message: `${roleName(f)} at ${f.scope.level} scope ${f.scope.label}`,
          fix: "grant on the exact resource (or sub-resource) the workload uses",
        }
      : undefined,
};

export const controlPlaneRole: PolicyPredicate = {
  id: "IG004",
  name: "control-plane-role",
  justifiable: true,
  judge: (f) =>
    f.role?.plane === "control" &&
    narrowDataRoles(f.scope.typeInfo).length > 0 &&
    !authorizesItsOwnData(f.scope.typeInfo)
      ? { message: `control-plane role ${grantText(f)}: it manages the resource but reads no data`, fix: suggest(f) }
      : undefined,
};

export const azureRoleOnOwnDataPlane: PolicyPredicate = {
  id: "IG027",
  name: "azure-role-on-own-data-plane",
  justifiable: true,
  judge: (f) =>
    f.system === "azure-rbac" && f.role?.plane !== "privileged" && authorizesItsOwnData(f.scope.typeInfo)
      ? {
          message: `Azure role ${grantText(f)}: a ${f.scope.typeInfo!.kind} authorizes data access itself, so no Azure role reaches its data`,
          fix: `${suggest(f)}, granted on the ${f.scope.typeInfo!.kind} target, which makes the service's own assignment (or its database statements)`,
        }
      : undefined,
};

export const roleServiceMismatch: PolicyPredicate = {
  id: "IG005",
  name: "role-service-mismatch",
  justifiable: false,
  judge(f) {
    const services = f.scope.typeInfo?.services as readonly RoleService[] | undefined;
    if (!f.role || f.role.service === "Any resource" || !services || services.includes(f.role.service))
      return undefined;
    return {
      message: `${f.role.service} role ${grantText(f)}, a ${f.scope.typeInfo!.kind}: it grants nothing there`,
      fix: suggest(f),
    };
  },
};

const WORKLOAD_PRINCIPALS: ReadonlySet<PrincipalClass> = new Set(["ManagedIdentity", "ServicePrincipal"]);

/** What a principal may hold beyond control-plane roles: workloads anything the other rules allow, developers narrow data roles. */
function mayHold(f: AssignmentFacts, holder: PrincipalClass): boolean {
  if (WORKLOAD_PRINCIPALS.has(holder)) return true;
  return holder === "DeveloperGroup" && f.role?.plane === "data" && !f.role.broad;
}

export const nonWorkloadPrincipal: PolicyPredicate = {
  id: "IG021",
  name: "non-workload-principal",
  justifiable: false,
  judge(f, holder) {
    // Operating a managed identity (or writing its federated credentials) is acting as it: all its data access.
    const reaches = f.role === undefined || f.role.plane !== "control" || f.role.service === "Managed Identity";
    if (!reaches || mayHold(f, holder)) return undefined;
    const who =
      holder === "Unknown"
        ? "a principal that is no managed identity of the estate"
        : holder === "DeveloperGroup"
          ? "the developer group, which may hold narrow data roles only"
          : `a ${holder.toLowerCase()}`;
    const developers =
      holder === "Group" || holder === "User"
        ? "; developer access goes to the one group configureIdentityStack names in `developerAccess`, in environments that allow it"
        : "";
    return {
      message: `${grantText(f)} is held by ${who}`,
      fix: `grant the role to the workload's managed identity; people reach data through the workload, or through access governed outside this estate${developers}`,
    };
  },
};

export const platformRoleOutsideUse: PolicyPredicate = {
  id: "IG024",
  name: "platform-role-outside-platform-use",
  justifiable: false,
  judge: (f) =>
    f.role?.plane === "platform" && f.platformUse === undefined
      ? {
          message: `platform role ${grantText(f)}: no compute of the stack runs its platform as this principal on this resource`,
          fix: "let the compute's construct grant it (AksClusterIdentity grants its control plane on the subnets and DNS zone the cluster uses), or grant a data role",
        }
      : undefined,
};

export const conditionOutOfBounds: PolicyPredicate = {
  id: "IG031",
  name: "condition-out-of-bounds",
  justifiable: false,
  judge(f) {
    const problem = f.condition === undefined ? undefined : conditionBoundsProblem(f.condition);
    return problem
      ? {
          message: `${grantText(f)} has a condition no rule can judge: ${problem}`,
          fix: "write the condition as Azure's format and syntax describes it (onlyAssignRoles for RBAC Administrator), a few parenthesised expressions per action",
          value: excerpt(f.condition!),
        }
      : undefined;
  },
};

/** The access policy: every predicate that decides whether an assignment is allowed, in the order a grant asks them. */
const ACCESS_POLICY: readonly PolicyPredicate[] = [
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

/** What the policy finds wrong with one assignment, predicate by predicate. */
export function judgeAssignment(
  facts: AssignmentFacts,
  holder: PrincipalClass,
): { readonly predicate: PolicyPredicate; readonly verdict: Verdict }[] {
  return ACCESS_POLICY.flatMap((predicate) => {
    const verdict = predicate.judge(facts, holder);
    return verdict ? [{ predicate, verdict }] : [];
  });
}
