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
  /** Why these categories do not record data access, when that is so. */
  readonly gap?: string;
}

/** A Log Analytics table of data operations, and how to find one principal's rows in it. */
export interface CallerLog {
  /** The table, with any filter that keeps this service's rows. */
  readonly table: string;
  /** KQL that is true for a row the principal caused, with `{oid}` and `{appId}` standing for KQL strings. */
  readonly callerIs: string;
  /** The column that says what was done. */
  readonly operation: string;
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
  const point = (profile: AuditProfile, suffix = "") => ({
    resourceId: `${rootId}${suffix}`,
    suffix,
    rootId,
    depthBelowRoot,
    profile,
  });
  switch (`${namespace}/${rootType}`.toLowerCase()) {
    case "microsoft.keyvault/vaults":
      return point({
        kind: "Key Vault",
        categories: ["AuditEvent"],
        log: {
          table: 'AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT"',
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
        log: { table: "AACHttpRequest", callerIs: "ClientObjectId == {oid}", operation: "Method" },
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
          table: 'AzureDiagnostics | where ResourceProvider == "MICROSOFT.COGNITIVESERVICES"',
          callerIs: "properties_s has {oid}",
          operation: "OperationName",
        },
      });
    default:
      return undefined;
  }
}
