// The library's public surface. Provider classes are imported per resource inside each file.
export * from "./errors";
export * from "./azure-ids";
export * from "./azure-context";
export * from "./role-catalog";
export * from "./deterministic-name";
export * from "./identity";
export * from "./user-assigned-identity";
export * from "./grant";
export * from "./targets";
export * from "./compute/attachable-compute";
export * from "./compute/app-service";
export * from "./workload-identity";
export * from "./known-values";
