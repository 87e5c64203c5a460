#!/usr/bin/env node
// Synthesizes the three environment stacks our way and the cdktf init template's way, side by
// side in one run, and prints a markdown table of median wall time and peak memory.
//   ours:     each file transpiled by swc (scripts/register-swc.js), provider classes imported per resource
//   template: ts-node type-checking every file, main.ts behind the provider package's root import
// Usage: npm run bench [-- --runs 5]
const { spawnSync } = require("node:child_process");
const { mkdtempSync, readFileSync, rmSync } = require("node:fs");
const { tmpdir, cpus } = require("node:os");
const { join, resolve } = require("node:path");

const root = resolve(__dirname, "..");
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const ways = [
  { name: "ours: swc transpile, per-resource imports", args: ["-r", "./scripts/register-swc.js", "main.ts"] },
  { name: "cdktf init template: type-checking ts-node, root import", args: ["-r", "ts-node/register", "bench/template-main.ts"] },
];

function measure(way) {
  const dir = mkdtempSync(join(tmpdir(), "synth-bench-"));
  try {
    const rssFile = join(dir, "rss");
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["-r", join(__dirname, "peak-rss.js"), ...way.args], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: join(dir, "out"), BENCH_RSS_FILE: rssFile },
      encoding: "utf8",
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`${way.name} failed:\n${result.stderr}`);
    return { seconds, bytes: Number(readFileSync(rssFile, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = ways.map((way) => {
  const samples = Array.from({ length: runs }, () => measure(way));
  return { way, seconds: median(samples.map((s) => s.seconds)), mb: median(samples.map((s) => s.bytes)) / 1e6 };
});

const [ours, template] = results;
console.log(`Synth of dev, staging and prod; median of ${runs} runs; node ${process.version}, ${cpus().length} cores (${cpus()[0].model.trim()}).\n`);
console.log("| how the app runs | wall (s) | peak RSS (MB) | time vs template | memory vs template |");
console.log("|---|---:|---:|---:|---:|");
for (const r of results) {
  const ratio = (a, b) => `${((a / b) * 100).toFixed(0)}%`;
  console.log(`| ${r.way.name} | ${r.seconds.toFixed(2)} | ${r.mb.toFixed(0)} | ${ratio(r.seconds, template.seconds)} | ${ratio(r.mb, template.mb)} |`);
}
const meets = ours.seconds <= template.seconds / 4 && ours.mb <= template.mb / 4;
console.log(`\nTarget (at most a quarter of the template's time and memory): ${meets ? "met" : "NOT met"}.`);
