import { IConstruct } from "constructs";
import { TerraformResource } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { Grant, GrantScope } from "../azure/grant";
import { IManagedIdentity, IUserAssignedIdentity } from "../azure/identity";
import { resolveInStack } from "../azure/known-values";
import { takesKeys } from "../azure/contract/keys";
import { checkTerms, ConversionPhase, MigrationTerms, recordMigration, SecretPhase } from "../policy/migration-record";
import { AttachableCompute } from "../compute/attachable-compute";

/** A connection moving off a stored secret to the workload's identity (see SECRET_PHASES). */
export interface SecretMigrationProps extends MigrationTerms<SecretPhase> {
  /** The app setting that holds the secret while the migration is in `dual`, e.g. `ORDERS_STORAGE`. */
  readonly setting: string;
  /** The target whose key the secret is: a resource of this stack, granted to the workload in `grants`. */
  readonly target: GrantScope;
}

export interface SecretMigration extends SecretMigrationProps {
  readonly kind: "secret";
}

export const Migration = {
  /**
   * Moves `setting` off the target's key: `dual` (identity, grant and identity-based settings beside
   * the secret setting), then `identity` (the setting removed), then `keys-off` (the target's keys
   * turned off). Advance one phase per change, when `npm run verify -- <env> --migration` says ready.
   */
  offSecret: (props: SecretMigrationProps): SecretMigration => ({ ...props, kind: "secret" }),
};

/** App setting names as App Service takes them (letters, digits, `_`, `.`, `:` and `-`), so a record names nothing else. */
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

const addressOf = (resource: IConstruct): string =>
  resource instanceof TerraformResource ? `${resource.terraformResourceType}.${resource.friendlyUniqueId}` : "";

/**
 * Checks and records the workload's secret migrations: each names a setting its computes carry,
 * a target of this stack that takes keys, and a target the workload's identities hold a grant on
 * (the identity path is stood up in `dual`, before the secret goes).
 */
export function declareSecretMigrations(
  where: IConstruct,
  workload: string,
  migrations: readonly SecretMigration[],
  computes: readonly AttachableCompute[],
  principals: readonly IManagedIdentity[],
  grants: readonly Grant[],
): void {
  for (const migration of migrations) {
    const terms = checkTerms(where, "secret", migration);
    const { setting, target } = migration;
    const refuse = (problem: string, value: unknown, fix: string): never => {
      throw new IdentityConfigError(where, { problem, value, fix });
    };
    if (typeof setting !== "string" || !SETTING_NAME.test(setting))
      refuse(
        "The migrated setting is no app setting name",
        setting ?? null,
        "name the setting that holds the secret, e.g. ORDERS_STORAGE (letters, digits, _ . : -)",
      );
    const home = target?.home;
    if (!(home instanceof TerraformResource))
      refuse(
        "A migration's target must be a resource of this stack",
        target?.label ?? null,
        "declare the migration in the stack whose resource takes the keys (<Target>.of(resource)): its keys are judged there",
      );
    const resource = home as TerraformResource;
    if (!takesKeys(resource.terraformResourceType))
      refuse(
        `${target.label} takes no keys that a migration could turn off`,
        resource.terraformResourceType,
        "migrate the setting to the target whose key or connection string it holds",
      );
    if (!grants.some((g) => g.target.home === home && principals.includes(g.identity)))
      refuse(
        `The workload holds no grant on ${target.label}: the identity path is not stood up`,
        setting,
        `add ${target.label}'s narrowest data role to \`grants\` (target.allow(role, reason)): the identity must reach the target before the secret goes`,
      );
    const withSettings = computes.filter((c) => c.hasSetting);
    if (withSettings.length === 0)
      refuse(
        "A secret migration moves an app setting, and these computes have none",
        computes.map((c) => c.resource.node.path),
        "declare it on the App Service or Functions app (and slots) that holds the setting",
      );
    if (terms.phase === "dual") requireSettingAtSynth(where, setting, withSettings);
    recordMigration(where, { computes: withSettings.map((c) => c.resource), setting }, () => ({
      kind: "secret",
      constructPath: where.node.path,
      workload,
      phase: terms.phase,
      reason: terms.reason,
      expires: terms.expires,
      computes: withSettings.map((c) => addressOf(c.resource)),
      setting,
      target: addressOf(resource),
      holders: principals.map((p) => resolveInStack(where, p.principalId)),
    }));
  }
}

/** In `dual` the secret setting is still there: a migration of a setting no compute has migrates nothing. */
function requireSettingAtSynth(where: IConstruct, setting: string, computes: readonly AttachableCompute[]): void {
  where.node.addValidation({
    validate: () =>
      computes.some((c) => c.hasSetting?.(setting))
        ? []
        : [
            `[${where.node.path}] The migration's secret setting is not present: ${JSON.stringify(setting)}. Fix: in phase dual the setting that holds the secret stays on the app; name the setting as the app has it, or declare phase identity once it is removed`,
          ],
  });
}

/** Records a compute's conversion from its system-assigned identity to `identity`. */
export function declareConversion(
  where: IConstruct,
  workload: string,
  terms: MigrationTerms<ConversionPhase>,
  computes: readonly AttachableCompute[],
  identity: IUserAssignedIdentity,
): void {
  const platform = computes.find((c) => c.platformIdentity);
  if (platform)
    throw new IdentityConfigError(where, {
      problem:
        "A compute whose platform runs as an identity of its own (a Functions host's storage) cannot be converted yet",
      value: platform.resource.node.path,
      fix: "give the app a user-assigned identity in a new app beside it (Identity.newUserAssigned), or keep it system-assigned",
    });
  recordMigration(where, { computes: computes.map((c) => c.resource) }, () => ({
    kind: "conversion",
    constructPath: where.node.path,
    workload,
    phase: terms.phase,
    reason: terms.reason,
    expires: terms.expires,
    computes: computes.map((c) => addressOf(c.resource)),
    userAssigned: resolveInStack(where, identity.id),
  }));
}
