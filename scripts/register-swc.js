// Runs the app's TypeScript by transpiling each file with swc: no type-checking (`npm test` runs
// `tsc --noEmit` once) and no TypeScript compiler loaded, which halves synth time and memory
// compared with ts-node's swc mode. No source maps: loading them costs another 50%; our errors
// name the construct path instead of a line. Each file's output is kept in node_modules/.cache,
// keyed by its text, its path, the options and swc's version: a synth whose files are all cached
// never loads swc (a third of the library's load time).
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
};
const cache = join(__dirname, "..", "node_modules", ".cache", "register-swc");
const salt = `${require("@swc/core/package.json").version}\0${JSON.stringify(options)}`;
let swc;

function transpile(source, filename) {
  const file = join(cache, `${createHash("sha256").update(`${salt}\0${filename}\0${source}`).digest("hex")}.js`);
  try {
    return readFileSync(file, "utf8");
  } catch {
    swc ??= require("@swc/core");
    const { code } = swc.transformSync(source, { ...options, filename });
    try {
      // Written aside and renamed, so a parallel synth never reads half a file.
      mkdirSync(cache, { recursive: true });
      const partial = `${file}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    } catch {
      // A read-only node_modules only costs the next run the transpile.
    }
    return code;
  }
}

require.extensions[".ts"] = (module, filename) => {
  module._compile(transpile(readFileSync(filename, "utf8"), filename), filename);
};

require("./register-runtime");
