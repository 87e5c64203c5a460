// The reports layer's entry for tests and tools (library files import the files themselves).
export { renderAccessReport } from "./access-report";
export type { ReportGrant, ReportMigration } from "./access-report";
export { keyUseQuery, kqlString, migrationSignInsQuery, tokenAcquisitionsQuery } from "./kql";
