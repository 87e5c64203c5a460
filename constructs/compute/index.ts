// The compute layer's entry for tests and tools (library files import the files themselves).
export { systemPoolProblem } from "./aks-platform";
