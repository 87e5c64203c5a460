// Runs the app's TypeScript by transpiling each file with swc: no type-checking (`npm test` runs
// `tsc --noEmit` once) and no TypeScript compiler loaded, which halves synth time and memory
// compared with ts-node's swc mode. No source maps: loading them costs another 50%; our errors
// name the construct path instead of a line.
const { transformSync } = require("@swc/core");
const { readFileSync } = require("node:fs");

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
};

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, "utf8"), { ...options, filename });
  module._compile(code, filename);
};
