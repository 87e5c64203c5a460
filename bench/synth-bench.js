#!/usr/bin/env node
// npm run bench [-- --runs 3 --workloads 100,1000,2000]
// Side by side in one run: synth of the three environment stacks and of generated estates of
// N workloads (an identity on a web app and three grants each, split across stacks), our way and
// the cdktf init template's way, the estates also as their floor, then `npm test`. Prints a
// markdown table and the budgets.
//   ours:     each file transpiled by swc (scripts/register-swc.js), provider classes imported per resource
//   template: ts-node type-checking every file it loads, behind the provider package's root import
//   floor:    the same Terraform JSON from the provider classes alone (bench/floor-estate.ts), loaded
//             as ours: no guardrails, access report, targets or grant checks, so ours minus floor
//             is the library's own cost
const { spawnSync } = require("node:child_process");
const { mkdtempSync, readFileSync, rmSync } = require("node:fs");
const { tmpdir, cpus, totalmem } = require("node:os");
const { join, resolve } = require("node:path");
const { parseArgs } = require("node:util");

const root = resolve(__dirname, "..");
const USAGE =
  "usage: npm run bench -- [--runs <runs per case, default 3>] [--workloads <estate sizes, default 100,1000,2000>]";
/** Exit 2 with the usage on a misspelt flag or a bad value, before any synth runs. */
function usageError(problem) {
  process.stderr.write(`synth-bench: ${problem}\n${USAGE}\n`);
  process.exit(2);
}
let values;
try {
  ({ values } = parseArgs({
    options: { runs: { type: "string", default: "3" }, workloads: { type: "string", default: "100,1000,2000" } },
    allowPositionals: false,
    strict: true,
  }));
} catch (e) {
  if (typeof e.code !== "string" || !e.code.startsWith("ERR_PARSE_ARGS_")) throw e;
  const unknown = e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /^Unknown option '([^']*)'/.exec(e.message) : null;
  usageError(unknown ? `unknown flag ${unknown[1]}` : e.message);
}
const positiveInteger = (text) => /^[1-9][0-9]*$/.test(text.trim());
if (!positiveInteger(values.runs)) usageError(`--runs must be a positive whole number, not "${values.runs}"`);
if (!values.workloads.split(",").every(positiveInteger))
  usageError(`--workloads must be positive whole numbers separated by commas, not "${values.workloads}"`);
const runs = Number(values.runs);
const sizes = values.workloads.split(",").map(Number);

const ours = (entry) => ["-r", "./scripts/register-swc.js", entry];
const template = (entry) => ["-r", "ts-node/register", entry];
const cases = [
  {
    name: "dev, staging, prod (6 stacks)",
    ours: ours("main.ts"),
    template: template("bench/template-main.ts"),
    env: {},
  },
  ...sizes.map((n) => ({
    name: `${n} workloads`,
    workloads: n,
    ours: ours("bench/estate-main.ts"),
    template: template("bench/template-estate-main.ts"),
    floor: ours("bench/floor-estate-main.ts"),
    env: { BENCH_WORKLOADS: String(n) },
  })),
];

/** One run: wall time from here, peak RSS reported by the process itself on exit. */
function measure(args, env) {
  const dir = mkdtempSync(join(tmpdir(), "synth-bench-"));
  try {
    const rssFile = join(dir, "rss");
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["-r", join(__dirname, "peak-rss.js"), ...args], {
      cwd: root,
      env: { ...process.env, ...env, CDKTF_OUTDIR: join(dir, "out"), BENCH_RSS_FILE: rssFile },
      encoding: "utf8",
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
    return { seconds, mb: Number(readFileSync(rssFile, "utf8")) / 1e6 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function medianOf(args, env) {
  const samples = Array.from({ length: runs }, () => measure(args, env));
  return { seconds: median(samples.map((s) => s.seconds)), mb: median(samples.map((s) => s.mb)) };
}

const results = cases.map((c) => ({
  ...c,
  mine: medianOf(c.ours, c.env),
  theirs: medianOf(c.template, c.env),
  base: c.floor && medianOf(c.floor, c.env),
}));
const started = process.hrtime.bigint();
const test = spawnSync("npm", ["test", "--silent"], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, CI: "true" },
});
const testSeconds = Number(process.hrtime.bigint() - started) / 1e9;

const pct = (a, b) => `${((a / b) * 100).toFixed(0)}%`;
console.log(
  `Median of ${runs} runs; node ${process.version}; ${cpus().length} cores (${cpus()[0].model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB.\n`,
);
console.log(
  "| synth of | ours: wall (s) | ours: peak RSS (MB) | template: wall (s) | template: peak RSS (MB) | floor: wall (s) | time vs template | memory vs template | time vs floor |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  const floor = r.base ? [r.base.seconds.toFixed(2), pct(r.mine.seconds, r.base.seconds)] : ["–", "–"];
  console.log(
    `| ${r.name} | ${r.mine.seconds.toFixed(2)} | ${r.mine.mb.toFixed(0)} | ${r.theirs.seconds.toFixed(2)} | ${r.theirs.mb.toFixed(0)} | ${floor[0]} | ${pct(r.mine.seconds, r.theirs.seconds)} | ${pct(r.mine.mb, r.theirs.mb)} | ${floor[1]} |`,
  );
}

const byWorkloads = (n) => results.find((r) => r.workloads === n);
const envs = results[0].mine;
const budgets = [
  [
    "three environments: at most a quarter of the template's time and memory",
    envs.seconds <= results[0].theirs.seconds / 4 && envs.mb <= results[0].theirs.mb / 4,
    `${pct(envs.seconds, results[0].theirs.seconds)} and ${pct(envs.mb, results[0].theirs.mb)}`,
  ],
  [
    "three environments: at most 1.5 s and 200 MB",
    envs.seconds <= 1.5 && envs.mb <= 200,
    `${envs.seconds.toFixed(2)} s, ${envs.mb.toFixed(0)} MB`,
  ],
];
if (byWorkloads(1000)) {
  const k = byWorkloads(1000).mine;
  budgets.push([
    "1000 workloads: at most 10 s and 1 GB",
    k.seconds <= 10 && k.mb <= 1000,
    `${k.seconds.toFixed(2)} s, ${k.mb.toFixed(0)} MB`,
  ]);
  const overFloor = k.seconds / byWorkloads(1000).base.seconds;
  budgets.push([
    "1000 workloads: at most 1.3 times the floor (raw provider classes, no checks)",
    overFloor <= 1.3,
    `${overFloor.toFixed(2)} times`,
  ]);
  if (byWorkloads(2000)) {
    const ratio = byWorkloads(2000).mine.seconds / k.seconds;
    budgets.push([
      "2000 workloads: at most 2.3 times the 1000-workload time",
      ratio <= 2.3,
      `${ratio.toFixed(2)} times`,
    ]);
  }
}
budgets.push([
  "`npm test`: at most 30 s",
  test.status === 0 && testSeconds <= 30,
  `${testSeconds.toFixed(1)} s${test.status === 0 ? "" : " (failed)"}`,
]);
console.log("\n| budget | measured | met |\n|---|---|---|");
for (const [budget, met, measured] of budgets) console.log(`| ${budget} | ${measured} | ${met ? "yes" : "**no**"} |`);
