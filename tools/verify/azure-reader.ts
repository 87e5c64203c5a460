// The AzureReader against Azure: ARM through the Azure SDK, Entra through Microsoft Graph.
import { AuthorizationManagementClient, RoleAssignment } from "@azure/arm-authorization";
import { ResourceManagementClient, ResourceManagementClientOptionalParams } from "@azure/arm-resources";
import {
  AggregateAuthenticationError,
  AuthenticationError,
  AuthenticationRequiredError,
  CredentialUnavailableError,
  DefaultAzureCredential,
  TokenCredential,
} from "@azure/identity";
import { LogsQueryClient, LogsQueryResultStatus, LogsTable } from "@azure/monitor-query-logs";
import { AzureReadError, AzureReader, LiveAssignment, LogRow, ResourcePrincipal, subscriptionOf } from "./live-estate";

const USER_ASSIGNED = "microsoft.managedidentity/userassignedidentities";

/** The api-version each identity-holding type is read with (`resources.getById` needs one per type). */
const API_VERSIONS: Readonly<Record<string, string>> = {
  [USER_ASSIGNED]: "2023-01-31",
  "microsoft.web/sites": "2023-12-01",
  "microsoft.web/sites/slots": "2023-12-01",
  "microsoft.compute/virtualmachines": "2024-07-01",
  "microsoft.compute/virtualmachinescalesets": "2024-07-01",
  "microsoft.app/containerapps": "2024-03-01",
  "microsoft.containerinstance/containergroups": "2023-05-01",
  "microsoft.containerservice/managedclusters": "2024-09-01",
};

// There is no maintained lightweight Microsoft Graph SDK for Node (@microsoft/microsoft-graph-client
// is in maintenance, the Kiota SDK is large), and verify needs one call: plain fetch.
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
const GRAPH_GET_BY_IDS = "https://graph.microsoft.com/v1.0/directoryObjects/getByIds";
/** getByIds takes at most 1000 ids a call. */
const GRAPH_BATCH = 1000;

/** `namespace/type[/child type]` of an Azure id, lower-cased: `microsoft.web/sites/slots`. */
function resourceType(id: string): string {
  const parts = id.split("/");
  const providers = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  if (providers < 0) return "";
  const [namespace, ...rest] = parts.slice(providers + 1);
  return [namespace, ...rest.filter((_, i) => i % 2 === 0)].join("/").toLowerCase();
}

const SIGN_IN_ERRORS = [
  CredentialUnavailableError,
  AuthenticationError,
  AggregateAuthenticationError,
  AuthenticationRequiredError,
];

/** Each credential's reason, first line only: the chain's messages run to links and paragraphs. */
function signInReasons(e: Error): string[] {
  const inner = e instanceof AggregateAuthenticationError ? (e.errors as Error[]) : [e];
  return inner.map((x) =>
    String(x?.message ?? x)
      .split("\n")[0]
      .trim(),
  );
}

interface RestFailure {
  readonly statusCode?: number;
  readonly code?: string;
  readonly message: string;
}
const asRestError = (e: unknown): RestFailure | undefined =>
  e instanceof Error && e.name === "RestError" ? (e as RestFailure) : undefined;

const toLive = (a: RoleAssignment): LiveAssignment => ({
  id: a.id ?? "",
  scope: a.scope ?? "",
  roleDefinitionId: a.roleDefinitionId ?? "",
  principalId: a.principalId ?? "",
  principalType: a.principalType ?? "Unknown",
});

/** Reads Azure as the signed-in principal (DefaultAzureCredential unless another is given). */
export class AzureSdkReader implements AzureReader {
  private readonly resources: ResourceManagementClient;
  private readonly authorization = new Map<string, AuthorizationManagementClient>();
  private logs?: LogsQueryClient;

  /**
   * `subscriptionId` is the stack's: scope listings go through it, and sign-in advice names it.
   * `httpClient` sends the ARM requests (Azure's, unless a test replays recorded responses).
   */
  constructor(
    private readonly subscriptionId: string,
    private readonly credential: TokenCredential = new DefaultAzureCredential(),
    private readonly httpClient?: ResourceManagementClientOptionalParams["httpClient"],
  ) {
    this.resources = new ResourceManagementClient(credential, { httpClient });
  }

  async principalOf(resourceId: string): Promise<ResourcePrincipal> {
    const type = resourceType(resourceId);
    const apiVersion = API_VERSIONS[type];
    if (!apiVersion) return { status: "unsupported", reason: `verify knows no api-version for resource type ${type}` };
    try {
      const resource = await this.resources.resources.getById(resourceId, apiVersion);
      // A user-assigned identity's principal is its own property; a compute's is its identity block's.
      const principalId = type === USER_ASSIGNED ? resource.properties?.principalId : resource.identity?.principalId;
      return { status: "found", ...(typeof principalId === "string" ? { principalId } : {}) };
    } catch (e) {
      if (asRestError(e)?.statusCode === 404) return { status: "not-found" };
      throw this.failure(e, `reading ${resourceId}`, this.readerOn(resourceId));
    }
  }

  async assignmentsOfPrincipal(subscriptionId: string, principalId: string): Promise<readonly LiveAssignment[]> {
    const listing = this.client(subscriptionId).roleAssignments.listForSubscription({
      filter: `principalId eq '${principalId}'`,
    });
    try {
      return await collect(listing);
    } catch (e) {
      throw this.failure(
        e,
        `listing the role assignments of principal ${principalId} in subscription ${subscriptionId}`,
        `Reader on subscription ${subscriptionId}`,
      );
    }
  }

  async assignmentsAtScope(scope: string): Promise<readonly LiveAssignment[]> {
    try {
      return await collect(
        this.client(this.subscriptionId).roleAssignments.listForScope(scope, { filter: "atScope()" }),
      );
    } catch (e) {
      // The scope's resource is gone: nothing is assigned there, and its grants show as missing.
      if (asRestError(e)?.statusCode === 404) return [];
      throw this.failure(e, `listing the role assignments at ${scope}`, this.readerOn(scope));
    }
  }

  async existingObjects(objectIds: readonly string[]): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    for (let i = 0; i < objectIds.length; i += GRAPH_BATCH) {
      let token;
      try {
        token = await this.credential.getToken(GRAPH_SCOPE);
      } catch (e) {
        throw this.signInFailure(e) ?? e;
      }
      if (!token) throw this.signInFailed(["the credential returned no token for Microsoft Graph"]);
      let response: Response;
      try {
        response = await fetch(GRAPH_GET_BY_IDS, {
          method: "POST",
          headers: { authorization: `Bearer ${token.token}`, "content-type": "application/json" },
          body: JSON.stringify({ ids: objectIds.slice(i, i + GRAPH_BATCH) }),
        });
      } catch (e) {
        throw new AzureReadError(`reaching Microsoft Graph failed: ${(e as Error).cause ?? (e as Error).message}`);
      }
      if (response.status === 403)
        throw new AzureReadError(
          "reading principals from Microsoft Graph was refused (403): the signed-in principal needs Directory read in Entra (Directory.Read.All, or a directory role such as Directory Readers) for principal checks",
        );
      if (!response.ok)
        throw new AzureReadError(
          `reading principals from Microsoft Graph failed: HTTP ${response.status}: ${await response.text()}`,
        );
      const body = (await response.json()) as { value: readonly { id: string }[] };
      for (const object of body.value) found.add(object.id.toLowerCase());
    }
    return found;
  }

  async queryLogs(workspaceResourceId: string, query: string, days: number): Promise<readonly LogRow[]> {
    this.logs ??= new LogsQueryClient(this.credential);
    const what = `querying the audit workspace ${workspaceResourceId}`;
    let result;
    try {
      result = await this.logs.queryResource(workspaceResourceId, query, { duration: `P${days}D` });
    } catch (e) {
      // A query Log Analytics rejects (bad KQL, unknown table) throws a LogsQueryError with status Failure.
      if ((e as { status?: unknown })?.status === LogsQueryResultStatus.Failure)
        throw new AzureReadError(`${what} failed: ${(e as Error).message.split("\n")[0]}`);
      throw this.failure(e, what, `Log Analytics Reader on ${workspaceResourceId}`);
    }
    if (result.status === LogsQueryResultStatus.PartialFailure)
      throw new AzureReadError(
        `${what} returned a partial failure (${result.partialError.code}: ${result.partialError.message}); the counts would be incomplete`,
      );
    if (result.status !== LogsQueryResultStatus.Success)
      throw new AzureReadError(`${what} failed: status ${(result as { status: string }).status}`);
    return result.tables[0] ? rowsOf(result.tables[0]) : [];
  }

  private client(subscriptionId: string): AuthorizationManagementClient {
    let client = this.authorization.get(subscriptionId);
    if (!client) {
      client = new AuthorizationManagementClient(this.credential, subscriptionId, { httpClient: this.httpClient });
      this.authorization.set(subscriptionId, client);
    }
    return client;
  }

  private readerOn(id: string): string {
    const subscription = subscriptionOf(id);
    return subscription ? `Reader on subscription ${subscription}` : `Reader on ${id}`;
  }

  private signInFailed(reasons: readonly string[]): AzureReadError {
    return new AzureReadError(
      `sign-in failed: ${reasons.join("; ")}; run az login (and az account set --subscription ${this.subscriptionId}) or set AZURE_TENANT_ID/AZURE_CLIENT_ID`,
    );
  }

  private signInFailure(e: unknown): AzureReadError | undefined {
    return SIGN_IN_ERRORS.some((type) => e instanceof type) ? this.signInFailed(signInReasons(e as Error)) : undefined;
  }

  /** A failure as a message for people: a sign-in failure, a missing right, or what Azure said. */
  private failure(e: unknown, what: string, right: string): Error {
    const signIn = this.signInFailure(e);
    if (signIn) return signIn;
    const rest = asRestError(e);
    if (!rest) return e as Error;
    const said = `${rest.code ? `${rest.code}: ` : ""}${rest.message.split("\n")[0]}`;
    if (rest.statusCode === 401) return this.signInFailed([said]);
    if (rest.statusCode === 403)
      return new AzureReadError(`${what} was refused (403 ${said}): the signed-in principal needs ${right}`);
    return new AzureReadError(`${what} failed: ${rest.statusCode ? `HTTP ${rest.statusCode} ` : ""}${said}`);
  }
}

/** A table's rows keyed by column name. */
function rowsOf(table: LogsTable): LogRow[] {
  const names = table.columnDescriptors.map((c) => c.name);
  return table.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}

async function collect(pages: AsyncIterable<RoleAssignment>): Promise<LiveAssignment[]> {
  const all: LiveAssignment[] = [];
  for await (const a of pages) all.push(toLive(a));
  return all;
}
