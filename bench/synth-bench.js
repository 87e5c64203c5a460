#!/usr/bin/env node
// npm run bench [-- --runs 3 --workloads 100,1000,2000]
// Side by side in one run: synth of the three environment stacks and of generated estates of
// N workloads (an identity on a web app and three grants each, split across stacks), our way and
// the cdktf init template's way, the estates also as their floor, then `npm test`. Prints a
// markdown table and the budgets; exits 1 when one is not met.
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

/** One run: wall time from here; peak RSS and CPU time (user + system) reported by the process itself on exit. */
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
    const { rss, cpu } = JSON.parse(readFileSync(rssFile, "utf8"));
    return { seconds, cpu: cpu / 1e6, mb: rss / 1e6 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Ours, the template and the floor run interleaved, one sample of each per round, so a noisy
// minute on this machine weighs on all three alike; each figure is the best of its runs (noise
// only ever adds time).
const best = (samples) => ({
  seconds: Math.min(...samples.map((s) => s.seconds)),
  cpu: Math.min(...samples.map((s) => s.cpu)),
  mb: Math.min(...samples.map((s) => s.mb)),
});
function measureCase(c) {
  const samples = { mine: [], theirs: [], base: [] };
  for (let i = 0; i < runs; i++) {
    samples.mine.push(measure(c.ours, c.env));
    if (c.floor) samples.base.push(measure(c.floor, c.env));
    samples.theirs.push(measure(c.template, c.env));
  }
  return { ...c, mine: best(samples.mine), theirs: best(samples.theirs), base: c.floor && best(samples.base) };
}

const results = cases.map(measureCase);
const started = process.hrtime.bigint();
const test = spawnSync("npm", ["test", "--silent"], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, CI: "true" },
});
const testSeconds = Number(process.hrtime.bigint() - started) / 1e9;

const times = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(
  `Best of ${runs} interleaved runs; node ${process.version}; ${cpus().length} cores (${cpus()[0].model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB. CPU = user + system.\n`,
);
console.log(
  "| synth of | ours: wall (s) | ours: CPU (s) | ours: peak RSS (MB) | floor: wall (s) | floor: CPU (s) | floor: peak RSS (MB) | template: wall (s) | template: CPU (s) | vs floor: wall / CPU / RSS | vs template: wall / CPU |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  const b = r.base;
  const floor = b ? [b.seconds.toFixed(2), b.cpu.toFixed(2), b.mb.toFixed(0)] : ["–", "–", "–"];
  const vsFloor = b
    ? `${times(r.mine.seconds, b.seconds)} / ${times(r.mine.cpu, b.cpu)} / ${times(r.mine.mb, b.mb)}`
    : "–";
  console.log(
    `| ${r.name} | ${r.mine.seconds.toFixed(2)} | ${r.mine.cpu.toFixed(2)} | ${r.mine.mb.toFixed(0)} | ${floor.join(" | ")} | ${r.theirs.seconds.toFixed(2)} | ${r.theirs.cpu.toFixed(2)} | ${vsFloor} | ${times(r.mine.seconds, r.theirs.seconds)} / ${times(r.mine.cpu, r.theirs.cpu)} |`,
  );
}

const byWorkloads = (n) => results.find((r) => r.workloads === n);
const envs = results[0].mine;
const budgets = [
  [
    "three environments: at most a quarter of the template's time and memory",
    envs.seconds <= results[0].theirs.seconds / 4 && envs.mb <= results[0].theirs.mb / 4,
    `${times(envs.seconds, results[0].theirs.seconds)} and ${times(envs.mb, results[0].theirs.mb)}`,
  ],
];
const k = byWorkloads(1000);
if (k) {
  const wall = k.mine.seconds / k.base.seconds;
  const cpu = k.mine.cpu / k.base.cpu;
  budgets.push([
    "1000 workloads: at most 1.15 times the floor (raw provider classes, no checks), wall and CPU",
    wall <= 1.15 && cpu <= 1.15,
    `wall ${wall.toFixed(2)}, CPU ${cpu.toFixed(2)} times`,
  ]);
  const kk = byWorkloads(2000);
  if (kk) {
    const ours = kk.mine.cpu / k.mine.cpu;
    const floor = kk.base.cpu / k.base.cpu;
    budgets.push([
      "1000 to 2000 workloads: CPU grows at most as the floor's does",
      ours <= floor * 1.05,
      `ours ${ours.toFixed(2)}, floor ${floor.toFixed(2)} times (5% noise allowed)`,
    ]);
    const rss = kk.mine.mb / kk.base.mb;
    budgets.push(["2000 workloads: peak memory at most 1.3 times the floor's", rss <= 1.3, `${rss.toFixed(2)} times`]);
  }
}
budgets.push([
  "`npm test`: at most 60 s on 2 cores",
  test.status === 0 && testSeconds <= 60,
  `${testSeconds.toFixed(1)} s${test.status === 0 ? "" : " (failed)"}`,
]);
console.log("\n| budget | measured | met |\n|---|---|---|");
for (const [budget, met, measured] of budgets) console.log(`| ${budget} | ${measured} | ${met ? "yes" : "**no**"} |`);
process.exitCode = budgets.every(([, met]) => met) ? 0 : 1;
