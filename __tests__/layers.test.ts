import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const repoRoot = join(__dirname, "..");

interface Planted {
  /** Where the code would live, relative to the repository; no file is written. */
  readonly file: string;
  readonly code: string;
}
interface Message {
  readonly ruleId: string | null;
  readonly message: string;
}
interface Zone {
  readonly target: string;
  readonly from: readonly string[];
}

// ESLint loads eslint.config.mjs by dynamic import, which Jest's module sandbox refuses: the Node
// API runs in a plain node child, once for every planted file and the layer zones it enforces.
// import/no-cycle is off there: it reads the linted file from disk, which a planted file is not on
// (and a file nothing imports is in no cycle).
const LINT = `
const { ESLint } = require("eslint");
const { join } = require("node:path");
(async () => {
  const planted = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfig: { files: ["constructs/**/*.ts"], rules: { "import/no-cycle": "off" } },
  });
  const messages = [];
  for (const { file, code } of planted) {
    const [result] = await eslint.lintText(code, { filePath: join(process.cwd(), file) });
    messages.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  const config = await eslint.calculateConfigForFile(join(process.cwd(), "constructs/core/planted.ts"));
  process.stdout.write(JSON.stringify({ messages, zones: config.rules["import/no-restricted-paths"][1].zones }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

const UPWARD: Planted = {
  file: "constructs/core/planted.ts",
  code: 'import { WorkloadIdentity } from "../units/workload-identity";\nexport const planted = WorkloadIdentity;\n',
};
const DOWNWARD: Planted = {
  file: "constructs/units/planted.ts",
  code: 'import { IdentityConfigError } from "../core/errors";\nexport const planted = IdentityConfigError;\n',
};
const DEEP_IN_TEST: Planted = {
  file: "__tests__/planted.test.ts",
  code: 'import { readEstate } from "../constructs/estate/estate-model";\nexport const planted = readEstate;\n',
};
const ENTRIES_IN_TEST: Planted = {
  file: "__tests__/planted.test.ts",
  code: 'import { readEstate } from "../constructs/estate";\nimport { Roles } from "../constructs";\nexport const planted = [readEstate, Roles];\n',
};
const PLANTED = [UPWARD, DOWNWARD, DEEP_IN_TEST, ENTRIES_IN_TEST];

let linted: { messages: Message[][]; zones: Zone[] };
const messagesOf = (planted: Planted) => linted.messages[PLANTED.indexOf(planted)];

beforeAll(() => {
  const out = execFileSync(process.execPath, ["-e", LINT], {
    cwd: repoRoot,
    input: JSON.stringify(PLANTED),
    encoding: "utf8",
  });
  linted = JSON.parse(out);
}, 120_000);

describe("eslint's layer rule", () => {
  it("refuses a library file importing from a higher layer", () => {
    expect(messagesOf(UPWARD)).toEqual([
      {
        ruleId: "import/no-restricted-paths",
        message: expect.stringContaining("core/ is below these layers: it may import core only"),
      },
    ]);
  });

  it("lets a library file import a lower layer", () => {
    expect(messagesOf(DOWNWARD)).toEqual([]);
  });

  it("refuses a test importing a file inside a layer, naming the entries to use instead", () => {
    expect(messagesOf(DEEP_IN_TEST)).toEqual([
      {
        ruleId: "no-restricted-imports",
        message: expect.stringContaining(
          "import the library's public entry (../constructs) or the layer's entry (../constructs/<layer>)",
        ),
      },
    ]);
  });

  it("lets a test import the public entry and a layer's entry", () => {
    expect(messagesOf(ENTRIES_IN_TEST)).toEqual([]);
  });

  // The layers as eslint enforces them, lowest first: each zone's target, then the top layer, which
  // only the last zone's refusals name.
  const layers = () =>
    [...linted.zones.map((zone) => zone.target), linted.zones.at(-1)!.from[0]].map((path) =>
      path.replace("./constructs/", ""),
    );

  it("refuses, for each layer, every layer above it and the public entry", () => {
    linted.zones.forEach((zone, i) =>
      expect(zone.from).toEqual([
        ...layers()
          .slice(i + 1)
          .map((above) => `./constructs/${above}`),
        "./constructs/index.ts",
      ]),
    );
  });

  it("has one layer per folder under constructs/ and one folder per layer", () => {
    const folders = readdirSync(join(repoRoot, "constructs"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect([...layers()].sort()).toEqual(folders.sort());
  });

  it("has the order docs/architecture.md states", () => {
    const doc = readFileSync(join(repoRoot, "docs/architecture.md"), "utf8");
    const chain = doc.split("\n").find((line) => line.startsWith("`core` → "));
    expect(chain?.split(" → ").map((layer) => layer.replace(/`/g, ""))).toEqual(layers());
  });
});
