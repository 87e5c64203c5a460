// The estate reader's entry for tests and tools (library files import the files themselves).
export { auditPointOf, isWorkspaceId } from "./audit-catalog";
export { azureScopeId } from "./azure-id-of";
export { stepsOfGrants } from "./database-access-outputs";
export { block, readEstate } from "./estate-model";
