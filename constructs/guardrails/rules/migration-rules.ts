import {
  Assignment,
  block,
  Compute,
  EstateConversion,
  EstateModel,
  EstateSecretMigration,
  isConversion,
  isSecretMigration,
  parseReference,
  TfResource,
} from "../../estate/estate-model";
import { localAuthProblem, secretAttributes, sharedKeyProblem } from "../../azure/contract/keys";
import { inForce, SecretPhase } from "../../policy/migration-record";
import type { RecordedSuppression } from "../../policy/suppression-record";
import { hit, Rule, RuleHit } from "./rule";

/** The app setting a secret migration moves, on one compute, as the JSON holds it. */
const settingOf = (compute: Compute, setting: string): string | undefined => {
  const value: unknown = compute.resource.config.app_settings?.[setting];
  return typeof value === "string" ? value : undefined;
};

/** The computes of the migration that still carry its setting. */
const carrying = (m: EstateSecretMigration): Compute[] =>
  m.computes.filter((c) => settingOf(c, m.record.setting) !== undefined);

/** What still lets a caller into the target with a key, as its service judges it; undefined when the keys are off. */
function keysStillOn(target: TfResource): string | undefined {
  const problems = [localAuthProblem, sharedKeyProblem].flatMap(
    (judge) => judge(target.type, target.config, block) ?? [],
  );
  return problems.length === 0 ? undefined : problems.map((p) => p.problem).join("; ");
}

/**
 * The target's secret attribute the value is, when it is exactly one reference to one
 * (`${azurerm_storage_account.legacy.primary_connection_string}`): the only secret a migration
 * accepts, since it is the target's own key and goes when the target's keys do.
 */
function targetSecretIn(value: string, target: TfResource): string | undefined {
  const ref = parseReference(value);
  if (!ref || ref.address !== target.address || ref.suffix !== "") return undefined;
  const path = ref.attribute.replace(/^\./, "").split(".");
  const listed = secretAttributes().get(target.type) ?? [];
  return listed.some((secret) => secret.length === path.length && secret.every((s, i) => s === path[i]))
    ? path.join(".")
    : undefined;
}

/** The record a finding the migration accepts is shown with, as a suppression of the migration's own. */
function accepted(m: EstateSecretMigration, ruleId: string, why: string): RecordedSuppression {
  return {
    ruleId,
    constructPath: m.record.constructPath,
    reason: `migration of ${m.record.setting} (phase ${m.record.phase}): ${why}; ${m.record.reason}`,
    expires: m.record.expires,
  };
}

/**
 * In `dual`, the secret the migration moves: the setting on one of its computes, holding exactly
 * the target's own key attribute. Anything else in the setting (a literal key, another resource's
 * key, a token) is no part of the migration, and stays a finding.
 */
export function acceptedSecret(
  estate: EstateModel,
  address: string,
  where: string,
  today: string,
): RecordedSuppression | undefined {
  const m = estate.migrations.find(
    (m): m is EstateSecretMigration =>
      isSecretMigration(m) &&
      m.record.phase === "dual" &&
      inForce(m.record, today) &&
      where === `app_settings.${m.record.setting}` &&
      m.target !== undefined &&
      m.computes.some(
        (c) =>
          c.resource.address === address &&
          targetSecretIn(settingOf(c, m.record.setting) ?? "", (m as EstateSecretMigration).target!) !== undefined,
      ),
  );
  return m && accepted(m, "IG019", "the secret setting stays until the identity carries the load");
}

const KEYS_STAY: readonly SecretPhase[] = ["dual", "identity"];

/** In `dual` and `identity`, a finding that the migration's target still takes keys: they go in `keys-off`. */
export function acceptedKeys(
  estate: EstateModel,
  a: Assignment,
  ruleId: string,
  today: string,
): RecordedSuppression | undefined {
  const target = a.scope.resource;
  const m = estate.migrations.find(
    (m): m is EstateSecretMigration =>
      isSecretMigration(m) &&
      KEYS_STAY.includes(m.record.phase) &&
      inForce(m.record, today) &&
      m.target !== undefined &&
      m.target === target,
  );
  return m && accepted(m, ruleId, "the target's keys stay on until phase keys-off");
}

/** Whether the assignment is on the target, or on a resource that names it (a queue of the account). */
function onTarget(a: Assignment, target: TfResource): boolean {
  const on = a.scope.resource;
  if (!on) return false;
  return (
    on === target ||
    Object.values(on.config).some((v) => typeof v === "string" && parseReference(v)?.address === target.address)
  );
}

/** What the JSON says against a secret migration's declared phase: each is a phase skipped. */
function secretPhaseHits(estate: EstateModel, m: EstateSecretMigration): RuleHit[] {
  const { setting, phase, target: targetAddress } = m.record;
  const first = m.computes[0]?.resource ?? estate.byAddress.get(m.record.computes[0] ?? "");
  const at = first ?? { address: m.record.constructPath, type: "migration", path: m.record.constructPath, config: {} };
  if (!m.target || m.computes.length === 0)
    return [
      hit(
        at,
        `the migration of ${setting} names ${m.target ? "no compute" : `target ${targetAddress}`} that is not in the stack`,
        "declare the migration on the WorkloadIdentity of the app and the target's resource in this stack",
      ),
    ];
  const target = m.target;
  const hits: RuleHit[] = [];
  const unheld = m.holders.filter(
    (h) => !estate.assignments.some((a) => a.principal.key === h.key && onTarget(a, target)),
  );
  for (const holder of unheld)
    hits.push(
      hit(
        at,
        `the migration of ${setting} is in phase ${phase}, but ${holder.label} holds no role on ${target.address}: the identity path is not stood up`,
        "grant the identity its data role on the target in the same change as phase dual, before the secret goes",
      ),
    );
  const still = carrying(m);
  const keys = keysStillOn(target);
  if (phase === "dual" && still.length === 0)
    hits.push(
      hit(
        at,
        `the migration of ${setting} is in phase dual, but no compute carries ${setting}`,
        "declare phase identity once `npm run verify -- <env> --migration` says ready (dual keeps the secret setting)",
      ),
    );
  if (phase === "dual" && still.length > 0 && keys === undefined)
    hits.push(
      hit(
        target,
        `${target.address}'s keys are off while ${setting} still holds its key (phase dual): the secret path breaks before the identity is proven`,
        "keep the target's keys on until phase keys-off: remove the setting first (phase identity)",
      ),
    );
  if (phase !== "dual")
    for (const compute of still)
      hits.push(
        hit(
          compute.resource,
          `the migration of ${setting} is in phase ${phase}, but ${compute.resource.address} still carries ${setting}`,
          phase === "identity"
            ? `remove ${setting} from the app settings (or stay in phase dual until verify says ready)`
            : `remove ${setting}, then turn keys off: one phase per change`,
        ),
      );
  if (phase === "identity" && keys === undefined)
    hits.push(
      hit(
        target,
        `${target.address}'s keys are off while the migration of ${setting} is in phase identity`,
        "declare phase keys-off, so the access report lists the keys to rotate or revoke",
      ),
    );
  if (phase === "keys-off" && keys !== undefined)
    hits.push(
      hit(
        target,
        `the migration of ${setting} is in phase keys-off, but ${keys}`,
        `turn the target's keys off (the service's switch: ${[localAuthProblem, sharedKeyProblem]
          .flatMap((judge) => judge(target.type, target.config, block)?.fix ?? [])
          .join("; ")})`,
      ),
    );
  return hits;
}

/** What the JSON says against a conversion's declared phase. */
function conversionPhaseHits(estate: EstateModel, m: EstateConversion): RuleHit[] {
  const { phase } = m.record;
  const { userAssigned } = m;
  const hits: RuleHit[] = [];
  for (const compute of m.computes) {
    const system = `${compute.resource.address}#system`;
    const held = estate.assignments.filter((a) => a.principal.key === system);
    if (phase === "both") {
      if (!compute.systemAssigned || !compute.userAssigned.includes(userAssigned))
        hits.push(
          hit(
            compute.resource,
            `the conversion of ${compute.resource.address} is in phase both, but it carries ${compute.systemAssigned ? `its system-assigned identity without ${userAssigned}` : `no system-assigned identity beside ${userAssigned}`}`,
            "in phase both the compute carries its system-assigned identity and the user-assigned one (`SystemAssigned, UserAssigned`)",
          ),
        );
      for (const a of held.filter(
        (a) =>
          !estate.assignments.some(
            (b) => b.principal.key === userAssigned && b.scope.raw === a.scope.raw && b.roleWritten === a.roleWritten,
          ),
      ))
        hits.push(
          hit(
            a.resource,
            `the conversion of ${compute.resource.address} is in phase both, but ${userAssigned} does not hold ${a.role?.name ?? a.roleWritten} on ${a.scope.label} as the system identity does`,
            "grant the user-assigned identity every role the system identity holds before the system identity goes",
          ),
        );
    } else {
      if (compute.systemAssigned)
        hits.push(
          hit(
            compute.resource,
            `the conversion of ${compute.resource.address} is in phase user-assigned, but it still carries its system-assigned identity`,
            "drop the system-assigned identity (identity type UserAssigned) in this phase",
          ),
        );
      for (const a of held)
        hits.push(
          hit(
            a.resource,
            `the conversion of ${compute.resource.address} is in phase user-assigned, but its system identity still holds ${a.role?.name ?? a.roleWritten} on ${a.scope.label}`,
            "remove the system identity's grants with it",
          ),
        );
    }
  }
  return hits;
}

export const migrationPhaseRule: Rule = {
  id: "IG032",
  name: "migration-phase",
  description:
    "A migration whose stack contradicts its declared phase: the identity path not stood up, a secret setting removed or kept out of turn, keys turned off too early or left on, a conversion's grants not held by both identities. Each is a phase skipped.",
  defaultSeverity: "error",
  check(estate) {
    const unreadable =
      estate.unreadableMigrations > 0
        ? [
            hit(
              { address: "local.identity_migrations", type: "local", path: "local.identity_migrations", config: {} },
              `${estate.unreadableMigrations} migration records cannot be read: they accept nothing`,
              "declare migrations on the WorkloadIdentity; never write locals.identity_migrations by hand",
            ),
          ]
        : [];
    return [
      ...unreadable,
      ...estate.migrations.flatMap((m) =>
        isConversion(m) ? conversionPhaseHits(estate, m) : secretPhaseHits(estate, m as EstateSecretMigration),
      ),
    ];
  },
};

/**
 * Migrations that cannot be judged one phase at a time, refused at synth with the migration's
 * construct path: turning a target's keys off while another app still reads it with a key (its
 * own secret setting, or another migration of the target not yet past `dual`/`identity`).
 */
export function migrationConflicts(
  estate: EstateModel,
): { readonly constructPath: string; readonly problem: string; readonly value: unknown; readonly fix: string }[] {
  const offs = estate.migrations.filter(
    (m): m is EstateSecretMigration => isSecretMigration(m) && m.record.phase === "keys-off" && m.target !== undefined,
  );
  return offs.flatMap((off) => {
    const target = off.target!;
    const readers = estate.computes.flatMap((c) =>
      Object.entries(c.resource.config.app_settings ?? {})
        .filter(
          ([name, v]) =>
            !(off.computes.includes(c) && name === off.record.setting) &&
            typeof v === "string" &&
            targetSecretIn(v, target) !== undefined,
        )
        .map(([name]) => `${c.resource.address} app_settings.${name}`),
    );
    const others = estate.migrations
      .filter(
        (m): m is EstateSecretMigration =>
          isSecretMigration(m) && m !== off && m.target === target && m.record.phase !== "keys-off",
      )
      .map((m) => `${m.record.constructPath} (${m.record.setting}, phase ${m.record.phase})`);
    const still = [...readers, ...others];
    return still.length === 0
      ? []
      : [
          {
            constructPath: off.record.constructPath,
            problem: `The migration of ${off.record.setting} turns ${target.address}'s keys off while others still read it with a key`,
            value: still,
            fix: "move every app off the target's keys (each migration to phase identity) before one declares keys-off",
          },
        ];
  });
}
