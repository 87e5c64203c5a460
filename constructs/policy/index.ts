// The policy layer's entry for tests and tools (library files import the files themselves).
// The access policy as one namespace: the rule catalogue's test enumerates its predicates.
export * as accessPolicy from "./access-policy";
export { conditionLimitsRoles } from "./condition-limits";
export { configureSuppressionHorizon } from "./suppression-record";
