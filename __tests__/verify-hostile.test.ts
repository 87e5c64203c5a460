/**
 * verify reads a file anyone can edit and sends what it reads to Azure. Each hostile or malformed
 * report here is refused with exit 2, naming the field (its path in the report) and the value,
 * before verify makes an Azure reader at all; and every report the sample estate synthesizes is
 * accepted as it is.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main as verify } from "../tools/verify";
import { checkAccessReport } from "../tools/verify/report-schema";
import { AzureReader } from "../tools/verify/live-estate";
import { buildApp } from "../stacks/build-app";
import { SUBSCRIPTION, tempDirs } from "./helpers";
import { ACCOUNT, synthesizeVerifyEstate } from "./verify-estate";

const tempDir = tempDirs("verify-hostile-");
const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/audit`;

/** The report `npm run synth` writes for the verify estate (orders, docs-id), with audit logs on. */
const original: Record<string, any> = JSON.parse(
  readFileSync(
    join(synthesizeVerifyEstate(tempDir(), { workspaceId: WORKSPACE }), "stacks", "dev", "access-report.json"),
    "utf8",
  ),
);
const copy = (): Record<string, any> => structuredClone(original);
const indexOf = (report: Record<string, any>, name: string) =>
  report.identities.findIndex((i: { name: string }) => i.name === name);

/** A synth folder holding `content` as dev's access report. */
function synthFolder(content: string | Buffer): string {
  const dir = tempDir();
  mkdirSync(join(dir, "stacks", "dev"), { recursive: true });
  writeFileSync(join(dir, "stacks", "dev", "access-report.json"), content);
  return dir;
}

/** verify with a reader whose creation fails the test: nothing may reach Azure. */
async function refused(synthDir: string, argv: string[] = ["dev"]) {
  const made: string[] = [];
  const result = await verify(argv, {
    synthDir,
    reader: (subscriptionId) => {
      made.push(subscriptionId);
      throw new Error("verify made an Azure reader for a report it should have refused");
    },
  });
  expect(made).toEqual([]);
  expect(result.code).toBe(2);
  return result.output;
}

interface HostileReport {
  readonly about: string;
  readonly edit: (report: Record<string, any>) => void;
  /** The path verify must name, and what it must say of it (the value shown, and why). */
  readonly names: RegExp;
}

const orders = (r: Record<string, any>) => r.identities[indexOf(r, "orders")];
const docs = (r: Record<string, any>) => r.identities[indexOf(r, "docs-id")];

const HOSTILE: readonly HostileReport[] = [
  // The examples of the issue: today each is sent to Azure, or crashes verify with a TypeError.
  {
    about: "a resource id with `..` segments",
    edit: (r) =>
      (orders(r).resourceId =
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/sites/../../../../providers/Microsoft.Authorization/roleAssignments/x`),
    names:
      /identities\[\d\]\.resourceId = "\/subscriptions\/.*\/sites\/\.\.\/.*": Malformed Azure resource id \(it has a "\.\." segment after "sites"/,
  },
  {
    about: "a resource id that is no ARM id",
    edit: (r) => (orders(r).resourceId = "Microsoft.Web/sites/orders"),
    names:
      /identities\[\d\]\.resourceId = "Microsoft\.Web\/sites\/orders": Malformed Azure resource id \(it must start with \//,
  },
  {
    about: "a URL given as resourceId",
    edit: (r) => (orders(r).resourceId = "https://attacker.example/subscriptions/x"),
    names:
      /identities\[\d\]\.resourceId = "https:\/\/attacker\.example\/subscriptions\/x": Malformed Azure resource id/,
  },
  {
    about: "a subscription that is no GUID",
    edit: (r) => (r.subscriptionId = "../../providers/Microsoft.Management"),
    names: /^ {2}subscriptionId = "\.\.\/\.\.\/providers\/Microsoft\.Management": not a GUID$/m,
  },
  {
    about: "a null identity",
    edit: (r) => (r.identities[0] = null),
    names: /identities\[0\] = null: expected an object/,
  },
  {
    about: "a principal id that is no string",
    edit: (r) => (docs(r).principalId = 1234),
    names: /identities\[\d\]\.principalId = 1234: expected a string/,
  },
  {
    about: "an object as a grant's scope id",
    edit: (r) => (r.grants[0].scopeId = { $ne: "" }),
    names: /grants\[0\]\.scopeId = \{"\$ne":""\}: expected a string/,
  },
  {
    about: "an object as a grant's scope",
    edit: (r) => (r.grants[0].scope = {}),
    names: /grants\[0\]\.scope = \{\}: expected a string/,
  },
  {
    about: "an unknown field",
    edit: (r) => (orders(r).resourceIdOverride = "/subscriptions/x"),
    names: /identities\[\d\]\.resourceIdOverride = "\/subscriptions\/x": a field access reports do not have/,
  },
  {
    about: "an over-long name",
    edit: (r) => (orders(r).name = "o".repeat(100_000)),
    names: /identities\[\d\]\.name = "o{299}… \(100002 characters\): longer than 1024 characters/,
  },
  // Ten more of our own, and then some.
  {
    about: "a __proto__ key (prototype pollution)",
    edit: (r) => Object.defineProperty(r, "__proto__", { value: { polluted: true }, enumerable: true }),
    names: /^ {2}__proto__ = \{"polluted":true\}: a field access reports do not have$/m,
  },
  {
    about: "a constructor key in a grant",
    edit: (r) => (r.grants[0].constructor = { prototype: { polluted: true } }),
    names: /grants\[0\]\.constructor = \{"prototype":\{"polluted":true\}\}: a field access reports do not have/,
  },
  {
    about: "an object where the identities list belongs",
    edit: (r) => (r.identities = { 0: r.identities[0] }),
    names: /^ {2}identities = \{"0":\{.*: expected a list$/m,
  },
  {
    about: "a NUL in an identity's name",
    edit: (r) => (orders(r).name = "orders\u0000; rm -rf /"),
    names: /identities\[\d\]\.name = "orders\\u0000; rm -rf \/": holds a control or invisible character/,
  },
  {
    about: "a right-to-left override in a grant's target (shown escaped, never raw)",
    edit: (r) => (r.grants[0].target = "Key Vault \u202Evk-ppa"),
    names: /grants\[0\]\.target = "Key Vault \\u202Evk-ppa": holds a control or invisible character/,
  },
  {
    about: "a lone surrogate in a key",
    edit: (r) => (orders(r).stableKey = "SystemAssigned|app-rg|\ud800"),
    names: /identities\[\d\]\.stableKey = "SystemAssigned\|app-rg\|\\ud800": holds a control or invisible character/,
  },
  {
    about: "a Cyrillic homoglyph in a resource id",
    edit: (r) =>
      (orders(r).resourceId =
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.W\u0435b/sites/orders`),
    names:
      /identities\[\d\]\.resourceId = ".*Microsoft\.W\u0435b\/sites\/orders": Malformed Azure resource id \(it contains/,
  },
  {
    about: "the scope /subscriptions/x/../../providers",
    edit: (r) => (r.grants[0].scopeId = "/subscriptions/x/../../providers"),
    names:
      /grants\[0\]\.scopeId = "\/subscriptions\/x\/\.\.\/\.\.\/providers": Malformed Azure resource id \(it has a "\.\." segment/,
  },
  {
    about: "percent-encoded dot segments",
    edit: (r) =>
      (r.grants[0].scopeId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/%2e%2e/%2e%2e/providers/Microsoft.KeyVault/vaults/kv`),
    names: /grants\[0\]\.scopeId = ".*%2e%2e.*": Malformed Azure resource id \(it contains/,
  },
  {
    about: "a query string in a resource id",
    edit: (r) =>
      (orders(r).resourceId =
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/sites/orders?api-version=2015-01-01`),
    names:
      /identities\[\d\]\.resourceId = ".*orders\?api-version=2015-01-01": Malformed Azure resource id \(it contains/,
  },
  {
    about: "backslash segments",
    edit: (r) => (r.grants[0].scopeId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg\\..\\..\\x`),
    names: /grants\[0\]\.scopeId = ".*app-rg\\\\\.\.\\\\\.\.\\\\x": Malformed Azure resource id \(it contains/,
  },
  {
    about: "a subscription id as an identity's resource",
    edit: (r) => (orders(r).resourceId = `/subscriptions/${SUBSCRIPTION}`),
    names: /identities\[\d\]\.resourceId = "\/subscriptions\/1111.*": a subscription id, not a resource's/,
  },
  {
    about: "a GUID padded with a space",
    edit: (r) => (r.subscriptionId = ` ${SUBSCRIPTION}`),
    names: /^ {2}subscriptionId = " 1111.*": not a GUID$/m,
  },
  {
    about: "two identities with one key",
    edit: (r) => r.identities.push({ ...orders(r), name: "impostor" }),
    names: /identities\[\d\]\.key = "azurerm_linux_web_app\.orders-app#system": a second identity with this key/,
  },
  {
    about: "a grant of an identity the report does not have",
    edit: (r) => (r.grants[0].identity = "azurerm_user_assigned_identity.ghost"),
    names: /grants\[0\]\.identity = "azurerm_user_assigned_identity\.ghost": names no identity of the report/,
  },
  {
    about: "ten thousand and one grants",
    edit: (r) => (r.grants = Array.from({ length: 10_001 }, () => r.grants[0])),
    names: /^ {2}grants = \[\{.*: more than 10000 items$/m,
  },
  {
    about: "a condition longer than Azure accepts",
    edit: (r) => (r.grants[0].condition = `@Resource[x:y] StringEquals '${"a".repeat(8200)}'`),
    names: /grants\[0\]\.condition = "@Resource.*: longer than the 8192 bytes Azure accepts in a condition/,
  },
  {
    about: "a principal kind that does not exist",
    edit: (r) => (orders(r).kind = "Owner"),
    names: /identities\[\d\]\.kind = "Owner": expected one of "UserAssigned", "SystemAssigned"/,
  },
  {
    about: "a number as the environment",
    edit: (r) => (r.environment = 7),
    names: /^ {2}environment = 7: expected a string$/m,
  },
  {
    about: "a missing list",
    edit: (r) => delete r.grants,
    names: /^ {2}grants is missing$/m,
  },
  {
    about: "a storage account as the audit workspace",
    edit: (r) => (r.auditWorkspace = ACCOUNT),
    names: /^ {2}auditWorkspace = ".*storageAccounts\/acct": not a Log Analytics workspace id$/m,
  },
  {
    about: "a query that is no string",
    edit: (r) => (orders(r).queries.dataOperations[0].query = ["| take 1"]),
    names: /identities\[\d\]\.queries\.dataOperations\[0\]\.query = \["\| take 1"\]: expected a string/,
  },
  {
    about: "a value set of an unknown kind",
    edit: (r) =>
      (r.grants[0].conditionAllows = {
        parsed: true,
        assign: { roles: { kind: "all" }, principalTypes: { kind: "any" }, principalIds: { kind: "any" } },
        remove: { roles: { kind: "any" }, principalTypes: { kind: "any" }, principalIds: { kind: "any" } },
      }),
    names: /grants\[0\]\.conditionAllows\.assign\.roles(\.kind)? = .*"all".*: /,
  },
];

describe("verify refuses a hostile access report before asking Azure anything", () => {
  it.each(HOSTILE)("exits 2 naming the field and its value: $about", async ({ edit, names }) => {
    const report = copy();
    edit(report);
    const dir = synthFolder(JSON.stringify(report));
    const output = await refused(dir);
    expect(output).toMatch(
      new RegExp(
        `^verify: ${join(dir, "stacks", "dev", "access-report.json")} is not an access report verify can use; run npm run synth to write it again:\\n {2}`,
      ),
    );
    expect(output).toMatch(names);
    // Nothing leaked into the prototypes while it was read.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names a few problems and counts the rest", async () => {
    const report = copy();
    report.grants = Array.from({ length: 8 }, () => ({ ...report.grants[0], scopeId: "https://attacker.example/" }));
    const lines = (await refused(synthFolder(JSON.stringify(report)))).trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines.slice(1, 6)).toEqual(
      [0, 1, 2, 3, 4].map((i) => expect.stringMatching(new RegExp(`^ {2}grants\\[${i}\\]\\.scopeId = "https://`))),
    );
    expect(lines[6]).toBe("  (and 3 more)");
  });

  it("refuses a report that is no object at all", async () => {
    for (const json of ["null", "[]", '"dev"', "42"])
      expect(await refused(synthFolder(json))).toMatch(/:\n {2}the report = .*: expected an object\n$/);
  });

  it.each([["../prod"], [".."], ["dev\\..\\prod"], ["dev\u0000.json"], ["dev\u001b[2J"]])(
    "refuses %j as an environment name, before looking for its report",
    async (environment) => {
      expect(await refused(synthFolder(JSON.stringify(original)), [environment])).toBe(
        `verify: ${JSON.stringify(environment)} is not an environment name (a stack of the synth folder, e.g. dev)\n`,
      );
    },
  );

  it("refuses the report of another environment put in dev's place", async () => {
    const report = copy();
    report.environment = "prod";
    expect(await refused(synthFolder(JSON.stringify(report)))).toMatch(
      /access-report\.json is the access report of environment "prod", not of dev; run npm run synth\n$/,
    );
  });

  it("refuses a file far larger than a report without parsing it", async () => {
    const report = copy();
    const huge = `${JSON.stringify(report).slice(0, -1)},"padding":"${"x".repeat(9 << 20)}"}`;
    expect(await refused(synthFolder(huge))).toMatch(
      /access-report\.json is 94\d{5} bytes, more than an access report's 8388608; run npm run synth\n$/,
    );
  });

  it("refuses what is no regular file: a folder, a link to a device that never ends", async () => {
    const folder = tempDir();
    mkdirSync(join(folder, "stacks", "dev", "access-report.json"), { recursive: true });
    expect(await refused(folder)).toMatch(/access-report\.json is not a regular file; run npm run synth\n$/);
    const device = tempDir();
    mkdirSync(join(device, "stacks", "dev"), { recursive: true });
    symlinkSync("/dev/zero", join(device, "stacks", "dev", "access-report.json"));
    expect(await refused(device)).toMatch(/access-report\.json is not a regular file; run npm run synth\n$/);
  });

  it("refuses bytes that are not UTF-8 rather than reading them as replacement characters", async () => {
    const bytes = Buffer.concat([Buffer.from('{"environment":"d'), Buffer.from([0xc3, 0x28]), Buffer.from('ev"}')]);
    expect(await refused(synthFolder(bytes))).toMatch(
      /access-report\.json is not readable JSON: .*; run npm run synth\n$/,
    );
  });

  it("refuses JSON nested a million deep without a stack overflow", async () => {
    const deep = `${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`;
    expect(await refused(synthFolder(deep))).toMatch(/access-report\.json is not (readable JSON|an access report)/);
  });

  it("reads a report with a byte order mark as the same report", async () => {
    const calls: string[] = [];
    const result = await verify(["dev"], {
      synthDir: synthFolder(`\ufeff${JSON.stringify(original)}`),
      reader: (subscriptionId) => {
        calls.push(subscriptionId);
        return nothingInAzure;
      },
    });
    expect(calls).toEqual([SUBSCRIPTION]);
    expect(result.code).toBe(1);
    expect(result.output).toContain("# Verify dev: Azure does not match the code");
  });
});

/** An Azure that holds nothing: every identity is gone. */
const nothingInAzure: AzureReader = {
  principalOf: async () => ({ status: "not-found" }),
  assignmentsOfPrincipal: async () => [],
  assignmentsAtScope: async () => [],
  existingObjects: async () => new Set(),
};

describe("the report schema", () => {
  // The sample estate as `npm run synth` writes it: every environment's stacks.
  const outdir = tempDir();
  buildApp(outdir).synth();
  const stacks = readdirSync(join(outdir, "stacks")).sort();

  it("synthesizes the stacks it is checked against", () => {
    expect(stacks).toEqual(expect.arrayContaining(["dev", "staging", "prod"]));
  });

  it.each(stacks)("accepts the access report of %s as synthesized, every field known", (stack) => {
    const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "access-report.json"), "utf8"));
    expect(checkAccessReport(json)).toEqual({ report: json });
  });

  it("accepts the sample environments' reports in verify, and reads Azure only then", async () => {
    for (const environment of ["dev", "staging", "prod"]) {
      const made: string[] = [];
      const result = await verify([environment], {
        synthDir: outdir,
        reader: (subscriptionId) => {
          made.push(subscriptionId);
          return nothingInAzure;
        },
      });
      expect(result.code).toBe(1);
      expect(made).toHaveLength(1);
    }
  });

  it("refuses an unknown field at every level of a real report", () => {
    // Every object of the report, by path: each must refuse a field it does not know.
    const objects: { path: string; object: Record<string, unknown> }[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value !== null && typeof value === "object") {
        objects.push({ path, object: value as Record<string, unknown> });
        for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
      }
    };
    const report = JSON.parse(readFileSync(join(outdir, "stacks", "prod", "access-report.json"), "utf8"));
    walk(report, "");
    expect(objects.length).toBeGreaterThan(50);
    for (const { path, object } of objects) {
      object.unexpected = true;
      expect(checkAccessReport(report).problems).toEqual([
        `${path ? `${path}.` : ""}unexpected = true: a field access reports do not have`,
      ]);
      delete object.unexpected;
    }
  });
});
