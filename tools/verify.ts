// npm run verify -- <environment> [--json] [--out <synth folder>] [--usage | --migration [--days N]]
// Compares what Azure holds with the code: the access report the last synth wrote for the
// environment, against the identities, role assignments and principals in Azure. Markdown for
// people, JSON (--json) for tools. Exit 0: Azure matches the code; 1: drift, or something that
// cannot be verified; 2: unusable input, or Azure cannot be read (sign-in failed, a right missing).
// --usage instead reads the audit workspace (./verify/usage.ts): exit 0 when every workload identity
// signed in and every logged grant was used in the last N days (default 30), 1 otherwise.
// --migration reads the same logs per declared migration (./verify/migration.ts): exit 0 when every
// migration is ready to advance or in its final phase, 1 when one is not ready or cannot be told.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { AccessReport } from "../constructs";
import { AzureSdkReader } from "./verify/azure-reader";
import { compareEstate, renderDrift } from "./verify/drift";
import { AzureReadError, AzureReader, readLiveEstate } from "./verify/live-estate";
import { readUsage, renderUsage } from "./verify/usage";
import { readMigrations, renderMigrations } from "./verify/migration";
import { checkAccessReport } from "./verify/report-schema";
import { readJsonFile } from "./json-file";

const USAGE =
  "usage: npm run verify -- <environment> [--usage [--days <1-730, default 30>]] [--json] [--out <synth folder, default cdktf.out>]";
// Its own line: the general one above is pinned by verify.test.ts, which this change may not edit.
const USAGE_USAGE =
  "usage: npm run verify -- <environment> --usage [--days <1-730, default 30>] [--json] [--out <synth folder>]";

const MIGRATION_USAGE =
  "usage: npm run verify -- <environment> --migration [--days <1-730, default 30>] [--json] [--out <synth folder>]";

class UnusableInput extends Error {}

/** A synthesized report is tens of kilobytes; a file far larger is not one, and is not read into memory. */
const MAX_REPORT_BYTES = 8 << 20;
/** The problems named when a report is refused; the rest are counted. */
const PROBLEMS_SHOWN = 5;

export interface VerifyDeps {
  /** The reader of Azure, given the stack's subscription; by default the SDK as the signed-in principal. */
  readonly reader?: (subscriptionId: string) => AzureReader;
  /** The synth folder when --out does not name one; by default cdktf.out. */
  readonly synthDir?: string;
}

/** parseArgs's complaint, naming the flag, without its hint about `--` (meant for positionals that start with a dash). */
function argumentError(e: unknown): string {
  const { code, message } = e as NodeJS.ErrnoException;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw e;
  const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /^Unknown option '([^']*)'/.exec(message) : null;
  return unknown ? `unknown flag ${unknown[1]}` : message;
}

interface Arguments {
  readonly environment: string;
  readonly json: boolean;
  readonly out?: string;
  /** --usage: the days of logs to read. */
  readonly usageDays?: number;
  /** --migration: the days of logs to read. */
  readonly migrationDays?: number;
}

function parseArguments(argv: readonly string[]): Arguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        json: { type: "boolean", default: false },
        out: { type: "string" },
        usage: { type: "boolean", default: false },
        migration: { type: "boolean", default: false },
        days: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UnusableInput(`${argumentError(e)}\n${USAGE}`);
  }
  const [environment, ...extra] = parsed.positionals;
  if (environment === undefined) throw new UnusableInput(`missing the environment\n${USAGE}`);
  if (extra.length > 0)
    throw new UnusableInput(
      `expected one environment, got ${parsed.positionals.map((p) => `"${p}"`).join(", ")}\n${USAGE}`,
    );
  // The name becomes a path under the synth folder, and is printed: no separator, dot segment or control character.
  if (/[/\\\p{Cc}]/u.test(environment) || environment === "." || environment === "..")
    throw new UnusableInput(
      `${JSON.stringify(environment)} is not an environment name (a stack of the synth folder, e.g. dev)`,
    );
  const { json, out, usage, migration, days } = parsed.values;
  if (usage && migration)
    throw new UnusableInput(
      `--usage and --migration read different things: give one\n${USAGE_USAGE}\n${MIGRATION_USAGE}`,
    );
  if (days !== undefined && !usage && !migration)
    throw new UnusableInput(`--days needs --usage or --migration\n${USAGE_USAGE}\n${MIGRATION_USAGE}`);
  let logDays: number | undefined;
  if (usage || migration) {
    logDays = days === undefined ? 30 : /^\d+$/.test(days) ? Number(days) : NaN;
    if (!(logDays >= 1 && logDays <= 730))
      throw new UnusableInput(
        `--days must be a whole number from 1 to 730, got "${days}"\n${usage ? USAGE_USAGE : MIGRATION_USAGE}`,
      );
  }
  return {
    environment,
    json: json!,
    out,
    ...(usage ? { usageDays: logDays } : {}),
    ...(migration ? { migrationDays: logDays } : {}),
  };
}

function readReport(synthDir: string, environment: string): AccessReport & { subscriptionId: string } {
  const stacks = join(synthDir, "stacks");
  const file = join(stacks, environment, "access-report.json");
  if (!existsSync(file)) {
    const synthesized = existsSync(stacks)
      ? readdirSync(stacks)
          .filter((name) => existsSync(join(stacks, name, "access-report.json")))
          .sort()
      : [];
    const which =
      synthesized.length > 0
        ? `environments synthesized in ${synthDir}: ${synthesized.join(", ")}`
        : `${synthDir} holds no synthesized environment`;
    throw new UnusableInput(
      `environment ${environment} has not been synthesized (no ${file}); run npm run synth (${which})`,
    );
  }
  const read = readJsonFile(file, MAX_REPORT_BYTES, "an access report");
  if ("problem" in read) throw new UnusableInput(`${read.problem}; run npm run synth`);
  const json = read.json;
  // Checked whole before Azure is asked anything: every id verify would send, every field it reads.
  const checked = checkAccessReport(json);
  if (checked.problems) {
    const { problems } = checked;
    const more = problems.length > PROBLEMS_SHOWN ? [`(and ${problems.length - PROBLEMS_SHOWN} more)`] : [];
    throw new UnusableInput(
      [
        `${file} is not an access report verify can use; run npm run synth to write it again:`,
        ...problems.slice(0, PROBLEMS_SHOWN),
        ...more,
      ].join("\n  "),
    );
  }
  const { report } = checked;
  if (report.environment !== environment)
    throw new UnusableInput(
      `${file} is the access report of environment ${JSON.stringify(report.environment)}, not of ${environment}; run npm run synth`,
    );
  if (report.subscriptionId === undefined)
    throw new UnusableInput(
      `${file} names no subscription: the stack's azurerm provider has no literal subscription_id, or the report predates verify; set it, then run npm run synth`,
    );
  // Verify reads Azure role assignments: Cosmos DB, Redis and database grants are the services' own (see Left in README).
  const grants = report.grants.filter((g) => (g.system ?? "azure-rbac") === "azure-rbac");
  return { ...report, grants } as AccessReport & { subscriptionId: string };
}

export async function main(argv: readonly string[], deps: VerifyDeps = {}): Promise<{ code: number; output: string }> {
  try {
    const { environment, json, out, usageDays, migrationDays } = parseArguments(argv);
    const report = readReport(out ?? deps.synthDir ?? "cdktf.out", environment);
    const reader = (deps.reader ?? ((s) => new AzureSdkReader(s)))(report.subscriptionId);
    if (usageDays !== undefined) {
      const { auditWorkspace } = report;
      if (typeof auditWorkspace !== "string")
        throw new UnusableInput("the environment has no audit workspace in its access report");
      const usage = await readUsage({ ...report, auditWorkspace }, reader, usageDays);
      return { code: usage.allUsed ? 0 : 1, output: json ? `${JSON.stringify(usage, null, 2)}\n` : renderUsage(usage) };
    }
    if (migrationDays !== undefined) {
      const migrations = await readMigrations(report, reader, migrationDays);
      return {
        code: migrations.allReady ? 0 : 1,
        output: json ? `${JSON.stringify(migrations, null, 2)}\n` : renderMigrations(migrations),
      };
    }
    const drift = compareEstate(report, await readLiveEstate(report, reader));
    return { code: drift.matches ? 0 : 1, output: json ? `${JSON.stringify(drift, null, 2)}\n` : renderDrift(drift) };
  } catch (e) {
    if (e instanceof UnusableInput || e instanceof AzureReadError) return { code: 2, output: `verify: ${e.message}\n` };
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    ({ code, output }) => {
      (code === 2 ? process.stderr : process.stdout).write(output);
      process.exitCode = code;
    },
    // A bug, not drift: exit 2 (could not tell), never 1.
    (e: Error) => {
      process.stderr.write(`verify: unexpected failure: ${e.stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
