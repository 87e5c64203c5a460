import { byKeys } from "../../ordering";
import { POLICY_RULES } from "./policy-rules";
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
import { Rule } from "./rule";

export type { Rule } from "./rule";

/** Every guardrail, by id: findings, reports and SARIF list them in this order. */
export const RULES: readonly Rule[] = [
  ...POLICY_RULES,
  keyVaultAccessPoliciesRule,
  storageSharedKeysRule,
  targetKeysRule,
  databasePasswordsRule,
  duplicateAssignmentRule,
  missingPrincipalTypeRule,
  roleByNameRule,
  unscopedRoleIdRule,
  nondeterministicNameRule,
  identityWithoutGrantsRule,
  standingAccessRule,
  ambiguousDefaultIdentityRule,
  slotDiffersRule,
  sharedIdentityUnionRule,
  federatedTrustRule,
  secretInOutputRule,
  unknownRoleRule,
  unverifiableAssignmentRule,
  unanalysedModuleRule,
  developerWithoutWorkloadRule,
  dataAccessUnloggedRule,
  unreachableTargetRule,
].sort(byKeys((r) => r.id));
