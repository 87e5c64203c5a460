import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main as verify } from "../tools/verify";
import { tokenAcquisitionsQuery } from "../constructs/reports";
import { AzureReader, LogRow } from "../tools/verify/live-estate";
import { withObjectId } from "../tools/verify/usage";
import { SUBSCRIPTION, tempDirs } from "./helpers";
import { synthesizeVerifyEstate } from "./verify-estate";

const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/audit`;
/** Another environment's workspace, the one destination of the tenant's sign-in export. */
const SIGN_IN_WORKSPACE = `/subscriptions/${SUBSCRIPTION.replace(/^.{4}/, "9999")}/resourceGroups/prod-rg/providers/Microsoft.OperationalInsights/workspaces/prod-audit`;

const tempDir = tempDirs("verify-usage-");

/**
 * Two workloads, each with a logged grant: orders (system-assigned, a vault) and docs
 * (user-assigned, a container). Sign-ins land in the audit workspace unless `signIns` says
 * another one or none.
 */
function synthesize(options: { audit?: boolean; signIns?: "audit" | "elsewhere" | "none" } = {}): string {
  const { audit = true, signIns = "audit" } = options;
  const signInWorkspaceId = { audit: WORKSPACE, elsewhere: SIGN_IN_WORKSPACE, none: undefined }[signIns];
  return synthesizeVerifyEstate(tempDir(), audit ? { workspaceId: WORKSPACE, signInWorkspaceId } : {});
}

const fixture = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, "fixtures", "verify", "usage", file), "utf8"));

interface RecordedQuery {
  readonly oid: string;
  /** The query's table line, after the `let`s. */
  readonly table: string;
  readonly rows: readonly LogRow[];
}

/** The literal object id of a query's first line, and its table: the first line that is no `let`. */
function parseQuery(query: string): { oid?: string; table?: string } {
  const lines = query.split("\n");
  return {
    oid: /^let oid = "([^"]+)";$/.exec(lines[0])?.[1],
    table: lines.find((l) => !l.startsWith("let ")),
  };
}

/**
 * A reader answering from recorded Log Analytics results, matched by the query's literal object
 * id and table; the drift checks' methods are not called by --usage.
 */
function recordedReader(results: string) {
  const principals: Record<string, string> = fixture("principals.json");
  const recorded: RecordedQuery[] = fixture(results);
  const queries: { workspace: string; query: string; days: number }[] = [];
  const unused = () => Promise.reject(new Error("not read by --usage"));
  const reader: AzureReader = {
    principalOf: async (resourceId) =>
      principals[resourceId] ? { status: "found", principalId: principals[resourceId] } : { status: "not-found" },
    assignmentsOfPrincipal: unused,
    assignmentsAtScope: unused,
    existingObjects: unused,
    async queryLogs(workspace, query, days) {
      queries.push({ workspace, query, days });
      const { oid, table } = parseQuery(query);
      const match = recorded.find((r) => r.oid === oid && r.table === table);
      if (!match) throw new Error(`no recorded result for ${oid} on ${table}`);
      return match.rows;
    },
  };
  return { reader, queries };
}

describe("verify --usage", () => {
  it("lists an identity that never signed in and a grant never exercised, and exits 1", async () => {
    const { reader, queries } = recordedReader("unused.json");
    const out = synthesize();
    const { code, output } = await verify(["dev", "--usage", "--days", "14", "--out", out], { reader: () => reader });
    expect(code).toBe(1);
    expect(output).toContain("## Identities with no successful token acquisition (cleanup candidates)");
    expect(output).toMatch(/- orders \(`azurerm_linux_web_app\.orders-app#system`/);
    expect(output).not.toMatch(/- docs-id \(/);
    expect(output).toContain("## Grants never exercised");
    expect(output).toContain("- docs-id: storage blob service of acct");
    expect(output).toContain("- orders: Key Vault of app-kv");
    // Every query ran in the report's workspace over the asked window, with the resolved object id.
    expect(queries).toHaveLength(4);
    expect(queries.every((q) => q.workspace === WORKSPACE && q.days === 14)).toBe(true);
    expect(queries.every((q) => !q.query.includes("workspace("))).toBe(true);
    expect(queries.every((q) => !q.query.includes("ServicePrincipalName =="))).toBe(true);

    const json = await verify(["dev", "--usage", "--json", "--out", out], {
      reader: () => recordedReader("unused.json").reader,
    });
    expect(json.code).toBe(1);
    const usage = JSON.parse(json.output);
    expect(usage).toMatchObject({ days: 30, allUsed: false, auditWorkspace: WORKSPACE });
    expect(usage.identities.map((i: { name: string; signIns: number }) => [i.name, i.signIns])).toEqual(
      expect.arrayContaining([
        ["orders", 0],
        ["docs-id", 88],
      ]),
    );
  });

  it("exits 0 when every identity signed in and every logged grant was used", async () => {
    const { reader } = recordedReader("used.json");
    const { code, output } = await verify(["dev", "--usage", "--out", synthesize()], { reader: () => reader });
    expect(code).toBe(0);
    expect(output).toContain("Every identity signed in and every logged grant was used (2 identities checked).");
  });

  it.each([["0"], ["731"], ["1.5"], ["ten"], ["-3"], [""]])("exits 2 with the usage for --days %p", async (days) => {
    const { code, output } = await verify(["dev", "--usage", `--days=${days}`, "--out", synthesize()], {
      reader: () => recordedReader("used.json").reader,
    });
    expect(code).toBe(2);
    expect(output).toContain("--days must be a whole number from 1 to 730");
    expect(output).toContain("usage: npm run verify");
  });

  it("exits 2 for --days without --usage", async () => {
    const { code, output } = await verify(["dev", "--days", "7", "--out", synthesize()]);
    expect(code).toBe(2);
    expect(output).toContain("--days needs --usage");
  });

  it("exits 2 when the access report names no audit workspace", async () => {
    const { reader, queries } = recordedReader("used.json");
    const { code, output } = await verify(["dev", "--usage", "--out", synthesize({ audit: false })], {
      reader: () => reader,
    });
    expect(code).toBe(2);
    expect(output).toBe("verify: the environment has no audit workspace in its access report\n");
    expect(queries).toHaveLength(0);
  });

  it("runs sign-in queries in the workspace that receives them, data queries in the audit workspace", async () => {
    const { reader, queries } = recordedReader("used.json");
    const { code, output } = await verify(["dev", "--usage", "--out", synthesize({ signIns: "elsewhere" })], {
      reader: () => reader,
    });
    expect(code).toBe(0);
    expect(output).toContain("Every identity signed in");
    const where = (table: string) => [
      ...new Set(queries.filter((q) => parseQuery(q.query).table === table).map((q) => q.workspace)),
    ];
    expect(where("AADManagedIdentitySignInLogs")).toEqual([SIGN_IN_WORKSPACE]);
    expect(where("StorageBlobLogs")).toEqual([WORKSPACE]);
    expect(where("AzureDiagnostics")).toEqual([WORKSPACE]);
    // The data queries read the client id across, from the sign-in workspace.
    const blob = queries.find((q) => parseQuery(q.query).table === "StorageBlobLogs")!.query;
    expect(blob).toContain(`workspace("${SIGN_IN_WORKSPACE}").AADManagedIdentitySignInLogs`);
  });

  it("says cannot tell, never unused, when no workspace receives the sign-ins", async () => {
    const { reader, queries } = recordedReader("unused.json");
    const out = synthesize({ signIns: "none" });
    const { code, output } = await verify(["dev", "--usage", "--out", out], { reader: () => reader });
    expect(code).toBe(1);
    expect(output).toContain("Cannot tell whether the 2 identities signed in");
    expect(output).toContain("## Sign-ins: cannot tell");
    expect(output).not.toContain("cleanup candidates");
    expect(queries.some((q) => parseQuery(q.query).table === "AADManagedIdentitySignInLogs")).toBe(false);
    const json = await verify(["dev", "--usage", "--json", "--out", out], {
      reader: () => recordedReader("unused.json").reader,
    });
    const usage = JSON.parse(json.output);
    expect(usage.signInWorkspace).toBeUndefined();
    expect(usage.identities.map((i: { signIns: unknown }) => i.signIns)).toEqual([null, null]);
    const report = JSON.parse(readFileSync(join(out, "stacks", "dev", "access-report.json"), "utf8"));
    expect(report.signInWorkspace).toBeUndefined();
    expect(
      report.identities.every((i: { queries?: object }) => !i.queries || !("tokenAcquisitions" in i.queries)),
    ).toBe(true);
  });

  it("exits 2 when the report's sign-in workspace is no workspace id", async () => {
    const out = synthesize();
    const file = join(out, "stacks", "dev", "access-report.json");
    const report = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...report, signInWorkspace: '" | take 1; AuditLogs' }));
    const { reader, queries } = recordedReader("used.json");
    const { code, output } = await verify(["dev", "--usage", "--out", out], { reader: () => reader });
    expect(code).toBe(2);
    expect(output).toContain("signInWorkspace");
    expect(queries).toHaveLength(0);
  });

  it("puts only a GUID into KQL as the object id", () => {
    expect(() => withObjectId('let oid = "x";\nStorageBlobLogs', 'x"; AuditLogs //')).toThrow(/no GUID/);
  });

  it("swaps the report's name-based principal lookup for the object id", () => {
    const report = JSON.parse(readFileSync(join(synthesize(), "stacks", "dev", "access-report.json"), "utf8"));
    const objectId = "3c1f0e2a-7b4d-4e8f-9a01-0000000000a1";
    // The same substitution on the sign-in query gives exactly what the query builder writes for an id.
    expect(withObjectId(report.identities[0].queries.tokenAcquisitions, objectId)).toBe(
      tokenAcquisitionsQuery({ objectId }),
    );
    expect(() => withObjectId("StorageBlobLogs", objectId)).toThrow(/let oid/);
  });
});
