// The reports layer's entry for tests and tools (library files import the files themselves).
export { renderAccessReport } from "./access-report";
export type { ReportGrant, ReportMigration } from "./access-report";
export { kqlString, migrationSignInsQuery, tokenAcquisitionsQuery } from "./kql";
