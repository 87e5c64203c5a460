// The guardrails layer's entry for tests and tools (library files import the files themselves).
export { evaluateGuardrails } from "./findings";
export type { Finding } from "./findings";
export { findingsSarif } from "./reports";
export { RULE_CATALOGUE, RULES } from "./rules";
export { unreachableTargetRule } from "./rules/network-rules";
export { findSecrets } from "./secret-scan";
export type { SecretHit } from "./secret-scan";
