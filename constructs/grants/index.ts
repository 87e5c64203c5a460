// The grants layer's entry for tests and tools (library files import the files themselves).
export { grantRole, grantsIn } from "./grants";
