import { stackOf } from "../core/runtime";
import { IConstruct } from "constructs";
import { Lazy, TerraformLocal, TerraformStack } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { byKeys } from "../core/ordering";
import { meaninglessTextProblem } from "../core/meaningful-text";
import type { StackJson } from "../core/stack-synthesis";
import { dayOf, horizonOf, todayOf } from "./suppression-record";

// The migrations a stack records: what a WorkloadIdentity declares, and what the guardrails, the
// access report, its diff and `verify --migration` read back from the stack's output.

/** The stack's Terraform JSON, as a synthesis hook reads it. */
type StackDocument = ReturnType<StackJson>;

/**
 * Moving a connection off a stored secret, one phase per change, forward only: `dual` adds the
 * identity, its grant and its settings beside the secret setting; `identity` removes the secret
 * setting (the target still takes keys); `keys-off` turns the target's keys off.
 */
export const SECRET_PHASES = ["dual", "identity", "keys-off"] as const;
export type SecretPhase = (typeof SECRET_PHASES)[number];

/**
 * Moving a compute from its system-assigned identity to a user-assigned one: `both` carries the two
 * identities, each holding every grant, the app told the new client id; `user-assigned` drops the
 * system identity and its grants.
 */
export const CONVERSION_PHASES = ["both", "user-assigned"] as const;
export type ConversionPhase = (typeof CONVERSION_PHASES)[number];

export type MigrationKind = "secret" | "conversion";
export const PHASES: Readonly<Record<MigrationKind, readonly string[]>> = {
  secret: SECRET_PHASES,
  conversion: CONVERSION_PHASES,
};

/** What every migration declares: the phase it is in, why, and the day someone looks again. */
export interface MigrationTerms<P extends string> {
  readonly phase: P;
  /** In words: what moves, and who owns the move. */
  readonly reason: string;
  /**
   * YYYY-MM-DD, at most the stack's suppression horizon ahead: the phase is accepted (a secret
   * setting in `dual`, keys still on) until then, and synth refuses the migration after it.
   */
  readonly expires: string;
}

interface RecordBase {
  readonly constructPath: string;
  readonly workload: string;
  readonly reason: string;
  readonly expires: string;
  /** Terraform addresses of the computes (and slots) the migration moves. */
  readonly computes: readonly string[];
}

/** A secret-based setting moving to the identity, as the stack's output records it. */
export interface SecretMigrationRecord extends RecordBase {
  readonly kind: "secret";
  readonly phase: SecretPhase;
  /** The app setting that holds (in `dual`) the secret being migrated. */
  readonly setting: string;
  /** Terraform address of the target resource whose key the secret is. */
  readonly target: string;
  /** Estate principal keys (identity address, or `<compute address>#system`) that must hold a role on the target. */
  readonly holders: readonly string[];
}

/** A compute moving from its system-assigned identity to a user-assigned one. */
export interface ConversionRecord extends RecordBase {
  readonly kind: "conversion";
  readonly phase: ConversionPhase;
  /** The user-assigned identity: its address in the stack, or its resource id as written. */
  readonly userAssigned: string;
}

export type MigrationRecord = SecretMigrationRecord | ConversionRecord;

const MIN_REASON = 10;
const producers = new WeakMap<TerraformStack, (() => MigrationRecord)[]>();
const RECORD_ID = "identity-migrations";
/** The local the stack's output records its migrations in. */
export const MIGRATIONS_LOCAL = "identity_migrations";

/**
 * Checks a migration's terms where it is declared: a phase of its kind, a reason in words, an
 * expiry that is a date, not past and within the stack's horizon. Returns a frozen copy.
 */
export function checkTerms<P extends string>(
  where: IConstruct,
  kind: MigrationKind,
  terms: MigrationTerms<P>,
): MigrationTerms<P> {
  const { phase, reason, expires } = terms ?? ({} as MigrationTerms<P>);
  const refuse = (problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError(where, { problem, value, fix });
  };
  const phases = PHASES[kind];
  if (typeof phase !== "string" || !phases.includes(phase))
    refuse(
      `A ${kind === "secret" ? "secret" : "system- to user-assigned"} migration has no phase ${JSON.stringify(phase ?? null)}`,
      phase ?? null,
      `declare one of ${phases.join(", ")}, moving one phase forward per change`,
    );
  const vague = meaninglessTextProblem(typeof reason === "string" ? reason : "", MIN_REASON);
  if (vague)
    refuse(
      `The migration needs a reason in words (${vague})`,
      reason ?? null,
      "say what moves and who owns the move, in at least three words",
    );
  const horizon = horizonOf(stackOf(where));
  const today = todayOf(horizon);
  const day = typeof expires === "string" ? dayOf(expires) : undefined;
  if (day === undefined)
    refuse("The migration's expiry is no date", expires ?? null, "write a real calendar date as YYYY-MM-DD");
  if (day! < dayOf(today)!)
    refuse(
      `The migration expired on ${expires} (today is ${today})`,
      expires,
      "advance it to its next phase once `npm run verify -- <env> --migration` says ready, or give a new expiry within the horizon",
    );
  if (day! - dayOf(today)! > horizon.maxDays)
    refuse(
      `The migration expires more than ${horizon.maxDays} days after ${today}`,
      expires,
      `pick the day someone must look at the migration again, at most ${horizon.maxDays} days ahead`,
    );
  return Object.freeze({ phase, reason, expires });
}

/** What a migration moves: its computes (and slots), and for a secret migration the setting. */
export interface MigrationSubject {
  readonly computes: readonly IConstruct[];
  readonly setting?: string;
}

const subjects = new WeakMap<IConstruct, { readonly setting?: string; readonly path: string }[]>();

/**
 * Records a migration in its stack's output (`locals.identity_migrations`), refusing a second one
 * of the same setting of a compute, or a second conversion of a compute. The record is produced at
 * synth, when every address is final.
 */
export function recordMigration(where: IConstruct, subject: MigrationSubject, produce: () => MigrationRecord): void {
  for (const compute of subject.computes) {
    const taken = subjects.get(compute) ?? [];
    const clash = taken.find((t) => t.setting === subject.setting);
    if (clash)
      throw new IdentityConfigError(where, {
        problem:
          subject.setting === undefined
            ? `The identity of ${compute.node.path} is converted twice`
            : `Setting ${subject.setting} of ${compute.node.path} is migrated twice`,
        value: [clash.path, where.node.path],
        fix: "declare one migration per setting of a compute (one conversion per compute), and advance its phase",
      });
    subjects.set(compute, [...taken, { setting: subject.setting, path: where.node.path }]);
  }
  const stack = stackOf(where);
  const all = producers.get(stack) ?? [];
  all.push(produce);
  producers.set(stack, all);
  if (stack.node.tryFindChild(RECORD_ID)) return;
  new TerraformLocal(stack, RECORD_ID, Lazy.anyValue({ produce: () => migrationsIn(stack) })).overrideLogicalId(
    MIGRATIONS_LOCAL,
  );
}

/** The stack's migrations, in construct-path order. */
function migrationsIn(stack: TerraformStack): MigrationRecord[] {
  return (producers.get(stack) ?? [])
    .map((produce) => produce())
    .sort(
      byKeys(
        (m) => m.constructPath,
        (m) => (m.kind === "secret" ? m.setting : ""),
      ),
    );
}

/**
 * The record in the output is what the guardrails accept a secret setting by, and what the
 * report and `verify --migration` read: an override that writes its own (a later expiry, an
 * earlier phase, a setting nobody declared) is refused.
 */
export function refuseForgedMigrations(stack: TerraformStack, json: StackDocument): void {
  const expected = stack.node.tryFindChild(RECORD_ID) ? migrationsIn(stack) : undefined;
  const written = json.locals?.[MIGRATIONS_LOCAL];
  if (JSON.stringify(written) !== JSON.stringify(expected)) {
    throw new IdentityConfigError(stack, {
      problem: "The migrations recorded in the stack's output were overwritten",
      value: written ?? null,
      fix: "declare migrations on the WorkloadIdentity (`migrations`, Identity.convertToUserAssigned), never by overriding locals.identity_migrations",
    });
  }
}

/** The phase after `phase`, or undefined for the last one. */
export function nextPhase(kind: MigrationKind, phase: string): string | undefined {
  const phases = PHASES[kind];
  const i = phases.indexOf(phase);
  return i >= 0 && i < phases.length - 1 ? phases[i + 1] : undefined;
}

/** Whether the migration is in its last phase: nothing left but to delete its declaration. */
export const isFinalPhase = (m: Pick<MigrationRecord, "kind" | "phase">): boolean =>
  PHASES[m.kind].indexOf(m.phase) === PHASES[m.kind].length - 1;

/** Whether the migration still applies on `today`. */
export const inForce = (m: Pick<MigrationRecord, "expires">, today: string): boolean => m.expires >= today;
