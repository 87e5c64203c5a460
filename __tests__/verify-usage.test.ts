import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main as verify } from "../tools/verify";
import { tokenAcquisitionsQuery } from "../constructs/internal/audit/kql";
import { AzureReader, LogRow } from "../tools/verify/live-estate";
import { withObjectId } from "../tools/verify/usage";
import { SUBSCRIPTION, tempDirs } from "./helpers";
import { synthesizeVerifyEstate } from "./verify-estate";

const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/audit`;

const tempDir = tempDirs("verify-usage-");

/** Two workloads, each with a logged grant: orders (system-assigned, a vault) and docs (user-assigned, a container). */
function synthesize(options: { audit?: boolean } = { audit: true }): string {
  return synthesizeVerifyEstate(tempDir(), options.audit ? { workspaceId: WORKSPACE } : {});
}

const fixture = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, "fixtures", "verify", "usage", file), "utf8"));

interface RecordedQuery {
  readonly oid: string;
  /** The query's table line, after the two `let`s. */
  readonly table: string;
  readonly rows: readonly LogRow[];
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
      const [first, , table] = query.split("\n");
      const oid = /^let oid = "([^"]+)";$/.exec(first)?.[1];
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
