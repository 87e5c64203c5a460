import { byKeys } from "../../core/ordering";
import {
  azureRoleOnOwnDataPlaneRule,
  broadDataRoleRule,
  broadScopeRule,
  conditionOutOfBoundsRule,
  controlPlaneRoleRule,
  nonWorkloadPrincipalRule,
  platformRoleOutsideUseRule,
  privilegedRoleRule,
  roleServiceMismatchRule,
} from "./policy-rules";
import {
  databasePasswordsRule,
  keyVaultAccessPoliciesRule,
  storageSharedKeysRule,
  targetKeysRule,
} from "./target-rules";
import {
  duplicateAssignmentRule,
  missingPrincipalTypeRule,
  nondeterministicNameRule,
  roleByNameRule,
  unscopedRoleIdRule,
} from "./assignment-rules";
import {
  ambiguousDefaultIdentityRule,
  identityWithoutGrantsRule,
  sharedIdentityUnionRule,
  slotDiffersRule,
  standingAccessRule,
} from "./identity-rules";
import { federatedTrustRule } from "./federation-rules";
import { secretInOutputRule } from "./secret-rules";
import { unanalysedModuleRule, unknownRoleRule, unverifiableAssignmentRule } from "./coverage-rules";
import { developerWithoutWorkloadRule } from "./developer-rules";
import { dataAccessUnloggedRule } from "./audit-rules";
import { unreachableTargetRule } from "./network-rules";
import { migrationPhaseRule } from "./migration-rules";
import { Rule } from "./rule";
import type { Severity } from "../settings";

export type { Rule } from "./rule";

/**
 * The rule catalogue: every guardrail, registered once, by family (the rules/ file it lives in).
 * The policy family is the access policy a grant asks too.
 */
const FAMILIES = {
  policy: [
    privilegedRoleRule,
    broadDataRoleRule,
    broadScopeRule,
    controlPlaneRoleRule,
    roleServiceMismatchRule,
    nonWorkloadPrincipalRule,
    platformRoleOutsideUseRule,
    azureRoleOnOwnDataPlaneRule,
    conditionOutOfBoundsRule,
  ],
  target: [keyVaultAccessPoliciesRule, storageSharedKeysRule, targetKeysRule, databasePasswordsRule],
  assignment: [
    duplicateAssignmentRule,
    missingPrincipalTypeRule,
    roleByNameRule,
    unscopedRoleIdRule,
    nondeterministicNameRule,
  ],
  identity: [
    identityWithoutGrantsRule,
    standingAccessRule,
    ambiguousDefaultIdentityRule,
    slotDiffersRule,
    sharedIdentityUnionRule,
  ],
  federation: [federatedTrustRule],
  secret: [secretInOutputRule],
  coverage: [unknownRoleRule, unverifiableAssignmentRule, unanalysedModuleRule],
  developer: [developerWithoutWorkloadRule],
  audit: [dataAccessUnloggedRule],
  network: [unreachableTargetRule],
  migration: [migrationPhaseRule],
} as const satisfies Record<string, readonly Rule[]>;

export type RuleFamily = keyof typeof FAMILIES;

/** What documentation says of a rule: the catalogue without the checks. */
export interface RuleEntry {
  readonly id: string;
  readonly name: string;
  readonly family: RuleFamily;
  readonly defaultSeverity: Severity;
  readonly description: string;
}

const byId = byKeys((r: { readonly id: string }) => r.id);

/** Every rule's entry, by id: what the docs' rule table is generated from. */
export const RULE_CATALOGUE: readonly RuleEntry[] = Object.entries(FAMILIES)
  .flatMap(([family, rules]) =>
    rules.map(({ id, name, defaultSeverity, description }) => ({
      id,
      name,
      family: family as RuleFamily,
      defaultSeverity,
      description,
    })),
  )
  .sort(byId);

/** Every guardrail, by id: findings, reports and SARIF list them in this order. */
export const RULES: readonly Rule[] = Object.values(FAMILIES).flat().sort(byId);

const IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

/** Whether a suppression or a severity setting names a rule of the catalogue. */
export const isRuleId = (id: string): boolean => IDS.has(id);
