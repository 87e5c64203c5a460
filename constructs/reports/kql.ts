import { CallerLog, Identifier } from "../azure/contract/audit";
import type { KeyUseLog } from "../azure/contract/keys";

/** Whose activity a query looks for: a principal by object id, or by the name it signs in with. */
export type KqlPrincipal = { readonly objectId: string } | { readonly signInName: string };

const SIGN_INS = "AADManagedIdentitySignInLogs";

/** A value no query can name: it holds a control character, so it is no Azure name or id. */
export class UnqueryableValue extends Error {
  constructor(readonly value: string) {
    super(`${JSON.stringify(value)} holds a control character: it is no Azure name or id`);
  }
}

/**
 * The one way a value enters KQL: a string literal. Names and ids come from the stack's JSON (an
 * override can write anything there), so nothing is pasted: backslash and quote are escaped, and a
 * control character (which no Azure name or id holds) is refused rather than guessed at.
 */
export function kqlString(value: string): string {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) throw new UnqueryableValue(value);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Where the tenant's managed-identity sign-ins are, as a query running in the audit workspace reads them. */
export type SignInSource =
  /** In the workspace the query runs in. */
  | { readonly kind: "here" }
  /** In another workspace (the tenant exports them to one destination): read across, by its resource id. */
  | { readonly kind: "workspace"; readonly workspaceId: string }
  /** Exported nowhere: ids cannot be looked up by name. */
  | { readonly kind: "none" };

const signInTable = (source: SignInSource) =>
  source.kind === "workspace" ? `workspace(${kqlString(source.workspaceId)}).${SIGN_INS}` : SIGN_INS;

/**
 * `oid`, `appId` and `principalName` for the principal. A managed identity signs in under its name (a
 * user-assigned identity's, or the compute's for a system-assigned one), and its sign-ins carry
 * both ids, so a query written before apply, when neither id exists yet, finds them there. With
 * no sign-ins anywhere, the ids are left for the reader to fill in (`verify --usage` puts in the
 * object id it reads from Azure).
 */
function oidLet(who: KqlPrincipal, source: SignInSource): string {
  if ("objectId" in who) return `let oid = ${kqlString(who.objectId)};`;
  if (source.kind === "none") return `let oid = ${kqlString(`<object id of ${who.signInName}>`)};`;
  return `let oid = toscalar(${signInTable(source)} | where ServicePrincipalName == ${kqlString(who.signInName)} | summarize arg_max(TimeGenerated, ServicePrincipalId) | project ServicePrincipalId);`;
}

function principalLets(who: KqlPrincipal, source: SignInSource): string {
  const name = "signInName" in who ? who.signInName : "";
  const appId =
    source.kind === "none"
      ? `let appId = ${kqlString(`<client id of ${name || "the principal"}>`)};`
      : `let appId = toscalar(${signInTable(source)} | where ServicePrincipalId == oid | summarize arg_max(TimeGenerated, AppId) | project AppId);`;
  return [oidLet(who, source), appId, `let principalName = ${kqlString(name)};`].join("\n");
}

/** The principal's token acquisitions, run in the workspace that holds the sign-ins: successes and failures per resource. */
export function tokenAcquisitionsQuery(who: KqlPrincipal): string {
  return [
    oidLet(who, { kind: "here" }),
    SIGN_INS,
    "| where ServicePrincipalId == oid",
    '| summarize signIns = countif(ResultType == "0"), failures = countif(ResultType != "0"), last = max(TimeGenerated) by ResourceDisplayName',
  ].join("\n");
}

/**
 * The principal's successful token acquisitions, in one row (`signIns`, `last`), run in the
 * workspace that holds the sign-ins: with `appId`, only those for that Entra resource (the
 * sign-in logs' `ResourceIdentity`), which tell whether a migration's identity carries the load.
 */
export function migrationSignInsQuery(who: KqlPrincipal, appId?: string): string {
  return [
    oidLet(who, { kind: "here" }),
    SIGN_INS,
    "| where ServicePrincipalId == oid",
    '| where ResultType == "0"',
    ...(appId === undefined ? [] : [`| where ResourceIdentity == ${kqlString(appId)}`]),
    "| summarize signIns = count(), last = max(TimeGenerated)",
  ].join("\n");
}

/**
 * Requests made to the target with a key or SAS, in one row (`requests`, `last`), run in the audit
 * workspace. `resourceId` is the target's id; a log kept per service (Storage) carries the
 * service's id below it, as the data-operations queries read it.
 */
export function keyUseQuery(log: KeyUseLog, resourceId: string): string {
  const id = kqlString(`${resourceId}${log.settingOn ?? ""}`);
  return [
    log.table,
    // Rows of an entity (a queue, an event hub) carry its id below the target's.
    `| where _ResourceId =~ ${id} or _ResourceId startswith ${kqlString(`${resourceId}${log.settingOn ?? ""}/`)}`,
    `| where ${log.keyBased}`,
    "| summarize requests = count(), last = max(TimeGenerated)",
  ].join("\n");
}

const PLACEHOLDER: Readonly<Record<Identifier, RegExp>> = { oid: /\{oid\}/g, appId: /\{appId\}/g, name: /\{name\}/g };
const LET_OF: Readonly<Record<Identifier, string>> = { oid: "oid", appId: "appId", name: "principalName" };

/** KQL of the catalog with its placeholders bound to the query's `let`s. */
const bound = (kql: string) =>
  (Object.keys(PLACEHOLDER) as Identifier[]).reduce((text, id) => text.replace(PLACEHOLDER[id], LET_OF[id]), kql);

/** Which of the principal's identifiers a log's caller filter reads. */
export function identifiersOf(log: CallerLog): Identifier[] {
  return (Object.keys(PLACEHOLDER) as Identifier[]).filter((id) =>
    new RegExp(PLACEHOLDER[id].source).test(log.callerIs),
  );
}

/** What one query reads: a resource's rows, or one database's rows of a server that logs per server. */
export interface QueriedResource {
  /** The resource whose rows to read (the database server, for a log kept per server). */
  readonly resourceId: string;
  /** For a log kept per server: the database. */
  readonly database?: string;
}

/** The data operations the principal performed on one audited resource, per operation. */
export function dataOperationsQuery(
  log: CallerLog,
  queried: QueriedResource,
  who: KqlPrincipal,
  source: SignInSource,
): string {
  const resource = kqlString(queried.resourceId);
  const where = (log.where ?? []).map((w) => `| where ${w}`);
  const scope =
    log.database && queried.database !== undefined
      ? [
          // Rows of a server's databases carry the server's id or a database's under it.
          `| where _ResourceId =~ ${resource} or _ResourceId startswith ${kqlString(`${queried.resourceId}/`)}`,
          `| where ${log.database} == ${kqlString(queried.database)}`,
        ]
      : [`| where _ResourceId =~ ${resource}`];
  return [
    principalLets(who, source),
    log.table,
    ...where,
    ...scope,
    `| where ${bound(log.callerIs)}`,
    `| summarize operations = count(), last = max(TimeGenerated) by ${log.operation}`,
  ].join("\n");
}
