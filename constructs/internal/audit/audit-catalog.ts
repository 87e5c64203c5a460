import { ResourceId } from "../../azure-ids";
import { RoleService } from "../../role-catalog";

/**
 * What Azure Monitor records of data-plane access to one kind of target, and where: the
 * resource-log categories a diagnostic setting enables, the table they land in, and the column
 * that names the caller. Categories are Microsoft's "supported resource log categories"; a
 * category a resource does not have fails the apply, so nothing here is guessed per resource.
 */
export interface AuditProfile {
  /** How people name it. */
  readonly kind: string;
  readonly categories: readonly string[];
  /**
   * `Dedicated` (resource-specific tables) where the service writes them; unset where Azure reads
   * the setting back empty (Key Vault, storage), which would show a change at every plan.
   */
  readonly destinationType?: "Dedicated";
  /** Where the categories record who did what; absent when they do not (then `gap` says why). */
  readonly log?: CallerLog;
  /** What these categories do not record of data access (or why none of it), when that is so. */
  readonly gap?: string;
  /** What besides the diagnostic setting the logs need: the server's auditing policy, or connection logging kept on. */
  readonly needs?: "sql-server-auditing" | "postgresql-connection-logging";
}

export const WORKSPACE_TYPE = "Microsoft.OperationalInsights/workspaces";

/** Whether a literal is a Log Analytics workspace's resource id. */
export function isWorkspaceId(value: string): boolean {
  try {
    return ResourceId.parseShape("scope", value).isOfType(WORKSPACE_TYPE);
  } catch {
    return false;
  }
}

/** The stack local naming the workspace that receives the tenant's managed-identity sign-ins: its id, or `none`. */
export const SIGN_IN_WORKSPACE_LOCAL = "audit_sign_in_workspace";

/** The principal's identifiers a caller filter can name: `{oid}`, `{appId}`, `{name}` in its KQL. */
export type Identifier = "oid" | "appId" | "name";

/**
 * A Log Analytics table of data operations, and how to find one principal's rows in it. Every
 * column named here is in Microsoft's table reference (pinned by __tests__/audit-tables.test.ts).
 */
export interface CallerLog {
  readonly table: string;
  /** Conditions (KQL, constants only) that keep this service's rows of a shared table. */
  readonly where?: readonly string[];
  /**
   * KQL that is true for a row the principal caused: `{oid}` (object id), `{appId}` (client id)
   * and `{name}` (the name it has in the service) stand for KQL strings.
   */
  readonly callerIs: string;
  /** The column that says what was done. */
  readonly operation: string;
  /**
   * For a log a server keeps for all its databases: KQL giving a row's database, so a grant in
   * one database reads that database's rows only.
   */
  readonly database?: string;
}

const storage = (service: string, table: string): AuditProfile => ({
  kind: `storage ${service} service`,
  categories: ["StorageRead", "StorageWrite", "StorageDelete"],
  log: { table, callerIs: "RequesterObjectId == {oid}", operation: "OperationName" },
});

/** Service Bus and Event Hubs record data access (RuntimeAuditLogs) on the Premium tier only. */
const messaging = (kind: string, premium: boolean): AuditProfile =>
  premium
    ? {
        kind,
        categories: ["RuntimeAuditLogs"],
        destinationType: "Dedicated",
        // AuthKey is the caller's application (client) id for Entra callers.
        log: { table: "AZMSRunTimeAuditLogs", callerIs: "AuthKey == {appId}", operation: "ActivityName" },
      }
    : {
        kind,
        categories: ["OperationalLogs"],
        destinationType: "Dedicated",
        gap: `below the Premium tier a ${kind} records management operations only, not who sent or received messages (RuntimeAuditLogs is Premium only)`,
      };

const STORAGE_SERVICE: Readonly<Partial<Record<RoleService, readonly [string, string]>>> = {
  "Storage Blob": ["blobServices", "StorageBlobLogs"],
  "Storage Queue": ["queueServices", "StorageQueueLogs"],
  "Storage Table": ["tableServices", "StorageTableLogs"],
  "Storage File": ["fileServices", "StorageFileLogs"],
};
const SERVICE_OF_CHILD: Readonly<Record<string, RoleService>> = Object.fromEntries(
  Object.entries(STORAGE_SERVICE).map(([service, [path]]) => [path.toLowerCase(), service as RoleService]),
);

/** Where a grant's data access is logged: the resource a diagnostic setting goes on, and its profile. */
export interface AuditPoint {
  /** The target's resource, or the storage service it uses (`<account>/blobServices/default`). */
  readonly resourceId: string;
  /** The id path from the target's own resource to `resourceId` (`/blobServices/default`, or empty). */
  readonly suffix: string;
  /** The target's own resource (the account, vault or namespace), at the top of the scope. */
  readonly rootId: string;
  /** How many id segments the scope has below its root resource. */
  readonly depthBelowRoot: number;
  readonly profile: AuditProfile;
  /** For a server that logs all its databases (Azure SQL, PostgreSQL): the grant's database. */
  readonly database?: string;
}

/**
 * Where a data role on `scope` is audited, or undefined for a target no profile covers. The
 * storage service comes from the scope (a container is blob) or, on the account, the role's
 * service. `premium` says whether a messaging namespace is on the Premium tier.
 */
export function auditPointOf(scope: ResourceId, service: RoleService, premium: boolean): AuditPoint | undefined {
  if (scope.level !== "resource") return undefined;
  const [namespace, rootType, childType] = scope.type.split("/");
  const segments = scope.id.split("/");
  const rootId = segments.slice(0, 9).join("/");
  const depthBelowRoot = segments.length - 9;
  const point = (profile: AuditProfile, suffix = ""): AuditPoint => ({
    resourceId: `${rootId}${suffix}`,
    suffix,
    rootId,
    depthBelowRoot,
    profile,
    ...(profile.log?.database && childType?.toLowerCase() === "databases" && segments[10]
      ? { database: segments[10] }
      : {}),
  });
  switch (`${namespace}/${rootType}`.toLowerCase()) {
    case "microsoft.keyvault/vaults":
      return point({
        kind: "Key Vault",
        categories: ["AuditEvent"],
        log: {
          table: "AzureDiagnostics",
          where: ['ResourceProvider == "MICROSOFT.KEYVAULT"'],
          callerIs: "identity_claim_oid_g == {oid}",
          operation: "OperationName",
        },
      });
    case "microsoft.storage/storageaccounts": {
      const storageService = childType ? SERVICE_OF_CHILD[childType.toLowerCase()] : service;
      const entry = storageService ? STORAGE_SERVICE[storageService] : undefined;
      return entry ? point(storage(entry[0].replace("Services", ""), entry[1]), `/${entry[0]}/default`) : undefined;
    }
    case "microsoft.servicebus/namespaces":
      return point(messaging("Service Bus namespace", premium));
    case "microsoft.eventhub/namespaces":
      return point(messaging("Event Hubs namespace", premium));
    case "microsoft.appconfiguration/configurationstores":
      return point({
        kind: "App Configuration store",
        categories: ["HttpRequest", "Audit"],
        destinationType: "Dedicated",
        // AACHttpRequest has no caller column; AACAudit's CallerIdentity is dynamic, its shape undocumented.
        log: { table: "AACAudit", callerIs: "tostring(CallerIdentity) has {oid}", operation: "OperationName" },
        gap: "AACAudit records changes to key-values (writes and deletes), not reads: a reader's use shows in no table",
      });
    case "microsoft.containerregistry/registries":
      return point({
        kind: "container registry",
        categories: ["ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents"],
        destinationType: "Dedicated",
        // Microsoft does not document the Identity column's format: match either id in it.
        log: {
          table: "ContainerRegistryRepositoryEvents",
          callerIs: "(Identity has {oid} or Identity has {appId})",
          operation: "OperationName",
        },
      });
    case "microsoft.cognitiveservices/accounts":
      return point({
        kind: "Cognitive Services account",
        categories: ["Audit", "RequestResponse"],
        log: {
          table: "AzureDiagnostics",
          where: ['ResourceProvider == "MICROSOFT.COGNITIVESERVICES"'],
          // Microsoft does not document where the caller's id is: matched anywhere in the properties.
          callerIs: "properties_s has {oid}",
          operation: "OperationName",
        },
      });
    case "microsoft.documentdb/databaseaccounts":
      return point({
        kind: "Cosmos DB account",
        categories: ["DataPlaneRequests"],
        destinationType: "Dedicated",
        log: { table: "CDBDataPlaneRequests", callerIs: "AadPrincipalId == {oid}", operation: "OperationName" },
      });
    case "microsoft.sql/servers":
      // Server auditing reaches Log Analytics through the master database's diagnostic setting.
      return point(
        {
          kind: "Azure SQL server",
          categories: ["SQLSecurityAuditEvents"],
          needs: "sql-server-auditing",
          log: {
            table: "AzureDiagnostics",
            where: ['Category == "SQLSecurityAuditEvents"'],
            // The database user the statements create is named after the identity.
            callerIs: "database_principal_name_s == {name}",
            operation: "action_name_s",
            database: "database_name_s",
          },
        },
        "/databases/master",
      );
    case "microsoft.dbforpostgresql/flexibleservers":
      return point({
        kind: "PostgreSQL flexible server",
        categories: ["PostgreSQLLogs"],
        needs: "postgresql-connection-logging",
        log: {
          table: "AzureDiagnostics",
          where: [
            'ResourceProvider == "MICROSOFT.DBFORPOSTGRESQL"',
            'Category == "PostgreSQLLogs"',
            'Message has "connection authorized"',
          ],
          callerIs: 'extract(@"user=(\\S+)", 1, Message) == {name}',
          operation: "OperationName",
          database: 'extract(@"database=(\\S+)", 1, Message)',
        },
        gap: "PostgreSQL logs who connected to which database (log_connections, on by default), not what they read or wrote: statements need pgaudit (shared_preload_libraries, pgaudit.log), which the library does not set",
      });
    case "microsoft.cache/redis":
      return point({
        kind: "Redis cache",
        categories: ["MSEntraAuthenticationAuditLog"],
        destinationType: "Dedicated",
        // An Entra client signs in with its object id as user name; the access policy assignment's alias is its name.
        log: {
          table: "ACREntraAuthenticationAuditLog",
          callerIs: "(Username == {oid} or Username == {name})",
          operation: "OperationName",
        },
        gap: "Redis records Entra authentications, not the commands a connection runs",
      });
    case "microsoft.eventgrid/topics":
    case "microsoft.eventgrid/domains":
      return point({
        kind: "Event Grid topic",
        categories: ["DataPlaneRequests"],
        destinationType: "Dedicated",
        gap: "AegDataPlaneRequests counts publish requests per minute by authentication type and client IP, not which identity published",
      });
    case "microsoft.search/searchservices":
      return point({
        kind: "AI Search service",
        categories: ["OperationLogs"],
        gap: "AI Search's OperationLogs record queries and indexing without the caller's identity",
      });
    case "microsoft.insights/components":
      return point({
        kind: "Application Insights component",
        categories: [],
        gap: "Application Insights logs no caller of its ingestion endpoint: who published telemetry is recorded nowhere",
      });
    case "microsoft.containerservice/managedclusters":
      return point({
        kind: "AKS cluster",
        categories: ["kube-audit-admin"],
        destinationType: "Dedicated",
        // User is dynamic (username, uid, groups); Microsoft does not say which holds an Entra principal's id.
        log: { table: "AKSAuditAdmin", callerIs: "tostring(User) has {oid}", operation: "Verb" },
        gap: "kube-audit-admin leaves out get and list, so a reader's requests do not show (kube-audit has them, at far higher volume)",
      });
    default:
      return undefined;
  }
}
