import { CallerLog } from "./audit-catalog";

/** Whose activity a query looks for: a principal by object id, or by the name it signs in with. */
export type KqlPrincipal = { readonly objectId: string } | { readonly signInName: string };

const SIGN_INS = "AADManagedIdentitySignInLogs";

/** A KQL string literal. */
const text = (value: string) => JSON.stringify(value);

/**
 * `oid` and `appId` for the principal. A managed identity signs in under its name (a user-assigned
 * identity's, or the compute's for a system-assigned one), and its sign-ins carry both ids, so
 * a query written before apply, when neither id exists yet, finds them there.
 */
function principalLets(who: KqlPrincipal): string {
  const oid =
    "objectId" in who
      ? `let oid = ${text(who.objectId)};`
      : `let oid = toscalar(${SIGN_INS} | where ServicePrincipalName == ${text(who.signInName)} | summarize arg_max(TimeGenerated, ServicePrincipalId) | project ServicePrincipalId);`;
  return `${oid}\nlet appId = toscalar(${SIGN_INS} | where ServicePrincipalId == oid | summarize arg_max(TimeGenerated, AppId) | project AppId);`;
}

/** The principal's token acquisitions: successes and failures per resource it asked a token for. */
export function tokenAcquisitionsQuery(who: KqlPrincipal): string {
  return [
    principalLets(who),
    SIGN_INS,
    "| where ServicePrincipalId == oid",
    '| summarize signIns = countif(ResultType == "0"), failures = countif(ResultType != "0"), last = max(TimeGenerated) by ResourceDisplayName',
  ].join("\n");
}

/** The data operations the principal performed on one audited resource, per operation. */
export function dataOperationsQuery(log: CallerLog, resourceId: string, who: KqlPrincipal): string {
  return [
    principalLets(who),
    log.table,
    `| where _ResourceId =~ ${text(resourceId)}`,
    `| where ${log.callerIs.replace(/\{oid\}/g, "oid").replace(/\{appId\}/g, "appId")}`,
    `| summarize operations = count(), last = max(TimeGenerated) by ${log.operation}`,
  ].join("\n");
}
