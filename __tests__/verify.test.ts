import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformVariable } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { ChainedTokenCredential, CredentialUnavailableError, TokenCredential } from "@azure/identity";
import { createHttpHeaders, HttpClient } from "@azure/core-rest-pipeline";
import {
  AccessReport,
  AppServiceCompute,
  ContainerRegistryTarget,
  Identity,
  Roles,
  WorkloadIdentity,
} from "../constructs";
import { main as verify } from "../tools/verify";
import { AzureSdkReader } from "../tools/verify/azure-reader";
import { compareEstate, DriftReport } from "../tools/verify/drift";
import {
  AzureReader,
  AzureReadError,
  isStrictAncestorScope,
  LiveAssignment,
  sameScope,
} from "../tools/verify/live-estate";
import { inRg, registryId, SUBSCRIPTION, tempDirs, vaultId } from "./helpers";
import { ACCOUNT, synthesizeVerifyEstate } from "./verify-estate";

const DEVELOPERS = "0f0f0f0f-0000-4000-8000-0000000000d1";
const CONTAINER = `${ACCOUNT}/blobServices/default/containers/docs`;
const QUEUE = `${ACCOUNT}/queueServices/default/queues/jobs`;
const roleId = (guid: string) =>
  `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

const tempDir = tempDirs("verify-");

/**
 * A small estate synthesized as `npm run synth` writes it, so verify reads the real report format:
 * a system-assigned web app, two user-assigned identities (one with a grant in another
 * subscription) and a developer group's hand-written grant; `unresolvable` adds an identity named
 * by a variable, whose Azure id the report cannot build.
 */
function synthesizeEstate(options: { unresolvable?: boolean } = {}): string {
  return synthesizeVerifyEstate(tempDir(), {
    docsGrants: (stack) => [
      ContainerRegistryTarget.fromId(stack, registryId()).allow(Roles.AcrPull, "pulls its image"),
    ],
    extra: ({ stack, account, web }) => {
      new WorkloadIdentity(stack, "jobs", {
        identity: Identity.newUserAssigned({ ...inRg, name: "jobs-id" }),
        compute: [AppServiceCompute.linuxWebApp(web("jobs"))],
        grants: [account.queue("jobs").allow(Roles.StorageQueueDataMessageProcessor, "works the jobs")],
      });
      new RoleAssignment(stack, "developers", {
        name: "5b7c1d2e-3f4a-5b6c-8d9e-0f1a2b3c4d5e",
        scope: CONTAINER,
        roleDefinitionId: roleId(Roles.StorageBlobDataReader.guid),
        principalId: DEVELOPERS,
        principalType: "Group",
        description: "developers read the documents",
      });
      if (options.unresolvable) {
        const name = new TerraformVariable(stack, "batch_identity_name", { type: "string" });
        new WorkloadIdentity(stack, "batch", {
          identity: Identity.newUserAssigned({ ...inRg, name: name.stringValue }),
          compute: [AppServiceCompute.linuxWebApp(web("batch"))],
          grants: [account.queue("jobs").allow(Roles.StorageQueueDataMessageSender, "queues jobs")],
        });
      }
    },
  });
}

const fixture = (estate: string, file: string) =>
  JSON.parse(readFileSync(join(__dirname, "fixtures", "verify", estate, file), "utf8"));

/**
 * An AzureReader answering from recorded ARM and Graph responses, filtering the way ARM does:
 * `principalId eq` lists at, above and below the subscription; `atScope()` at or above the scope.
 */
function recordedAzure(estate: string): AzureReader & { readonly calls: string[] } {
  const resources: Record<string, any> = fixture(estate, "resources.json");
  const assignments: LiveAssignment[] = fixture(estate, "role-assignments.json");
  const directory: { value: { id: string }[] } = fixture(estate, "directory-objects.json");
  const calls: string[] = [];
  const lower = (s: string) => s.toLowerCase();
  const under = (scope: string, prefix: string) =>
    lower(scope) === lower(prefix) || lower(scope).startsWith(`${lower(prefix)}/`);
  return {
    calls,
    async principalOf(resourceId) {
      calls.push(`principalOf ${resourceId}`);
      const body = Object.entries(resources).find(([id]) => lower(id) === lower(resourceId))?.[1];
      if (!body) return { status: "not-found" };
      const principalId = body.identity?.principalId ?? body.properties?.principalId;
      return { status: "found", ...(principalId ? { principalId } : {}) };
    },
    async assignmentsOfPrincipal(subscriptionId, principalId) {
      calls.push(`assignmentsOfPrincipal ${subscriptionId} ${principalId}`);
      return assignments.filter(
        (a) =>
          lower(a.principalId) === lower(principalId) &&
          (under(a.scope, `/subscriptions/${subscriptionId}`) || !under(a.scope, "/subscriptions")),
      );
    },
    async assignmentsAtScope(scope) {
      calls.push(`assignmentsAtScope ${scope}`);
      return assignments.filter((a) => under(scope, a.scope));
    },
    async existingObjects(ids) {
      calls.push(`existingObjects ${ids.join(",")}`);
      return new Set(directory.value.map((o) => lower(o.id)).filter((id) => ids.some((x) => lower(x) === id)));
    },
  };
}

const run = (estate: string, argv: string[], synthDir = synthesizeEstate()) =>
  verify(argv, { synthDir, reader: () => recordedAzure(estate) });

describe("npm run verify", () => {
  it("exits 0 and says so when Azure matches the code (case differences in ids aside)", async () => {
    const result = await run("matching", ["dev"]);
    expect(result).toEqual({
      code: 0,
      output: expect.stringMatching(/^# Verify dev: Azure matches the code\n\n4 identities \(subscription `1111/),
    });
    const json = await run("matching", ["dev", "--json"]);
    const report: DriftReport = JSON.parse(json.output);
    expect(json.code).toBe(0);
    expect(report.matches).toBe(true);
    expect(report.orphaned).toEqual([]);
    expect(report.identities.map((i) => [i.name, i.principal.state, i.missing.length + i.outsideCode.length])).toEqual([
      [DEVELOPERS, "found", 0],
      ["docs-id", "found", 0],
      ["jobs-id", "found", 0],
      ["orders", "found", 0],
    ]);
  });

  describe("on a drifted estate", () => {
    const synthDir = synthesizeEstate();
    let markdown: { code: number; output: string };
    let report: DriftReport;
    beforeAll(async () => {
      markdown = await run("drift", ["dev"], synthDir);
      const json = await run("drift", ["dev", "--json"], synthDir);
      expect(json.code).toBe(1);
      report = JSON.parse(json.output);
    });
    const identity = (name: string) => report.identities.find((i) => i.name === name)!;

    it("exits 1 with a summary", () => {
      expect(markdown.code).toBe(1);
      expect(markdown.output).toContain("# Verify dev: Azure does not match the code\n");
      expect(markdown.output).toContain(
        "4 identities differ from the code (subscription `11111111-2222-4333-8444-555555555555`): 3 grants missing, 1 grant made outside the code, 1 grant inherited from a broader scope, 2 principals gone, 2 orphaned role assignments.",
      );
    });

    it("lists a grant of the code that Azure lacks", () => {
      expect(identity("orders").missing).toEqual([
        {
          address: expect.stringMatching(/^azurerm_role_assignment\.orders_/),
          role: "Key Vault Secrets User",
          roleGuid: Roles.KeyVaultSecretsUser.guid,
          target: "Key Vault app-kv",
          scopeId: vaultId(),
        },
      ]);
      expect(markdown.output).toContain(
        `| missing | Key Vault Secrets User | Key Vault app-kv (\`${vaultId()}\`) | in the code, not in Azure: not applied yet, or deleted by hand |`,
      );
    });

    it("lists a grant made by hand outside the code, with its scope and role", () => {
      expect(identity("orders").outsideCode).toEqual([
        {
          assignmentId: `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/7e7e7e7e-0000-4000-8000-000000000001`,
          role: "Storage Blob Data Contributor",
          roleGuid: Roles.StorageBlobDataContributor.guid,
          scope: ACCOUNT,
        },
      ]);
      expect(markdown.output).toContain(
        `| outside the code | Storage Blob Data Contributor | \`${ACCOUNT}\` | in Azure, not in the code: made by hand or by another tool; add it to the code or delete it |`,
      );
    });

    it("lists a subscription-level grant that covers what the code grants narrowly, not the registry in another subscription", () => {
      expect(identity("docs-id").inherited).toEqual([
        expect.objectContaining({
          role: "Reader",
          scope: `/subscriptions/${SUBSCRIPTION}`,
          covers: ["blob container docs of acct"],
        }),
      ]);
      expect(identity("docs-id").missing).toEqual([]);
      expect(identity("docs-id").outsideCode).toEqual([]);
      expect(markdown.output).toContain(
        `| inherited | Reader | \`/subscriptions/${SUBSCRIPTION}\` | covers blob container docs of acct that the code grants narrowly; delete it, or make it a grant of the code |`,
      );
    });

    it("reports a deleted identity and a deleted group as principals gone, with the grants they lack", () => {
      const jobs = identity("jobs-id");
      expect(jobs.principal).toEqual({
        state: "gone",
        reason: `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/jobs-id not found in Azure (not applied yet, or deleted)`,
      });
      expect(jobs.missing.map((g) => g.role)).toEqual(["Storage Queue Data Message Processor"]);
      expect(identity(DEVELOPERS).principal).toEqual({
        state: "gone",
        reason: `Group ${DEVELOPERS} no longer exists in Entra`,
      });
      expect(markdown.output).toContain(
        "- **Principal gone**: /subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/app-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/jobs-id not found in Azure (not applied yet, or deleted).",
      );
      expect(markdown.output).toContain(`## ${DEVELOPERS} (Group, developer)`);
    });

    it("lists assignments left at the code's scopes by deleted principals, and says to delete them", () => {
      expect(report.orphaned.map((o) => [o.target, o.role, o.principalType, o.principalId])).toEqual([
        ["blob container docs of acct", "Storage Blob Data Reader", "Group", DEVELOPERS],
        [
          "storage queue jobs of acct",
          "Storage Queue Data Message Processor",
          "ServicePrincipal",
          "0b0b0b0b-0000-4000-8000-00000000000b",
        ],
      ]);
      expect(markdown.output).toContain("## Orphaned role assignments");
      expect(markdown.output).toContain("Terraform fails on it with RoleAssignmentExists");
      expect(markdown.output).toContain(
        `| Storage Queue Data Message Processor | storage queue jobs of acct (\`${QUEUE}\`) | ServicePrincipal \`0b0b0b0b-0000-4000-8000-00000000000b\` | \`${QUEUE}/providers/Microsoft.Authorization/roleAssignments/3c1f6f5e-8b1a-5d2e-9f3c-0a1b2c3d4e03\` |`,
      );
      // The admin's assignments belong to a principal that exists; the deleted 0c0c… holds Reader on
      // the resource group above the code's scopes, not at them: neither is the estate's orphan.
      expect(markdown.output).not.toContain("0e0e0e0e-0000-4000-8000-0000000000e1");
      expect(markdown.output).not.toContain("0c0c0c0c-0000-4000-8000-0000000000c1");
    });

    it("renders the same report every time", async () => {
      expect((await run("drift", ["dev"], synthDir)).output).toBe(markdown.output);
    });
  });

  it("reports an identity the report cannot resolve as 'cannot verify', and asks Azure nothing about it", async () => {
    const azure = recordedAzure("matching");
    const result = await verify(["dev"], { synthDir: synthesizeEstate({ unresolvable: true }), reader: () => azure });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "1 identity differs from the code (subscription `11111111-2222-4333-8444-555555555555`): 1 identity cannot be verified.",
    );
    expect(result.output).toContain("## ${var.batch_identity_name} (UserAssigned, workload)");
    expect(result.output).toContain(
      "- **Cannot verify**: the access report has no Azure id for it: a name it is built from is known only to Terraform.",
    );
    expect(result.output).toContain(`Match: ${DEVELOPERS}, docs-id, jobs-id, orders.`);
    expect(azure.calls.filter((c) => c.startsWith("principalOf")).length).toBe(3);
  });

  it("refuses an environment never synthesized, saying to run npm run synth and which were", async () => {
    const synthDir = synthesizeEstate();
    expect(await run("matching", ["qa"], synthDir)).toEqual({
      code: 2,
      output: `verify: environment qa has not been synthesized (no ${synthDir}/stacks/qa/access-report.json); run npm run synth (environments synthesized in ${synthDir}: dev)\n`,
    });
    const empty = tempDir();
    expect(await run("matching", ["dev", "--out", empty])).toEqual({
      code: 2,
      output: expect.stringContaining(`run npm run synth (${empty} holds no synthesized environment)`),
    });
  });

  it("refuses an unknown flag, a missing or extra environment, with exit 2 and the usage", async () => {
    const usage =
      "usage: npm run verify -- <environment> [--usage [--days <1-730, default 30>]] [--json] [--out <synth folder, default cdktf.out>]\n";
    const synthDir = tempDir();
    expect(await run("matching", ["dev", "--jsn"], synthDir)).toEqual({
      code: 2,
      output: `verify: unknown flag --jsn\n${usage}`,
    });
    expect(await run("matching", [], synthDir)).toEqual({
      code: 2,
      output: `verify: missing the environment\n${usage}`,
    });
    expect(await run("matching", ["dev", "prod"], synthDir)).toEqual({
      code: 2,
      output: `verify: expected one environment, got "dev", "prod"\n${usage}`,
    });
    expect(await run("matching", ["dev", "--out"], synthDir)).toEqual({
      code: 2,
      output: expect.stringMatching(/^verify: Option '--out <value>' argument missing\nusage: /),
    });
  });

  describe("sign-in failure", () => {
    // A chain like DefaultAzureCredential's, offline: each credential refuses as the real ones do.
    const unavailable = (message: string): TokenCredential => ({
      getToken: async () => {
        throw new CredentialUnavailableError(message);
      },
    });
    const chain = new ChainedTokenCredential(
      unavailable("EnvironmentCredential is unavailable. Environment variables are not fully configured.\nLearn more."),
      unavailable("Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions."),
    );
    const expected =
      "sign-in failed: EnvironmentCredential is unavailable. Environment variables are not fully configured.; Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions.; run az login (and az account set --subscription 11111111-2222-4333-8444-555555555555) or set AZURE_TENANT_ID/AZURE_CLIENT_ID";

    it("exits 2 naming each credential's reason and the fix", async () => {
      const result = await verify(["dev"], {
        synthDir: synthesizeEstate(),
        reader: (subscriptionId) => new AzureSdkReader(subscriptionId, chain),
      });
      expect(result).toEqual({ code: 2, output: `verify: ${expected}\n` });
    });

    it("says the same through the ARM SDK's pipeline, before any request leaves", async () => {
      const reader = new AzureSdkReader(SUBSCRIPTION, chain);
      const site = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/sites/orders`;
      await expect(reader.principalOf(site)).rejects.toThrow(new AzureReadError(expected));
      await expect(reader.assignmentsOfPrincipal(SUBSCRIPTION, DEVELOPERS)).rejects.toThrow(
        new AzureReadError(expected),
      );
      await expect(reader.assignmentsAtScope(QUEUE)).rejects.toThrow(new AzureReadError(expected));
    });
  });
});

describe("a right verify lacks", () => {
  const signedIn: TokenCredential = {
    getToken: async () => ({ token: "recorded", expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  /** Microsoft Graph's recorded answer; verify calls it with fetch, so fetch is what the test replaces. */
  const graphAnswers = (status: number, body: unknown) =>
    jest.spyOn(globalThis, "fetch").mockImplementation(async () => new Response(JSON.stringify(body), { status }));
  afterEach(() => jest.restoreAllMocks());

  it("exits 2 naming Reader on the subscription when ARM refuses (403)", async () => {
    const graph = graphAnswers(200, fixture("matching", "directory-objects.json"));
    const refusal = readFileSync(join(__dirname, "fixtures", "verify", "refused", "arm-403.json"), "utf8");
    const arm: HttpClient = {
      sendRequest: async (request) => ({
        request,
        status: 403,
        headers: createHttpHeaders({ "content-type": "application/json; charset=utf-8" }),
        bodyAsText: refusal,
      }),
    };
    const result = await verify(["dev"], {
      synthDir: synthesizeEstate(),
      reader: (subscriptionId) => new AzureSdkReader(subscriptionId, signedIn, arm),
    });
    expect(result).toEqual({
      code: 2,
      output: expect.stringMatching(
        /^verify: (reading|listing the role assignments) .* was refused \(403 AuthorizationFailed: The client 'dev@contoso\.example' .*\): the signed-in principal needs Reader on subscription 11111111-2222-4333-8444-555555555555\n$/,
      ),
    });
    // The group's existence was asked of Graph the way Graph takes it.
    expect(graph).toHaveBeenCalledWith(
      "https://graph.microsoft.com/v1.0/directoryObjects/getByIds",
      expect.objectContaining({ method: "POST", body: JSON.stringify({ ids: [DEVELOPERS] }) }),
    );
  });

  it("exits 2 naming Directory read when Microsoft Graph refuses (403)", async () => {
    graphAnswers(
      403,
      JSON.parse(readFileSync(join(__dirname, "fixtures", "verify", "refused", "graph-403.json"), "utf8")),
    );
    const result = await verify(["dev"], {
      synthDir: synthesizeEstate(),
      reader: (subscriptionId) => new AzureSdkReader(subscriptionId, signedIn),
    });
    expect(result).toEqual({
      code: 2,
      output:
        "verify: reading principals from Microsoft Graph was refused (403): the signed-in principal needs Directory read in Entra (Directory.Read.All, or a directory role such as Directory Readers) for principal checks\n",
    });
  });
});

describe("scope ancestry", () => {
  const rg = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-a`;

  it("holds by whole segments, case-insensitively, strictly", () => {
    expect(isStrictAncestorScope(`/subscriptions/${SUBSCRIPTION}`, CONTAINER)).toBe(true);
    expect(isStrictAncestorScope(ACCOUNT.toUpperCase(), CONTAINER)).toBe(true);
    expect(isStrictAncestorScope("/", CONTAINER)).toBe(true);
    expect(isStrictAncestorScope(`${rg}/`, `${rg}/providers/Microsoft.KeyVault/vaults/kv`)).toBe(true);
    expect(isStrictAncestorScope(CONTAINER, CONTAINER)).toBe(false);
    expect(isStrictAncestorScope(CONTAINER, ACCOUNT)).toBe(false);
  });

  it("is never a prefix of text, nor fooled by . and .. or empty segments", () => {
    expect(isStrictAncestorScope("/x/rg-a", "/x/rg-ab")).toBe(false);
    expect(isStrictAncestorScope(rg, `${rg}b/providers/Microsoft.KeyVault/vaults/kv`)).toBe(false);
    expect(isStrictAncestorScope(rg, `${rg}/../rg-b/providers/Microsoft.KeyVault/vaults/kv`)).toBe(false);
    expect(isStrictAncestorScope(`${rg}/..`, `${rg}/../x`)).toBe(false);
    expect(isStrictAncestorScope(`${rg}/.`, `${rg}/./providers`)).toBe(false);
    expect(isStrictAncestorScope(rg, `${rg}//providers/Microsoft.KeyVault/vaults/kv`)).toBe(false);
    expect(isStrictAncestorScope("subscriptions/x", "subscriptions/x/resourceGroups/y")).toBe(false);
    expect(isStrictAncestorScope("", "/subscriptions/x")).toBe(false);
  });

  it("compares equal scopes the same way", () => {
    expect(sameScope(rg, rg.toLowerCase())).toBe(true);
    expect(sameScope(`${rg}/`, rg)).toBe(true);
    expect(sameScope(rg, `${rg}b`)).toBe(false);
    expect(sameScope(`${rg}/../rg-a`, rg)).toBe(false);
  });

  it("takes a management-group grant to cover only the subscriptions whose listing returned it", () => {
    const report: AccessReport = {
      environment: "dev",
      subscriptionId: SUBSCRIPTION,
      databaseUsers: [],
      identities: [
        {
          key: "app",
          kind: "UserAssigned",
          name: "app-id",
          stableKey: "",
          replaceKey: "",
          attachedTo: [],
          federatedTrusts: [],
          access: "workload",
          resourceId: "/app",
        },
      ],
      grants: [
        {
          identity: "app",
          address: "a",
          role: "Storage Blob Data Reader",
          roleGuid: Roles.StorageBlobDataReader.guid,
          target: "blob container docs of acct",
          scopeId: CONTAINER,
        },
        {
          identity: "app",
          address: "b",
          role: "AcrPull",
          roleGuid: Roles.AcrPull.guid,
          target: "container registry platformacr",
          scopeId: registryId(),
        },
      ].map((g) => ({
        ...g,
        system: "azure-rbac",
        plane: "data",
        scope: g.scopeId,
        scopeLevel: "resource",
        principalKind: "UserAssigned",
        access: "workload",
        suppressions: [],
      })),
    };
    const mg = "/providers/Microsoft.Management/managementGroups/contoso";
    const held = (scope: string, guid: string) => ({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`,
      scope,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      principalId: "0d0d0d0d-0000-4000-8000-00000000000d",
      principalType: "ServicePrincipal",
      listedFor: [SUBSCRIPTION],
    });
    const drift = compareEstate(report, {
      principals: new Map([
        [
          "app",
          {
            state: "found",
            principalId: "0d0d0d0d-0000-4000-8000-00000000000d",
            assignments: [
              held(CONTAINER, Roles.StorageBlobDataReader.guid),
              held(registryId(), Roles.AcrPull.guid),
              held(mg, Roles.Reader.guid),
            ],
          },
        ],
      ]),
      atScopes: [],
      deletedObjects: new Set(),
    });
    expect(drift.identities[0].inherited).toEqual([
      expect.objectContaining({ role: "Reader", scope: mg, covers: ["blob container docs of acct"] }),
    ]);
  });
});
