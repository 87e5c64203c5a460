import { auditCoverageOf } from "../../estate/audit-coverage";
import { grantText, hit, Rule } from "./rule";

export const dataAccessUnloggedRule: Rule = {
  id: "IG026",
  name: "data-access-unlogged",
  description:
    "A data role on a target whose data-access logs go to no Log Analytics workspace (or not as the report's queries read them, or, for Azure SQL, without server auditing): an investigation cannot say which identity read what. Targets in another subscription are their owners' to log; a service that records no caller is a gap the report states.",
  defaultSeverity: "warning",
  check(estate) {
    // People's grants (developer access) are on the workloads' targets, which the workloads' stack logs.
    const workloadGrants = estate.assignments.filter(
      (a) => a.principal.kind !== "Group" && a.principal.kind !== "User",
    );
    return workloadGrants.flatMap((a) => {
      const coverage = auditCoverageOf(a, estate);
      const ours = coverage?.point.rootId
        .toLowerCase()
        .startsWith(`/subscriptions/${estate.subscriptionId?.toLowerCase()}/`);
      if (!coverage || !ours || (coverage.missing.length === 0 && coverage.problems.length === 0)) return [];
      const { point } = coverage;
      const unsent =
        coverage.missing.length === 0
          ? []
          : [
              `sends ${coverage.setting ? `no ${coverage.missing.join(", ")}` : "no data-access logs"} to a Log Analytics workspace`,
            ];
      return [
        hit(
          a.resource,
          `${grantText(a)}: the ${point.profile.kind} ${point.resourceId} ${[...unsent, ...coverage.problems].join("; ")}`,
          `pass auditLogs: { workspaceId } to configureIdentityStack (the grant then adds what it needs), or send ${point.profile.categories.join(", ")} of ${point.resourceId} to a workspace${point.profile.destinationType ? ` (log_analytics_destination_type = ${point.profile.destinationType})` : ""}${point.profile.needs ? ` and ${point.profile.needs.fix}` : ""}`,
        ),
      ];
    });
  },
};
