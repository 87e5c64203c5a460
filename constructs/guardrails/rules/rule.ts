import { Assignment, EstateModel, TfResource } from "../../estate/estate-model";
import type { Severity } from "../settings";
import type { RecordedSuppression } from "../../policy/suppression-record";

export { grantText } from "../../policy/access-policy";

/** One thing a rule found wrong with one resource. */
export interface RuleHit {
  readonly resource: TfResource;
  readonly message: string;
  readonly fix: string;
  /** A declared migration that accepts this finding for its phase, until its expiry (shown like a suppression). */
  readonly acceptedBy?: RecordedSuppression;
}

export interface RuleContext {
  /** Token issuers trusted besides GitHub Actions and the stack's own AKS clusters. */
  readonly knownIssuers: readonly string[];
  /** Object ids (lower case) of the groups the stack names for developer access; empty where it is not allowed. */
  readonly developerGroups: ReadonlySet<string>;
  /** What the workloads of the estate a DeveloperAccess mirrors hold: `<scope id>|<role guid>`, lower case. */
  readonly estateGrants: ReadonlySet<string>;
  /** The day findings are judged on (YYYY-MM-DD): what migrations and suppressions expire against. */
  readonly today: string;
}

/** One guardrail: a named check over the stack's estate, listed in the rule catalogue (rules/index.ts). */
export interface Rule {
  /** Stable id (`IG` and three digits), for suppressions and severity settings. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /**
   * How its findings count unless the settings name the rule: `error` follows the environment's
   * severity; `warning` only warns (what it finds is not analysed, rather than wrong).
   */
  readonly defaultSeverity: Severity;
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

/** Held by the stack's developer group, named by its literal object id with principal type Group. */
export function isDeveloperGrant(a: Assignment, context: RuleContext): boolean {
  return a.principal.kind === "Group" && context.developerGroups.has(a.principal.key);
}
