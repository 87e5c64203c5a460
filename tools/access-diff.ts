// npm run access-diff -- <base synth folder> <head synth folder> [--allow-broadening]
// Prints the access changes between two `cdktf synth` outputs as markdown for a pull request.
// Exit 0: nothing broadens; 1: something broadens (unless --allow-broadening); 2: unusable input.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AccessReport, buildAccessReport, diffAccess, renderAccessDiff } from "../constructs";

class UnusableInput extends Error {}

function readSynthFolder(which: string, folder: string | undefined): Map<string, AccessReport> {
  if (!folder) throw new UnusableInput(`missing the ${which} folder. Usage: npm run access-diff -- <base> <head> [--allow-broadening]`);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UnusableInput(`${which} folder ${folder} does not exist`);
  const stacks = join(folder, "stacks");
  const names = existsSync(stacks) ? readdirSync(stacks).filter((n) => existsSync(join(stacks, n, "cdk.tf.json"))) : [];
  if (names.length === 0) throw new UnusableInput(`${which} folder ${folder} holds no synthesized stack (expected ${folder}/stacks/<env>/cdk.tf.json; run npx cdktf synth)`);
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
  const allowBroadening = argv.includes("--allow-broadening");
  const [baseDir, headDir] = argv.filter((a) => !a.startsWith("--"));
  try {
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
