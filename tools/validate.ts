// npm run validate -- [--no-synth] [--output <synth folder>] [--require-provider] [stack ...]
// The Terraform gate without cloud credentials: synthesizes, then runs each stack's test copy
// through `terraform init -backend=false`, `terraform validate` and a `terraform test` apply
// against a mocked azurerm. Exit 0: passed, or skipped because terraform or the azurerm plugin is
// unavailable here (unless --require-provider, as CI passes: a registry outage must not let a
// deploy through ungated); 1: a stack failed or was skipped under --require-provider; 2: bad
// arguments, no synthesized stack, or a stack file that is no stack (not a regular file, not a JSON object).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { fieldPath, readJsonFile } from "./json-file";
import {
  azurermRequirement,
  classifyInitFailure,
  makeTestCopy,
  preventDestroyProblem,
  renderGateHcl,
} from "./terraform-gate/test-copy";

const USAGE =
  "usage: npm run validate -- [--no-synth] [--output <synth folder, default cdktf.out>] [--require-provider] [stack ...]";
const REVIEWERS = "the reviewers run this gate with the real provider";

export interface Output {
  log(line: string): void;
  error(line: string): void;
}

type Json = { [key: string]: unknown };
type Outcome = "passed" | "failed" | { skipped: string };

/** Runs one terraform command in the test copy; `missing` when there is no terraform on PATH. */
function terraform(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { missing: boolean; ok: boolean; output: string } {
  // TF_IN_AUTOMATION trims "what to do next" advice; TF_PLUGIN_CACHE_DIR and the rest pass through.
  const result = spawnSync("terraform", args, {
    cwd: dir,
    env: { ...env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const missing = (result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return {
    missing,
    ok: !result.error && result.status === 0,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}`.trim(),
  };
}

function gateStack(name: string, stack: Json, testCopy: Json, env: NodeJS.ProcessEnv, out: Output): Outcome {
  const dir = mkdtempSync(join(tmpdir(), `validate-${name}-`));
  try {
    writeFileSync(join(dir, "cdk.tf.json"), `${JSON.stringify(testCopy, null, 2)}\n`);
    writeFileSync(join(dir, "gate.tftest.hcl"), renderGateHcl(stack));
    const init = terraform(dir, ["init", "-backend=false", "-input=false", "-no-color"], env);
    if (init.missing) return { skipped: `terraform is not on PATH; ${REVIEWERS} and terraform >= 1.7` };
    if (!init.ok && classifyInitFailure(init.output) === "provider-unavailable") {
      return {
        skipped: `terraform init could not install ${azurermRequirement(stack)} (no registry access); ${REVIEWERS}`,
      };
    }
    for (const [step, args] of [
      ["init", []],
      ["validate", ["validate", "-no-color"]],
      ["test", ["test", "-no-color"]],
    ] as const) {
      const result = step === "init" ? init : terraform(dir, [...args], env);
      if (!result.ok) {
        out.error(`validate: ${name}: terraform ${step} failed:\n${result.output}`);
        return "failed";
      }
    }
    return "passed";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readStacks(output: string, wanted: readonly string[]): Map<string, Json> | string {
  const root = join(output, "stacks");
  const names =
    existsSync(root) && statSync(root).isDirectory()
      ? readdirSync(root)
          .filter((n) => existsSync(join(root, n, "cdk.tf.json")))
          .sort()
      : [];
  if (names.length === 0)
    return `no synthesized stack in ${root} (expected ${root}/<stack>/cdk.tf.json; run npx cdktf synth, or drop --no-synth)`;
  const unknown = wanted.filter((n) => !names.includes(n));
  if (unknown.length > 0)
    return `unknown stack ${unknown.map((n) => `"${n}"`).join(", ")}; synthesized stacks: ${names.join(", ")}`;
  const chosen = wanted.length > 0 ? names.filter((n) => wanted.includes(n)) : names;
  const stacks = new Map<string, Json>();
  for (const name of chosen) {
    const stack = readStack(join(root, name, "cdk.tf.json"));
    if (typeof stack === "string") return stack;
    stacks.set(name, stack);
  }
  return stacks;
}

/** A synthesized stack is under a megabyte; a file far larger, or no regular file (a FIFO would block), is not read. */
const MAX_STACK_BYTES = 64 << 20;
/** What the gate reads of a stack before terraform does: `resource` and `data` as blocks of named objects. */
const blocks = z.record(z.string(), z.record(z.string(), z.looseObject({}))).optional();
const StackJson = z.looseObject({ resource: blocks, data: blocks });

/** The stack's JSON, or why it cannot be one (named by file, with the bad field's path). */
function readStack(file: string): Json | string {
  const read = readJsonFile(file, MAX_STACK_BYTES, "a stack");
  if ("problem" in read) return `${read.problem}; run npx cdktf synth`;
  const { json } = read;
  const parsed = StackJson.safeParse(json);
  // The file as read, not zod's copy: a loose object copies unknown keys, `__proto__` among them.
  if (parsed.success) return json as Json;
  const [issue] = parsed.error.issues;
  return `${file} is not a synthesized stack: field ${fieldPath(issue.path)}: ${issue.message}; run npx cdktf synth`;
}

/** parseArgs's complaint, naming the flag, without its hint about `--` (meant for positionals that start with a dash). */
function argumentError(e: unknown): string {
  const { code, message } = e as NodeJS.ErrnoException;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw e;
  const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /^Unknown option '([^']*)'/.exec(message) : null;
  return unknown ? `unknown flag ${unknown[1]}` : message;
}

export function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out: Output = console): number {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        "no-synth": { type: "boolean", default: false },
        output: { type: "string", default: "cdktf.out" },
        "require-provider": { type: "boolean", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    out.error(`validate: ${argumentError(e)}\n${USAGE}`);
    return 2;
  }
  const output = args.values.output!;
  if (!args.values["no-synth"]) {
    // Captured, not streamed: the spinner and CLI warnings are noise unless synth fails.
    const synth = spawnSync("npx", ["cdktf", "synth", "--output", output], {
      env: { ...env, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    if (synth.status !== 0) {
      out.error(`${synth.stdout ?? ""}${synth.stderr ?? ""}`.trim());
      out.error(
        `validate: npx cdktf synth failed (${synth.error?.message ?? `exit ${synth.status}`}); fix the synth error above first`,
      );
      return 1;
    }
  }
  const stacks = readStacks(output, args.positionals);
  if (typeof stacks === "string") {
    out.error(`validate: ${stacks}\n${USAGE}`);
    return 2;
  }

  // Checked on the real output, before and whether or not terraform can run.
  let failed = false;
  const copies = new Map<string, Json>();
  for (const [name, stack] of stacks) {
    const { json, preventDestroy } = makeTestCopy(stack);
    copies.set(name, json);
    if (preventDestroy.length > 0) {
      out.log(
        `validate: ${name}: prevent_destroy kept in cdk.tf.json (dropped only in the test copy) on ${preventDestroy.join(", ")}`,
      );
    }
    const problem = preventDestroyProblem(name, preventDestroy);
    if (problem) {
      out.error(`validate: ${problem}`);
      failed = true;
    }
  }

  for (const [name, stack] of stacks) {
    const outcome = gateStack(name, stack, copies.get(name)!, env, out);
    if (typeof outcome === "object") {
      // Every stack would fail the same way: one line for the run, not one per stack.
      if (args.values["require-provider"]) {
        out.error(`validate: failed — ${outcome.skipped}, and --require-provider was given`);
        return 1;
      }
      out.log(`validate: skipped — ${outcome.skipped}`);
      break;
    }
    if (outcome === "failed") failed = true;
    else
      out.log(
        `validate: ${name}: terraform validate and a mocked apply passed (${Object.keys((stack.resource ?? {}) as Json).length} resource types)`,
      );
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
