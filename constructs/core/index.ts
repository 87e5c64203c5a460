// The core layer's entry for tests and tools (library files import the files themselves).
export { ASSIGNMENT_NAMESPACE, roleAssignmentName, uuidv5 } from "./deterministic-name";
export { excerpt } from "./excerpt";
export { tableCell } from "./markdown";
export { byKeys } from "./ordering";
export { onStackSynthesis } from "./stack-synthesis";
