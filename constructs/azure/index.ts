// The azure layer's entry for tests and tools (library files import the files themselves).
export { analyzeCondition } from "./abac/analysis";
export type { AssignmentPermission, ValueSet } from "./abac/analysis";
export { conditionImplies } from "./abac/implication";
export { conditionBoundsProblem, MAX_CONDITION_BYTES, MAX_CONDITION_DEPTH, parseCondition } from "./abac/parser";
export { AzureContext, DECLARED_SUBSCRIPTION_LOCAL } from "./azure-context";
export { isGuid, requireGuid } from "./azure-ids";
export { idTextProblem } from "./azure-names";
export type { NameRule } from "./azure-names";
export { requireDatabasePrincipalName, statementsFor } from "./database-statements";
export type { DatabaseUser } from "./database-statements";
export { GITHUB_ACTIONS_ISSUER, SystemAssignedIdentity } from "./identity";
export { resolveInStack } from "./known-values";
export {
  allRoles,
  findDataPlaneRole,
  findRoleByGuid,
  isAzureRole,
  lookupRole,
  lookupRoleByName,
  role,
  roleDefinitionId,
} from "./role-catalog";
export { permissionsOutside } from "./role-permissions";
export { UNOWNED_SECRET_ATTRIBUTES } from "./secret-attributes";

// The service contract.
export { SERVICE_PARTS } from "./contract";
export { declaredProfiles } from "./contract/audit";
export { acceptsKeys, keyMigrationOf, localAuthProblem, secretAttributes, takesKeys } from "./contract/keys";
export type { KeyMigration, KeyUseLog } from "./contract/keys";
export { mockTables } from "./contract/mocks";
export type { MockWorld } from "./contract/mocks";
export { networkTargetByType, placementByType } from "./contract/network";
export { isNotApplicable } from "./contract/part";
export {
  knownTerraformTypes,
  nameRuleFor,
  resourceGroupNameRule,
  resourceProviderOf,
  resourceTypeOfTerraform,
  typeInfoByAzureType,
  typeInfoByTerraformType,
} from "./contract/resource-types";
