const { RUNTIMES, SOURCE, selectedRuntime } = require("./scripts/runtimes");

// IDENTITY_RUNTIME=cdktn runs every suite on CDK Terrain: the source's cdktf imports resolve to
// cdktn's packages, as the build rewrites them for the cdktn package.
const runtime = RUNTIMES[selectedRuntime()];
const exactly = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const runtimeMapper =
  runtime.core === SOURCE.core
    ? {}
    : {
        [`^${exactly(SOURCE.core)}$`]: runtime.core,
        [`^${exactly(SOURCE.provider)}/(.*)$`]: `${runtime.provider}/$1`,
      };

/** Tests run through swc (no per-file type-checking); `npm test` type-checks once with tsc. */
module.exports = {
  testEnvironment: "node",
  // Two workers on two cores: the suites are CPU-bound and independent.
  maxWorkers: 2,
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  setupFiles: ["<rootDir>/__tests__/load-services.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  // The consumer app's modules import the package by name; here that name is the library's entry.
  moduleNameMapper: { "^@azure-identity-grants/(cdktf|cdktn)$": "<rootDir>/constructs", ...runtimeMapper },
};
