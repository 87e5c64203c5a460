// @ts-check
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";
import importPlugin from "eslint-plugin-import";

/** The library's layers, lowest first. */
const LAYERS = [
  "core",
  "azure",
  "policy",
  "estate",
  "guardrails",
  "reports",
  "grants",
  "services",
  "identities",
  "compute",
  "units",
  "stack",
];

const LAYER_ENTRY_ONLY =
  "import the library's public entry (../constructs) or the layer's entry (../constructs/<layer>), not a file inside a layer (docs/architecture.md)";
/** A relative path to a file inside a layer, however it gets there (`../constructs/<layer>/<file>`, `./../x/../constructs/...`). */
const INSIDE_A_LAYER = String.raw`/^(?:[\w.-]+\/)*constructs\/[^\/]+\/./`;
/** Such a path given other than in an import or export declaration: to require(), import(), an import() type or a jest mock. */
const INSIDE_A_LAYER_ELSEWHERE = [
  ...[
    "CallExpression[callee.name='require']",
    "CallExpression[callee.object.name='require'][callee.property.name='resolve']",
    "CallExpression[callee.object.name='jest'][callee.property.name=/^(mock|doMock|unmock|dontMock|setMock|requireActual|requireMock|createMockFromModule)$/]",
  ].map((call) => `${call} > Literal.arguments:first-child[value=${INSIDE_A_LAYER}]`),
  `ImportExpression > Literal.source[value=${INSIDE_A_LAYER}]`,
  `TSImportType Literal[value=${INSIDE_A_LAYER}]`,
];

export default defineConfig(
  globalIgnores([
    "node_modules/",
    "cdktf.out/",
    "dist/",
    "coverage/",
    ".gen/",
    ".terraform/",
    // The cdktf init template's way, kept only as the benchmark's baseline (tsconfig excludes them too).
    "bench/template-*.ts",
  ]),
  tseslint.configs.recommended,
  {
    rules: {
      // Unused code is an error; a leading `_` marks a parameter or binding kept on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // No import cycles in the library, the stacks or the tools. The settings make the plugin parse
    // and resolve .ts files (node resolution suffices: no path aliases). eslint-plugin-import, not
    // import-x: import-x needs native resolver bindings this machine's registry does not serve
    // for every platform, which leaves package-lock.json unusable for `npm ci`.
    files: ["main.ts", "constructs/**/*.ts", "stacks/**/*.ts", "tools/**/*.ts"],
    plugins: { import: importPlugin },
    settings: {
      "import/extensions": [".ts", ".js"],
      "import/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import/resolver": { node: { extensions: [".ts", ".js", ".json"] } },
    },
    rules: {
      "import/no-cycle": ["error", { maxDepth: "∞" }],
    },
  },
  {
    // The library's layers, lowest first: a folder imports its own files and lower layers only
    // (docs/architecture.md). constructs/index.ts, the public entry, sits above them all.
    // The zones see static imports only, so the library loads modules no other way, and inline
    // comments cannot switch a rule off (a file that needs an exception gets it here, with its reason).
    files: ["constructs/**/*.ts"],
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: "error" },
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            ...LAYERS.slice(0, -1).map((layer, i) => ({
              target: `./constructs/${layer}`,
              from: [...LAYERS.slice(i + 1).map((above) => `./constructs/${above}`), "./constructs/index.ts"],
              message: `${layer}/ is below these layers: it may import ${LAYERS.slice(0, i + 1).join(", ")} only (docs/architecture.md)`,
            })),
            // The built library is a copy of every layer, the public entry included.
            { target: "./constructs", from: "./dist", message: "the library never imports its own build (dist/)" },
          ],
        },
      ],
      // An import whose path resolves in no case-exact .ts file (`../Services/x`, `x.js`) is refused,
      // not left unchecked by the zones: resolution is what they judge.
      "import/no-unresolved": ["error", { caseSensitive: true }],
      "no-restricted-syntax": [
        "error",
        ...[
          ["TSImportEqualsDeclaration[moduleReference.type='TSExternalModuleReference']", "`import x = require()`"],
          ["TSImportType", "`import()` types"],
          ["ImportExpression", "dynamic `import()`"],
          ["Identifier[name=/^(require|createRequire|jest)$/]", "`require`, `createRequire` and `jest`"],
        ].map(([selector, what]) => ({
          selector,
          message: `the library loads modules by import declarations only, which the layer rule checks: no ${what}`,
        })),
      ],
      // TerraformStack.of finds a stack by a marker both runtimes share: stackOf also refuses the other's.
      "no-restricted-properties": [
        "error",
        { object: "TerraformStack", property: "of", message: "use stackOf (constructs/core/runtime.ts)" },
      ],
    },
  },
  {
    files: ["constructs/core/runtime.ts"],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // Interface and class merge on purpose: the interface declares GrantScope's fields once and
    // the constructor sets every one of them.
    files: ["constructs/grants/targets.ts"],
    rules: { "@typescript-eslint/no-unsafe-declaration-merging": "off" },
  },
  {
    // The app uses the library as a consumer would: through its public entry point only.
    files: ["main.ts", "stacks/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["**/constructs/**"], message: "import from the library's entry point, ../constructs" }],
        },
      ],
    },
  },
  {
    // Tests, tools and the bench are no layer: they import the public entry or any layer's entry
    // (constructs/<layer>/index.ts), never a file inside a layer, so a layer's files can move freely.
    files: ["__tests__/**/*.ts", "tools/**/*.ts", "bench/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["**/constructs/*/**"], message: LAYER_ENTRY_ONLY }],
        },
      ],
      // no-restricted-imports sees declarations and `import x = require()` only.
      "no-restricted-syntax": [
        "error",
        ...INSIDE_A_LAYER_ELSEWHERE.map((selector) => ({ selector, message: LAYER_ENTRY_ONLY })),
      ],
    },
  },
  {
    // These files walk synthesized Terraform JSON, typed `Record<string, any>` on purpose (38 of
    // the rule's 40 hits); `any` elsewhere is still an error.
    files: [
      "constructs/estate/**/*.ts",
      "constructs/guardrails/**/*.ts",
      "constructs/reports/**/*.ts",
      "constructs/core/stack-synthesis.ts",
      "__tests__/**/*.ts",
    ],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // CommonJS by design: scripts/register-swc.js is a require hook, jest.config.js and the bench
    // scripts run under plain node.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
