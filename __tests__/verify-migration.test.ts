import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { AppServiceCompute, Identity, Migration, Roles, StorageAccountTarget, WorkloadIdentity } from "../constructs";
import { main as verify } from "../tools/verify";
import { AzureReadError, AzureReader, LogRow } from "../tools/verify/live-estate";
import { inRg, SUBSCRIPTION, tempDirs } from "./helpers";
import { synthesizeVerifyEstate } from "./verify-estate";

const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/audit`;
const tempDir = tempDirs("verify-migration-");

/**
 * The verify estate plus two migrations: invoices moving off its account's connection string (in
 * `phase`), and renderer converting to a user-assigned identity (in `both`).
 */
function synthesize(options: { phase?: "dual" | "identity" | "keys-off"; signIns?: boolean } = {}): string {
  const { phase = "dual", signIns = true } = options;
  return synthesizeVerifyEstate(tempDir(), {
    workspaceId: WORKSPACE,
    signInWorkspaceId: signIns ? WORKSPACE : undefined,
    extra: ({ stack, web }) => {
      const account = new StorageAccount(stack, "legacy", {
        ...inRg,
        name: "contosolegacy",
        accountTier: "Standard",
        accountReplicationType: "LRS",
        sharedAccessKeyEnabled: phase !== "keys-off",
      });
      const invoices = new LinuxWebApp(stack, "invoices-app", {
        ...inRg,
        name: "invoices",
        servicePlanId: "/plan",
        siteConfig: {},
        appSettings: phase === "dual" ? { INVOICES_STORAGE: account.primaryConnectionString } : {},
      });
      const target = StorageAccountTarget.of(account);
      new WorkloadIdentity(stack, "invoices", {
        identity: Identity.systemAssigned(),
        compute: [AppServiceCompute.linuxWebApp(invoices)],
        grants: [target.allow(Roles.StorageBlobDataContributor, "writes invoice documents")],
        migrations: [
          Migration.offSecret({
            setting: "INVOICES_STORAGE",
            target,
            phase,
            reason: "invoices moves off the connection string",
            expires: "2027-03-31",
          }),
        ],
      });
      new WorkloadIdentity(stack, "renderer", {
        identity: Identity.convertToUserAssigned(Identity.newUserAssigned({ ...inRg, name: "renderer-id" }), {
          phase: "both",
          reason: "renderer shares an identity with the new worker",
          expires: "2027-03-31",
        }),
        compute: [AppServiceCompute.linuxWebApp(web("renderer"))],
        grants: [target.allow(Roles.StorageBlobDataReader, "reads invoice documents")],
      });
    },
  });
}

/** What the logs hold, by who signs in and what the target records. */
interface Logs {
  /** Successful sign-ins per identity name (a compute's name for its system-assigned identity). */
  readonly signIns?: Readonly<Record<string, number>>;
  /** Key-based requests per table. */
  readonly keyRequests?: Readonly<Record<string, number>>;
  /** Tables Log Analytics does not know (no diagnostic setting sends them). */
  readonly missing?: readonly string[];
}

/** A reader answering from recorded results: every principal exists; sign-ins and key requests as `logs` says. */
function recordedReader(logs: Logs) {
  const ids = new Map<string, string>();
  const queries: string[] = [];
  const unused = () => Promise.reject(new Error("not read by --migration"));
  const reader: AzureReader = {
    principalOf: async (resourceId) => {
      if (!ids.has(resourceId)) ids.set(resourceId, `0000000${ids.size}-0000-4000-8000-000000000000`);
      return { status: "found", principalId: ids.get(resourceId)! };
    },
    assignmentsOfPrincipal: unused,
    assignmentsAtScope: unused,
    existingObjects: unused,
    queryLogs: async (workspace, query): Promise<readonly LogRow[]> => {
      expect(workspace).toBe(WORKSPACE);
      queries.push(query);
      const oid = /^let oid = "([^"]+)";/.exec(query)?.[1];
      if (oid !== undefined) {
        const resourceId = [...ids].find(([, id]) => id === oid)![0];
        const name = resourceId.split("/").at(-1)!;
        const n = logs.signIns?.[name] ?? 0;
        return [{ signIns: n, last: n > 0 ? "2026-11-30T10:00:00Z" : null }];
      }
      const table = query.split("\n")[0];
      if (logs.missing?.includes(table)) {
        throw new AzureReadError(
          `querying the audit workspace failed: Failed to resolve table expression named '${table}'`,
        );
      }
      const n = logs.keyRequests?.[table] ?? 0;
      return [{ requests: n, last: n > 0 ? "2026-12-01T08:00:00Z" : null }];
    },
  };
  return { reader, queries };
}

async function run(dir: string, logs: Logs, ...flags: string[]) {
  const { reader, queries } = recordedReader(logs);
  const result = await verify(["dev", "--migration", "--out", dir, ...flags], { reader: () => reader });
  return { ...result, queries };
}

const json = async (dir: string, logs: Logs) => {
  const result = await run(dir, logs, "--json");
  return { code: result.code, report: JSON.parse(result.output), queries: result.queries };
};

const verdicts = (report: { migrations: { workload: string; verdict: string }[] }) =>
  Object.fromEntries(report.migrations.map((m) => [m.workload, m.verdict]));

describe("verify --migration", () => {
  const dual = synthesize();
  const carried = { signIns: { invoices: 12, "renderer-id": 5 } };

  it("says ready when the identities carry the load, no request uses a key and the system identity is silent: exit 0", async () => {
    const { code, report } = await json(dual, carried);
    expect(verdicts(report)).toEqual({ invoices: "ready", renderer: "ready" });
    expect(report.migrations[0].evidence).toEqual({
      tokenAcquisitions: 12,
      lastTokenAcquisition: "2026-11-30T10:00:00Z",
      keyRequests: 0,
      lastKeyRequest: null,
    });
    expect(code).toBe(0);
  });

  it("says not ready when the identity acquired no token: the app still runs on the secret", async () => {
    const { code, report } = await json(dual, { signIns: { "renderer-id": 5 } });
    expect(verdicts(report).invoices).toBe("not-ready");
    expect(report.migrations[0].reasons[0]).toMatch(
      /acquired no token for Azure Storage in 30 days: the app still runs on the secret/,
    );
    expect(code).toBe(1);
  });

  it("says not ready while key-based requests still reach the target, with the last one", async () => {
    const { code, report } = await json(dual, { ...carried, keyRequests: { StorageBlobLogs: 3 } });
    expect(verdicts(report).invoices).toBe("not-ready");
    expect(report.migrations[0].reasons).toEqual([
      expect.stringMatching(/key-based requests still reach .*contosolegacy: 3 in 30 days, last 2026-12-01T08:00:00Z/),
    ]);
    expect(code).toBe(1);
  });

  it("says not ready while a converted compute's system identity still signs in", async () => {
    const { report } = await json(dual, { signIns: { invoices: 1, "renderer-id": 5, renderer: 2 } });
    expect(verdicts(report).renderer).toBe("not-ready");
    expect(report.migrations.find((m: { workload: string }) => m.workload === "renderer").reasons[0]).toMatch(
      /the system-assigned identity still signs in: 2 times in 30 days/,
    );
  });

  it("cannot tell when no workspace receives the sign-ins", async () => {
    const { code, report } = await json(synthesize({ signIns: false }), carried);
    expect(verdicts(report)).toEqual({ invoices: "cannot-tell", renderer: "cannot-tell" });
    expect(report.migrations[0].reasons[0]).toMatch(/no workspace receives the tenant's managed-identity sign-ins/);
    expect(code).toBe(1);
  });

  it("cannot tell when a target's log table is missing (no diagnostic setting sends it)", async () => {
    const { code, report } = await json(dual, { ...carried, missing: ["StorageQueueLogs"] });
    expect(verdicts(report).invoices).toBe("cannot-tell");
    expect(report.migrations[0].reasons[0]).toMatch(/StorageQueueLogs could not be read/);
    expect(code).toBe(1);
  });

  it("reads every storage service's log for key use, filtered to the account, sign-ins to Azure Storage", async () => {
    const { queries } = await json(dual, carried);
    const keyQueries = queries.filter((q) => !q.startsWith("let oid"));
    expect(keyQueries.map((q) => q.split("\n")[0])).toEqual([
      "StorageBlobLogs",
      "StorageQueueLogs",
      "StorageTableLogs",
      "StorageFileLogs",
    ]);
    expect(keyQueries[0]).toMatch(/contosolegacy\/blobServices\/default"/);
    expect(keyQueries[0]).toMatch(/AuthenticationType in \("AccountKey", ?"SAS"\)/);
    expect(queries.find((q) => q.startsWith("let oid"))).toMatch(
      /ResourceIdentity == "e406a681-f3d4-42a8-90b6-c2b029497af1"/,
    );
  });

  it("says a migration in its final phase is final, and exits 0", async () => {
    const dir = synthesize({ phase: "keys-off" });
    const { code, report } = await json(dir, carried);
    expect(verdicts(report).invoices).toBe("final");
    expect(code).toBe(0);
  });

  it("renders each migration for people, with its verdict and evidence", async () => {
    const { output } = await run(dual, { ...carried, keyRequests: { StorageBlobLogs: 3 } });
    expect(output).toMatch(/^# Migrations of dev, from the last 30 days of logs/);
    expect(output).toMatch(/1 ready to advance, 1 not ready, 0 cannot tell, 0 in their final phase/);
    expect(output).toMatch(/## invoices: INVOICES_STORAGE on .* \(secret, phase dual → identity\): not ready/);
    expect(output).toMatch(/- Key-based requests: 3, last 2026-12-01T08:00:00Z/);
  });

  it.each([
    [["--usage"], /--usage and --migration read different things/],
    [["--days", "0"], /--days must be a whole number from 1 to 730, got "0"/],
  ])("refuses %j with exit 2 and the usage", async (flags, message) => {
    const { code, output } = await run(dual, carried, ...flags);
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(output).toMatch(/usage: npm run verify -- <environment> --migration/);
  });

  it("refuses --days without --usage or --migration", async () => {
    const { reader } = recordedReader(carried);
    const { code, output } = await verify(["dev", "--days", "7", "--out", dual], { reader: () => reader });
    expect(code).toBe(2);
    expect(output).toMatch(/--days needs --usage or --migration/);
  });

  it("sends the service's own key-use queries, never the ones a hand-edited report writes", async () => {
    const dir = synthesize();
    const file = join(dir, "stacks", "dev", "access-report.json");
    const report = JSON.parse(readFileSync(file, "utf8"));
    report.migrations[0].evidence.keyUse = { queries: [{ table: "SigninLogs", query: "SigninLogs | take 1000" }] };
    writeFileSync(file, JSON.stringify(report));
    const { queries } = await json(dir, carried);
    expect(queries.some((q) => q.includes("SigninLogs |"))).toBe(false);
    expect(queries.filter((q) => q.startsWith("Storage")).length).toBe(4);
  });

  it("refuses a hand-edited report whose migration query or phase is hostile, before Azure is asked (exit 2)", async () => {
    const dir = synthesize();
    const file = join(dir, "stacks", "dev", "access-report.json");
    const report = JSON.parse(readFileSync(file, "utf8"));
    report.migrations[0].phase = "skip";
    report.migrations[0].target.resourceId = "/subscriptions/../x";
    writeFileSync(file, JSON.stringify(report));
    const { code, output, queries } = await run(dir, carried);
    expect(code).toBe(2);
    expect(output).toMatch(/migrations\[0\]\.phase = "skip"/);
    expect(queries).toEqual([]);
  });
});
