import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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
const inTest = (code: string): Planted => ({ file: "__tests__/planted.test.ts", code });
const DEEP_IN_TEST = inTest(
  'import { readEstate } from "../constructs/estate/estate-model";\nexport const planted = readEstate;\n',
);
const ENTRIES_IN_TEST = inTest(
  'import { readEstate } from "../constructs/estate";\nimport { Roles } from "../constructs";\nexport const planted = [readEstate, Roles];\n',
);
const MOCKED_ENTRIES_IN_TEST = inTest(
  'jest.mock("../constructs/estate");\nexport const planted = () => import("../constructs");\n',
);

/** Other ways a library file could reach a higher layer, each refused by the rules named. */
const inCore = (code: string): Planted => ({ file: "constructs/core/planted.ts", code });
const LIBRARY_BYPASSES: [string, Planted, string[]][] = [
  [
    "`import x = require()`, its inline disable ignored",
    inCore(
      '// eslint-disable-next-line @typescript-eslint/no-require-imports\nimport k = require("../services/key-vault");\nexport const planted = k;\n',
    ),
    ["@typescript-eslint/no-require-imports", "no-restricted-syntax"],
  ],
  [
    "createRequire",
    inCore(
      'import { createRequire } from "node:module";\nexport const planted = createRequire(__filename)("../services/key-vault");\n',
    ),
    ["no-restricted-syntax"],
  ],
  [
    "an import() type",
    inCore('export type Planted = typeof import("../services/key-vault");\n'),
    ["no-restricted-syntax"],
  ],
  [
    "a .js path",
    inCore('import { keyVault } from "../services/key-vault.js";\nexport const planted = keyVault;\n'),
    ["import/no-unresolved"],
  ],
  [
    "a path in another case",
    inCore('import { keyVault } from "../Services/key-vault";\nexport const planted = keyVault;\n'),
    ["import/no-unresolved"],
  ],
  [
    "jest.requireActual",
    inCore(
      'declare const jest: { requireActual(path: string): unknown };\nexport const planted = jest.requireActual("../services/key-vault");\n',
    ),
    ["no-restricted-syntax"],
  ],
  [
    // The zone refuses the build when there is one; without one the path resolves nowhere.
    "the built library",
    inCore('import { Roles } from "../../dist";\nexport const planted = Roles;\n'),
    [existsSync(join(repoRoot, "dist/index.js")) ? "import/no-restricted-paths" : "import/no-unresolved"],
  ],
];

const DEEP = '"../constructs/services/key-vault"';
const TEST_BYPASSES: [string, Planted][] = [
  ["require()", inTest(`// eslint-disable-next-line @typescript-eslint/no-require-imports\nrequire(${DEEP});\n`)],
  ["dynamic import()", inTest(`export const planted = () => import(${DEEP});\n`)],
  ["an import() type", inTest(`export type Planted = typeof import(${DEEP});\n`)],
  ["jest.mock", inTest(`jest.mock(${DEEP});\n`)],
  ["jest.doMock", inTest(`jest.doMock(${DEEP}, () => ({}));\n`)],
  ["jest.requireActual", inTest(`export const planted = jest.requireActual(${DEEP});\n`)],
];

const PLANTED = [
  UPWARD,
  DOWNWARD,
  DEEP_IN_TEST,
  ENTRIES_IN_TEST,
  MOCKED_ENTRIES_IN_TEST,
  ...LIBRARY_BYPASSES.map(([, planted]) => planted),
  ...TEST_BYPASSES.map(([, planted]) => planted),
];

let linted: { messages: Message[][]; zones: Zone[] };
const messagesOf = (planted: Planted) => linted.messages[PLANTED.indexOf(planted)];
const ENTRY_ONLY = "import the library's public entry (../constructs) or the layer's entry (../constructs/<layer>)";

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
        message: expect.stringContaining(ENTRY_ONLY),
      },
    ]);
  });

  it("lets a test import the public entry and a layer's entry", () => {
    expect(messagesOf(ENTRIES_IN_TEST)).toEqual([]);
    expect(messagesOf(MOCKED_ENTRIES_IN_TEST)).toEqual([]);
  });

  it.each(LIBRARY_BYPASSES)("refuses a library file reaching another module by %s", (_, planted, rules) => {
    const errors = messagesOf(planted).filter((m) => m.ruleId !== null);
    expect([...new Set(errors.map((m) => m.ruleId))].sort()).toEqual(rules);
  });

  it("ignores a library file's inline eslint comments", () => {
    expect(messagesOf(LIBRARY_BYPASSES[0][1])).toContainEqual({
      ruleId: null,
      message: expect.stringContaining("has no effect because you have 'noInlineConfig' setting"),
    });
  });

  it.each(TEST_BYPASSES)("refuses a test reaching a file inside a layer by %s", (_, planted) => {
    expect(messagesOf(planted)).toEqual([
      { ruleId: "no-restricted-syntax", message: expect.stringContaining(ENTRY_ONLY) },
    ]);
  });

  // The layers as eslint enforces them, lowest first: each layer zone's target, then the top layer,
  // which only the last one's refusals name. The zone refusing dist/ (its target all of constructs/) is none.
  const layerZones = () => linted.zones.filter((zone) => zone.target !== "./constructs");
  const layers = () =>
    [...layerZones().map((zone) => zone.target), layerZones().at(-1)!.from[0]].map((path) =>
      path.replace("./constructs/", ""),
    );

  it("refuses, for each layer, every layer above it and the public entry", () => {
    layerZones().forEach((zone, i) =>
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
