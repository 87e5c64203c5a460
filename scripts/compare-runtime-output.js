// Compares two synth outputs of one app, made on cdktf and on CDK Terrain: every file beside every
// stack must be the same, apart from what withoutRuntimeDifferences (scripts/runtimes.js) names:
// the versions each runtime records, and the attribute azurerm 4.65 renamed.
// Usage: node scripts/compare-runtime-output.js <cdktf stacks folder> <cdktn stacks folder>
"use strict";
const { readdirSync, readFileSync, statSync } = require("node:fs");
const { join, relative } = require("node:path");
const { withoutRuntimeDifferences } = require("./runtimes");

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

const withoutVersions = (text) => JSON.stringify(withoutRuntimeDifferences(JSON.parse(text)), null, 2);

function firstDifference(a, b) {
  const [left, right] = [a.split("\n"), b.split("\n")];
  const line = left.findIndex((l, i) => l !== right[i]);
  const at = line === -1 ? left.length : line;
  return `line ${at + 1}: ${JSON.stringify(left[at] ?? "")} vs ${JSON.stringify(right[at] ?? "")}`;
}

const [cdktf, cdktn] = process.argv.slice(2);
if (!cdktf || !cdktn) {
  console.error("usage: node scripts/compare-runtime-output.js <cdktf stacks folder> <cdktn stacks folder>");
  process.exit(2);
}
const [left, right] = [files(cdktf), files(cdktn)];
const problems = [];
for (const f of new Set([...left, ...right])) {
  if (!left.includes(f) || !right.includes(f)) {
    problems.push(`${f}: written by ${left.includes(f) ? "cdktf" : "cdktn"} only`);
    continue;
  }
  let [a, b] = [readFileSync(join(cdktf, f), "utf8"), readFileSync(join(cdktn, f), "utf8")];
  if (f.endsWith("cdk.tf.json")) [a, b] = [withoutVersions(a), withoutVersions(b)];
  if (a !== b) problems.push(`${f} differs, ${firstDifference(a, b)}`);
}
if (problems.length > 0) {
  console.error(`runtime output differs between cdktf and cdktn:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(
  `cdktf and cdktn wrote the same ${left.length} files (${relative(process.cwd(), cdktf) || "."}), apart from versions`,
);
