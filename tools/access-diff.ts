// npm run access-diff -- <base synth folder> <head synth folder> [--allow-broadening]
// Prints the access changes between two `cdktf synth` outputs as markdown for a pull request.
// Exit 0: nothing broadens; 1: something broadens (unless --allow-broadening); 2: unusable input.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AccessReport, buildAccessReport, diffAccess, renderAccessDiff } from "../constructs";

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

function readSynthFolder(which: string, folder: string): Map<string, AccessReport> {
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
      try {
        return [name, buildAccessReport(name, JSON.parse(readFileSync(file, "utf8")))];
      } catch (e) {
        throw new UnusableInput(`${which} stack ${file} is not readable Terraform JSON: ${(e as Error).message}`);
      }
    }),
  );
}

export function main(argv: readonly string[]): { code: number; output: string } {
  try {
    const { allowBroadening, baseDir, headDir } = parseArguments(argv);
    const [base, head] = [readSynthFolder("base", baseDir), readSynthFolder("head", headDir)];
    const environments = [...new Set([...base.keys(), ...head.keys()])].sort();
    const diffs = environments.map((env) => diffAccess(env, base.get(env), head.get(env)));
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
