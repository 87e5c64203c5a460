// npm run access-diff -- <base synth folder> <head synth folder> [--allow-broadening]
// Prints the access changes between two `cdktf synth` outputs as markdown for a pull request.
// Exit 0: nothing broadens; 1: something broadens (unless --allow-broadening); 2: unusable input.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { readJsonFile, fieldPath } from "./json-file";
import { AccessReport, buildAccessReport, diffAccess, GuardrailRecord, renderAccessDiff } from "../constructs";

const USAGE = "usage: npm run access-diff -- <base synth folder> <head synth folder> [--allow-broadening]";

class UnusableInput extends Error {}

/** parseArgs's complaint, naming the flag, without its hint about `--` (meant for positionals that start with a dash). */
function argumentError(e: unknown): string {
  const { code, message } = e as NodeJS.ErrnoException;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw e;
  const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /^Unknown option '([^']*)'/.exec(message) : null;
  return unknown ? `unknown flag ${unknown[1]}` : message;
}

/** The flags and the two folders; a misspelt flag is an error, not a folder or a silent no-op. */
function parseArguments(argv: readonly string[]): { allowBroadening: boolean; baseDir: string; headDir: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { "allow-broadening": { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UnusableInput(`${argumentError(e)}\n${USAGE}`);
  }
  const folders = parsed.positionals;
  if (folders.length < 2)
    throw new UnusableInput(`missing the ${folders.length === 0 ? "base" : "head"} folder\n${USAGE}`);
  if (folders.length > 2)
    throw new UnusableInput(
      `expected two folders, got ${folders.length}: ${folders.map((f) => `"${f}"`).join(", ")}\n${USAGE}`,
    );
  return { allowBroadening: parsed.values["allow-broadening"]!, baseDir: folders[0], headDir: folders[1] };
}

// The shapes the diff reads, checked before anything reads them, so a hostile or truncated file is
// refused naming the field rather than crashing half way. zod: a maintained validator whose issues
// carry the path of the bad field; the project already depends on it.
const block = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
const TerraformJson = z.looseObject({
  resource: block.optional(),
  data: block.optional(),
  output: z.record(z.string(), z.looseObject({})).optional(),
  locals: z
    .looseObject({
      guardrail_suppressions: z
        .array(z.looseObject({ constructPath: z.string(), ruleId: z.string(), reason: z.string() }))
        .optional(),
    })
    .optional(),
});
const GuardrailJson = z.object({
  settings: z.object({ severity: z.string(), rules: z.record(z.string(), z.string()) }),
  findings: z.array(
    z.object({
      ruleId: z.string(),
      address: z.string(),
      message: z.string(),
      suppression: z.object({ reason: z.string() }).optional(),
    }),
  ),
  suppressions: z.array(
    z.object({ ruleId: z.string(), constructPath: z.string(), reason: z.string(), expires: z.string().optional() }),
  ),
});

/** A synthesized stack is under a megabyte; its guardrail report far less. */
const MAX_FILE_BYTES = 64 << 20;

/**
 * The file's JSON, checked against `schema`; unusable input names the file and the first bad
 * field. What the diff reads is the file as parsed, not zod's copy: a record drops a `__proto__`
 * key, which would hide a resource of that name from the diff.
 */
function readJson(which: string, file: string, what: string, schema: z.ZodType): Record<string, unknown> {
  const read = readJsonFile(file, MAX_FILE_BYTES, "a synthesized file");
  if ("problem" in read) throw new UnusableInput(`${which} stack: ${read.problem}`);
  const checked = schema.safeParse(read.json);
  if (checked.success) return read.json as Record<string, unknown>;
  const issue = checked.error.issues[0];
  throw new UnusableInput(
    `${which} stack ${file} is not readable ${what}: field ${fieldPath(issue.path)}: ${issue.message}`,
  );
}

interface SynthStack {
  readonly report: AccessReport;
  /** The stack's Terraform JSON as parsed: what the diff reads beyond the report. */
  readonly json: Record<string, unknown>;
  /** The stack's guardrails.json; undefined when the guardrails did not run on it. */
  readonly guardrails?: GuardrailRecord;
}

function readSynthFolder(which: string, folder: string): Map<string, SynthStack> {
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UnusableInput(`${which} folder ${folder} does not exist`);
  const stacks = join(folder, "stacks");
  const names = existsSync(stacks) ? readdirSync(stacks).filter((n) => existsSync(join(stacks, n, "cdk.tf.json"))) : [];
  if (names.length === 0)
    throw new UnusableInput(
      `${which} folder ${folder} holds no synthesized stack (expected ${folder}/stacks/<env>/cdk.tf.json; run npx cdktf synth)`,
    );
  return new Map(
    names.sort().map((name) => {
      const file = join(stacks, name, "cdk.tf.json");
      const json = readJson(which, file, "Terraform JSON", TerraformJson);
      let report: AccessReport;
      try {
        report = buildAccessReport(name, json);
      } catch (e) {
        throw new UnusableInput(`${which} stack ${file} is not readable Terraform JSON: ${(e as Error).message}`);
      }
      const findings = join(stacks, name, "guardrails.json");
      const guardrails = existsSync(findings)
        ? (readJson(which, findings, "guardrail report", GuardrailJson) as unknown as GuardrailRecord)
        : undefined;
      return [name, { report, json, ...(guardrails ? { guardrails } : {}) }];
    }),
  );
}

export function main(argv: readonly string[]): { code: number; output: string } {
  try {
    const { allowBroadening, baseDir, headDir } = parseArguments(argv);
    const [base, head] = [readSynthFolder("base", baseDir), readSynthFolder("head", headDir)];
    const environments = [...new Set([...base.keys(), ...head.keys()])].sort();
    const diffs = environments.map((env) => {
      const headJson = head.get(env)?.json;
      return diffAccess(
        env,
        base.get(env)?.report,
        head.get(env)?.report,
        { base: base.get(env)?.guardrails, head: head.get(env)?.guardrails },
        headJson ? { base: base.get(env)?.json, head: headJson } : undefined,
      );
    });
    const broadens = diffs.some((d) => d.broadens);
    return { code: broadens && !allowBroadening ? 1 : 0, output: renderAccessDiff(diffs) };
  } catch (e) {
    if (e instanceof UnusableInput) return { code: 2, output: `access-diff: ${e.message}\n` };
    throw e;
  }
}

if (require.main === module) {
  const { code, output } = main(process.argv.slice(2));
  (code === 2 ? process.stderr : process.stdout).write(output);
  process.exitCode = code;
}
