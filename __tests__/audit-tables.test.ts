import "../constructs/services";
import { ResourceId, RoleService, IdentityConfigError, CallerLog } from "../constructs";
import { allRoles, declaredProfiles } from "../constructs/azure";
import { auditPointOf } from "../constructs/estate";
import { SUBSCRIPTION, defineTestService } from "./helpers";

/**
 * The columns each table has, as Microsoft's Azure Monitor table reference lists them (checked
 * for this change; the pages are named by table). AzureDiagnostics has per-service columns: those
 * are from the service's own log-format page. A profile may name no other column.
 */
const VERIFIED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  // learn.microsoft.com/azure/azure-monitor/reference/tables/storagebloblogs (and queue, table, file)
  StorageBlobLogs: ["_ResourceId", "TimeGenerated", "RequesterObjectId", "OperationName"],
  StorageQueueLogs: ["_ResourceId", "TimeGenerated", "RequesterObjectId", "OperationName"],
  StorageTableLogs: ["_ResourceId", "TimeGenerated", "RequesterObjectId", "OperationName"],
  StorageFileLogs: ["_ResourceId", "TimeGenerated", "RequesterObjectId", "OperationName"],
  // .../tables/azmsruntimeauditlogs: AuthKey is "Azure Active Directory application ID or SAS policy name"
  AZMSRunTimeAuditLogs: ["_ResourceId", "TimeGenerated", "AuthKey", "ActivityName"],
  // .../tables/aacaudit (AACHttpRequest has no caller column)
  AACAudit: ["_ResourceId", "TimeGenerated", "CallerIdentity", "OperationName"],
  // .../tables/containerregistryrepositoryevents
  ContainerRegistryRepositoryEvents: ["_ResourceId", "TimeGenerated", "Identity", "OperationName"],
  // .../tables/cdbdataplanerequests
  CDBDataPlaneRequests: ["_ResourceId", "TimeGenerated", "AadPrincipalId", "OperationName"],
  // .../tables/acrentraauthenticationauditlog (Azure Cache for Redis)
  ACREntraAuthenticationAuditLog: ["_ResourceId", "TimeGenerated", "Username", "OperationName"],
  // .../tables/aksauditadmin
  AKSAuditAdmin: ["_ResourceId", "TimeGenerated", "User", "Verb"],
  // .../tables/azurediagnostics, plus: Key Vault's AuditEvent fields (key-vault/general/logging);
  // Azure SQL's audit-log-format ("AzureDiagnostics table with the category SQLSecurityAuditEvents");
  // PostgreSQL flexible server's concepts-logging "Log format" (Category PostgreSQLLogs, Message)
  AzureDiagnostics: [
    "_ResourceId",
    "TimeGenerated",
    "ResourceProvider",
    "Category",
    "OperationName",
    "Message",
    "identity_claim_oid_g",
    "properties_s",
    "database_principal_name_s",
    "database_name_s",
    "action_name_s",
    // MySQL flexible server's concepts-audit-logs (Category MySqlAuditLogs): connection and table access events
    "user_s",
    "db_s",
    "event_subclass_s",
  ],
};

/** KQL words a caller filter may use that are no column. */
const KQL_WORDS = new Set(["has", "or", "and", "not", "tostring", "extract"]);

/** The identifiers a KQL fragment reads: string literals and the catalog's placeholders removed. */
function columnsOf(kql: string): string[] {
  const bare = kql
    .replace(/@"[^"]*"/g, " ")
    .replace(/"(?:[^"\\]|\\.)*"/g, " ")
    .replace(/\{(oid|appId|name)\}/g, " ");
  return (bare.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).filter((w) => !KQL_WORDS.has(w) && !/^\d/.test(w));
}

const id = (type: string, name: string, child = "") =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/${type}/${name}${child}`;

/** One scope per kind of target the catalog knows, with the service whose role would be granted there. */
const TARGETS: readonly [string, RoleService][] = [
  [id("Microsoft.KeyVault/vaults", "kv"), "Key Vault"],
  [id("Microsoft.Storage/storageAccounts", "acct", "/blobServices/default/containers/c"), "Storage Blob"],
  [id("Microsoft.Storage/storageAccounts", "acct"), "Storage Queue"],
  [id("Microsoft.Storage/storageAccounts", "acct"), "Storage Table"],
  [id("Microsoft.Storage/storageAccounts", "acct"), "Storage File"],
  [id("Microsoft.ServiceBus/namespaces", "bus"), "Service Bus"],
  [id("Microsoft.EventHub/namespaces", "hub"), "Event Hubs"],
  [id("Microsoft.AppConfiguration/configurationStores", "cfg"), "App Configuration"],
  [id("Microsoft.ContainerRegistry/registries", "acr"), "Container Registry"],
  [id("Microsoft.CognitiveServices/accounts", "ai"), "Cognitive Services"],
  [id("Microsoft.DocumentDB/databaseAccounts", "cosmos"), "Cosmos DB"],
  [id("Microsoft.Sql/servers", "sql", "/databases/orders"), "Azure SQL"],
  [id("Microsoft.DBforPostgreSQL/flexibleServers", "pg", "/databases/app/schemas/public"), "PostgreSQL"],
  [id("Microsoft.DBforMySQL/flexibleServers", "mysql", "/databases/app"), "MySQL"],
  [id("Microsoft.Cache/redis", "redis"), "Redis"],
  [id("Microsoft.ContainerService/managedClusters", "aks"), "Kubernetes Service"],
  [id("Microsoft.EventGrid/topics", "topic"), "Event Grid"],
  [id("Microsoft.EventGrid/domains", "domain"), "Event Grid"],
  [id("Microsoft.Search/searchServices", "search"), "Search"],
  [id("Microsoft.Insights/components", "appi"), "Application Insights"],
  [id("Microsoft.SignalRService/signalR", "signalr"), "SignalR"],
  [id("Microsoft.SignalRService/webPubSub", "pubsub"), "Web PubSub"],
];

const pointOf = (scope: string, service: RoleService) =>
  auditPointOf(ResourceId.parseShape("scope", scope), service, true);

describe("the audit catalog's queries name tables and columns Microsoft documents", () => {
  it.each(TARGETS)("%s (%s): a profile, with a caller log or a stated gap", (scope, service) => {
    const point = pointOf(scope, service);
    expect(point).toBeDefined();
    expect(point!.profile.log !== undefined || point!.profile.gap !== undefined).toBe(true);
  });

  // Every caller log a registered service declares, whichever target reaches it.
  const logs = declaredProfiles().flatMap(({ service, profile }) =>
    "categories" in profile && profile.log ? [[`${service} ${profile.kind}`, profile.log] as [string, CallerLog]] : [],
  );

  it("reads the caller logs through the registry: every verified table is one of them", () => {
    expect([...new Set(logs.map(([, log]) => log.table))].sort()).toEqual(Object.keys(VERIFIED_COLUMNS).sort());
  });

  it.each(logs)("%s reads only verified columns of a verified table", (_what, log) => {
    const columns = VERIFIED_COLUMNS[log.table];
    expect({ table: log.table, known: columns !== undefined }).toEqual({ table: log.table, known: true });
    const used = [log.callerIs, log.operation, log.database ?? "", ...(log.where ?? [])].flatMap(columnsOf);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((c) => !columns.includes(c))).toEqual([]);
  });

  it("covers every service whose data roles the catalog holds", () => {
    const granted = new Set(allRoles().flatMap((r) => (r.plane === "data" ? [r.service] : [])));
    const covered = new Set(TARGETS.map(([, service]) => service));
    expect([...granted].filter((s) => !covered.has(s)).sort()).toEqual([]);
  });

  it("finds a column the references do not list (the check can fail)", () => {
    expect(columnsOf("ClientObjectId == {oid}")).toEqual(["ClientObjectId"]);
    expect(VERIFIED_COLUMNS.AACAudit).not.toContain("ClientObjectId");
    expect(columnsOf('extract(@"user=(\\S+)", 1, Message) == {name}')).toEqual(["Message"]);
  });
});

describe("a service's audit part", () => {
  const profile = {
    kind: "widget store",
    categories: ["Audit"],
    log: { table: "WidgetAudit", callerIs: "Caller == {oid}", operation: "OperationName" },
  };
  const define = (audit: object) => () =>
    defineTestService({
      name: "Widgets",
      namespaces: ["Contoso.Widgets"],
      audit: { resources: [{ types: ["Contoso.Widgets/stores"], logs: audit }] } as never,
    });

  it.each([
    [
      "no categories",
      { ...profile, categories: [] },
      /part audit: the widget store profile enables no categories[\s\S]*list the resource-log categories/,
    ],
    [
      "a caller log without a table and no gap",
      { ...profile, log: { ...profile.log, table: "" } },
      /part audit: the widget store profile names no table of its callers and states no gap[\s\S]*name the Log Analytics table/,
    ],
    [
      "no caller log and no gap",
      { kind: profile.kind, categories: profile.categories },
      /part audit: the widget store profile names no table of its callers/,
    ],
    [
      "a destination type other than Dedicated",
      { ...profile, destinationType: "AzureDiagnostics" },
      /part audit: the widget store profile's destinationType is not "Dedicated"[\s\S]*write "Dedicated"/,
    ],
    [
      "nothing logged and no gap",
      { kind: profile.kind, gap: "" },
      /part audit: the widget store logs nothing and states no gap/,
    ],
  ])("refuses a profile with %s, naming the service, the part and the fix", (_what, logs, message) => {
    expect(define(logs)).toThrow(IdentityConfigError);
    expect(define(logs)).toThrow(/Service "Widgets"/);
    expect(define(logs)).toThrow(message);
  });

  it("accepts a profile with categories and a caller log (checked after the refusals: it registers)", () => {
    expect(define(profile)).not.toThrow();
  });
});
