export * from "./findings";
export * from "./guardrails";
export * from "./reports";
export * from "./rules";
export * from "./suppressions";
