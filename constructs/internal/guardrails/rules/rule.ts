import { Assignment, EstateModel, MANAGED_IDENTITY_KINDS, TfResource } from "../../estate/estate-model";
import { AssignmentFacts, PrincipalClass } from "../../policy/access-policy";

/** One thing a rule found wrong with one resource. */
export interface RuleHit {
  readonly resource: TfResource;
  readonly message: string;
  readonly fix: string;
}

export interface RuleContext {
  /** Token issuers trusted besides GitHub Actions and the stack's own AKS clusters. */
  readonly knownIssuers: readonly string[];
  /** Object ids (lower case) of the groups the stack names for developer access; empty where it is not allowed. */
  readonly developerGroups: ReadonlySet<string>;
  /** What the workloads of the estate a DeveloperAccess mirrors hold: `<scope id>|<role guid>`, lower case. */
  readonly estateGrants: ReadonlySet<string>;
}

export interface Rule {
  /** Stable id, for suppressions and severity settings. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** A rule that can only warn (what it finds is not analysed, rather than wrong), unless set per rule. */
  readonly warnOnly?: boolean;
  check(estate: EstateModel, context: RuleContext): RuleHit[];
}

export function hit(resource: TfResource, message: string, fix: string): RuleHit {
  return { resource, message, fix };
}

/** A hit on each item the predicate picks, on the item's own resource, with its message and fix. */
export function hitsWhere<T extends { readonly resource: TfResource }>(
  items: readonly T[],
  applies: (item: T) => boolean,
  explain: (item: T) => readonly [message: string, fix: string],
): RuleHit[] {
  return items.filter(applies).map((item) => hit(item.resource, ...explain(item)));
}

/** An assignment read from the stack, as the access policy judges it. */
export function factsOf(a: Assignment, context: RuleContext): AssignmentFacts {
  const principal: PrincipalClass = MANAGED_IDENTITY_KINDS.has(a.principal.kind)
    ? "ManagedIdentity"
    : isDeveloperGrant(a, context)
      ? "DeveloperGroup"
      : (a.principal.kind as PrincipalClass);
  return {
    system: a.system,
    role: a.role,
    roleName: a.role?.name ?? a.roleWritten,
    scopeLevel: a.scope.level,
    scopeType: a.scope.typeInfo,
    scopeLabel: a.scope.label,
    condition: a.condition,
    principalId: a.principal.raw,
    principal,
    principalLabel: a.principal.label,
    platformUse: a.platformUse,
  };
}

/** An assignment as hits name it: `<role> for <principal> on <scope>`. */
export function grantText(a: Assignment): string {
  return `${a.role?.name ?? a.roleWritten} for ${a.principal.label} on ${a.scope.label}`;
}

/** Held by the stack's developer group, named by its literal object id with principal type Group. */
export function isDeveloperGrant(a: Assignment, context: RuleContext): boolean {
  return a.principal.kind === "Group" && context.developerGroups.has(a.principal.key);
}
