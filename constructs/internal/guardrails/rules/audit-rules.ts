import { auditCoverageOf } from "../../audit/coverage";
import { grantText, hit, Rule } from "./rule";

export const dataAccessUnloggedRule: Rule = {
  id: "IG026",
  name: "data-access-unlogged",
  description:
    "A data role on a target whose data-access logs go to no Log Analytics workspace: an investigation cannot say which identity read what. Targets in another subscription are their owners' to log.",
  warnOnly: true,
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
      if (!coverage || !ours || coverage.missing.length === 0) return [];
      const { point } = coverage;
      return [
        hit(
          a.resource,
          `${grantText(a)}: the ${point.profile.kind} ${point.resourceId} sends ${coverage.setting ? `no ${coverage.missing.join(", ")}` : "no data-access logs"} to a Log Analytics workspace`,
          `pass auditLogs: { workspaceId } to configureIdentityStack (the grant then adds the diagnostic setting), or send ${point.profile.categories.join(", ")} of ${point.resourceId} to a workspace`,
        ),
      ];
    });
  },
};
