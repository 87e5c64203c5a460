import { IdentityConfigError } from "../../core/errors";
import { UNOWNED_SECRET_ATTRIBUTES } from "../secret-attributes";
import { isGuid } from "../azure-ids";
import type { ServiceDefinition } from ".";
import { isNotApplicable } from "./part";
import { registeredServices } from "./registry";
import type { JsonConfig } from "./network";

/**
 * The keys part: how a service's targets still let a caller in with a key (or refuse Entra tokens,
 * so a grant does nothing), and which attributes of its resource types and data sources expose a
 * key, password, connection string or token. Guardrails judge the targets with it; the secret scan
 * reads the attributes from it (types no service owns are in constructs/azure/secret-attributes.ts).
 */

/** What is wrong, after "<the grant>, but ", and the change that fixes it, before " on <address>". */
export interface KeyProblem {
  readonly problem: string;
  readonly fix: string;
}

/** Judges a target's configuration; `block` reads a nested block as cdktf writes it (an object, or a list of one). */
export type KeyJudge = (
  config: JsonConfig,
  block: (value: unknown) => JsonConfig | undefined,
) => KeyProblem | undefined;

/** A sensitive attribute the resource's own configuration makes no secret. */
export interface NotSecretWhen {
  readonly paths: readonly string[];
  readonly when: (config: JsonConfig) => boolean;
}

export interface KeysPart {
  /**
   * By terraform type of a data target: its local-auth switches (access keys, SAS, API keys), and
   * whether it accepts Entra tokens at all (IG028).
   */
  readonly localAuth?: Readonly<Record<string, KeyJudge>>;
  /** By terraform type: the account-wide shared key switch, judged by its own rule (IG007). */
  readonly sharedKey?: Readonly<Record<string, KeyJudge>>;
  /**
   * By terraform type (`data.<type>` for its data source): the attribute paths, space-separated,
   * whose values are secrets. A path names a nested attribute (`kube_config.client_key`); a listed
   * block covers all of it. The provider's `Sensitive` attributes, and keys it does not mark.
   */
  readonly secretAttributes: Readonly<Record<string, string>>;
  readonly notSecretWhen?: Readonly<Record<string, NotSecretWhen>>;
  /**
   * By terraform type of a target that takes keys (one with a localAuth or sharedKey judge): what
   * a migration off its keys reads and says (`verify --migration`, the access report).
   */
  readonly migration?: Readonly<Record<string, KeyMigration>>;
}

/** What proves a migration off a target's keys, and what to revoke once they are off. */
export interface KeyMigration {
  /**
   * The Entra resource a workload acquires tokens for to reach the target, as the managed-identity
   * sign-in logs name it (`ResourceIdentity`, `ResourceDisplayName`): e.g. Azure Storage.
   */
  readonly tokenResource: { readonly appId: string; readonly displayName: string };
  /** Where the target records that a request came in with a key or SAS (one table per service it logs apart), or why nothing does. */
  readonly keyUse: readonly KeyUseLog[] | KeyUseUnlogged;
  /** What to rotate or revoke once the keys are off, in words (the report lists it): keys, SAS, rules. */
  readonly revoke: string;
}

/** A log table whose rows say how each request authenticated. */
export interface KeyUseLog {
  /** The Log Analytics table (resource-specific), e.g. StorageBlobLogs. */
  readonly table: string;
  /**
   * Every diagnostic category that fills it: without them the table stays empty, and a request shows
   * only under its own category (a key-based Storage write under StorageWrite alone).
   */
  readonly categories: readonly string[];
  /** A KQL predicate on the table's columns that is true for a request made with a key or SAS. */
  readonly keyBased: string;
  /** For an account logging per service (Storage), the id path of its service below the account. */
  readonly settingOn?: string;
}

/** The target records no authentication type: `verify --migration` says it cannot tell. */
export interface KeyUseUnlogged {
  readonly gap: string;
}

/** A target still taking keys: anyone holding one bypasses the identity's grants. */
export const acceptsKeys = (what: string, fix: string): KeyProblem => ({
  problem: `the ${what}: anyone holding a key bypasses the identity's grants`,
  fix,
});

const partOf = (service: ServiceDefinition): KeysPart | undefined =>
  service.keys === undefined || isNotApplicable(service.keys) ? undefined : service.keys;

const PATH = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/;

/**
 * Refuses a keys part naming a terraform type the service's resourceTypes do not define (a typo
 * would leave the type unjudged and its keys unscanned), an attribute path that is none, or a
 * migration entry that says nothing `verify --migration` can read.
 */
export function checkKeys(definition: ServiceDefinition): void {
  const part = partOf(definition);
  if (!part) return;
  const resourceTypes =
    definition.resourceTypes === undefined || isNotApplicable(definition.resourceTypes) ? {} : definition.resourceTypes;
  const defined = new Set(Object.values(resourceTypes).flatMap((t) => (t.terraformType ? [t.terraformType] : [])));
  const sections = ["secretAttributes", "localAuth", "sharedKey", "notSecretWhen", "migration"] as const;
  for (const section of sections) {
    for (const [type, entry] of Object.entries(part[section] ?? {})) {
      if (!defined.has(type.replace(/^data\./, "")))
        throw new IdentityConfigError("defineService", {
          problem: `${definition.name} keys.${section}: ${type} is not a terraform type of ${definition.name}'s resourceTypes`,
          value: type,
          fix: `name one of ${[...defined].join(", ") || "its resource types' terraform types (it defines none)"} (or its data source, data.<type>); a type no shipped service owns belongs in constructs/azure/secret-attributes.ts`,
        });
      if (section === "notSecretWhen") checkNotSecretWhen(definition.name, type, entry as NotSecretWhen, part);
      if (section === "migration") checkMigration(definition.name, type, entry as KeyMigration, part);
      const bad =
        section === "secretAttributes"
          ? String(entry)
              .split(" ")
              .find((path) => !PATH.test(path))
          : undefined;
      if (bad !== undefined)
        throw new IdentityConfigError("defineService", {
          problem: `${definition.name} keys.secretAttributes.${type}: "${bad}" is not an attribute path`,
          value: entry,
          fix: 'list attribute paths separated by single spaces, nested ones with dots, e.g. "primary_key kube_config.client_key"',
        });
    }
  }
}

const KQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** As the audit part's ServiceLog writes it: type and name pairs below the resource, `/blobServices/default`. */
const ID_PATH = /^(?:\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)+$/;
const text = (value: unknown): boolean => typeof value === "string" && value.trim() !== "";

/**
 * A migration entry is for a type the same part judges keys of (elsewhere nothing is turned off),
 * and gives what `verify --migration` and the report read: the token resource's app id, the
 * tables recording key use (or why none does) and what to revoke.
 */
function checkMigration(service: string, type: string, m: KeyMigration, part: KeysPart): void {
  const refuse = (problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError("defineService", {
      problem: `${service} keys.migration.${type}: ${problem}`,
      value,
      fix,
    });
  };
  if (!part.localAuth?.[type] && !part.sharedKey?.[type])
    refuse(
      `${service} judges no keys of ${type} (keys.localAuth or keys.sharedKey), so no migration turns them off`,
      type,
      `judge ${type}'s key switch in keys.localAuth or keys.sharedKey, or drop its migration entry`,
    );
  const appId: unknown = m?.tokenResource?.appId;
  if (typeof appId !== "string" || !isGuid(appId))
    refuse(
      "tokenResource.appId is not a GUID",
      appId ?? null,
      "give the application id of the Entra resource tokens are acquired for, as the sign-in logs' ResourceIdentity shows it, e.g. e406a681-f3d4-42a8-90b6-c2b029497af1 (Azure Storage)",
    );
  if (!text(m.tokenResource.displayName))
    refuse(
      "tokenResource.displayName is empty",
      m.tokenResource.displayName ?? null,
      'name the resource as the sign-in logs\' ResourceDisplayName does, e.g. "Azure Storage"',
    );
  const keyUse: unknown = m.keyUse;
  if (Array.isArray(keyUse) ? keyUse.length === 0 : !text((keyUse as KeyUseUnlogged | undefined)?.gap))
    refuse(
      "keyUse lists no log and states no gap",
      keyUse ?? null,
      "list the tables recording how a request authenticated ({ table, categories, keyBased }), or say in { gap } why none does",
    );
  for (const log of Array.isArray(keyUse) ? (keyUse as readonly KeyUseLog[]) : []) {
    if (typeof log?.table !== "string" || !KQL_IDENTIFIER.test(log.table))
      refuse(
        "a keyUse table is not a KQL table name",
        log?.table ?? null,
        "name the resource-specific table, e.g. StorageBlobLogs",
      );
    const categories: unknown = log.categories;
    if (!Array.isArray(categories) || categories.length === 0 || !categories.every(text) || !text(log.keyBased))
      refuse(
        `keyUse ${log.table} needs categories and a keyBased predicate`,
        log,
        'give every diagnostic category that fills the table (e.g. ["StorageRead", "StorageWrite", "StorageDelete"]) and a KQL predicate true for a key or SAS request, e.g. \'AuthenticationType in ("AccountKey", "SAS")\'',
      );
    // Pasted after `| where`: a pipe, semicolon or line break would end the predicate and run a query of its own.
    if (/[|;\r\n]/.test(log.keyBased))
      refuse(
        `keyUse ${log.table} keyBased is more than a predicate`,
        log.keyBased,
        "write one KQL predicate on the table's columns, without |, ; or line breaks",
      );
    if (log.settingOn !== undefined && (typeof log.settingOn !== "string" || !ID_PATH.test(log.settingOn)))
      refuse(
        `keyUse ${log.table} settingOn is not an id path below the resource`,
        log.settingOn,
        'write the service\'s id path as the audit part does, e.g. "/blobServices/default"',
      );
  }
  if (!text(m.revoke))
    refuse("revoke is empty", m.revoke ?? null, "say what to rotate or revoke once the keys are off: keys, SAS, rules");
}

/**
 * A narrowing names only paths the service itself lists as secret for the type, never one of the
 * library's table of types no service owns: a consumer claiming such a type would otherwise
 * exempt its key from the secret scan.
 */
function checkNotSecretWhen(service: string, type: string, rule: NotSecretWhen, part: KeysPart): void {
  const listed = new Set(String(part.secretAttributes?.[type] ?? "").split(" "));
  const unowned = new Set(UNOWNED_SECRET_ATTRIBUTES.flatMap((t) => (Object.hasOwn(t, type) ? t[type].split(" ") : [])));
  const paths: unknown = rule?.paths;
  const bad = Array.isArray(paths) ? paths.find((p) => !listed.has(p) || unowned.has(p)) : undefined;
  if (typeof rule?.when === "function" && Array.isArray(paths) && bad === undefined) return;
  throw new IdentityConfigError("defineService", {
    problem: `${service} keys.notSecretWhen.${type}: ${
      !Array.isArray(paths) || typeof rule?.when !== "function"
        ? "it needs paths and a when function"
        : unowned.has(bad)
          ? `"${bad}" is a secret of the library's table of types no service owns`
          : `"${bad}" is not in ${service}'s keys.secretAttributes.${type}`
    }`,
    value: rule,
    fix: `narrow only attribute paths ${service} lists in keys.secretAttributes.${type} (never one of constructs/azure/secret-attributes.ts), with when: (config) => boolean`,
  });
}

interface Tables {
  readonly services: number;
  readonly secretAttributes: ReadonlyMap<string, readonly (readonly string[])[]>;
}

let tables: Tables | undefined;

/** Rebuilt when a service registers, so a consumer's service counts from its definition on. */
function lookups(): Tables {
  const services = registeredServices();
  if (tables?.services === services.length) return tables;
  const all = [...UNOWNED_SECRET_ATTRIBUTES, ...services.map((s) => partOf(s)?.secretAttributes ?? {})];
  tables = {
    services: services.length,
    secretAttributes: new Map(
      [...new Set(all.flatMap((t) => Object.keys(t)))].map((type) => [
        type,
        all
          .flatMap((t) => (t[type] ?? "").split(" "))
          .filter((path) => path !== "")
          .map((path) => path.split(".")),
      ]),
    ),
  };
  return tables;
}

/** Terraform type (`azurerm_x`, `data.azurerm_x`, other providers' too) → the attribute paths that hold secrets, as segments. */
export function secretAttributes(): ReadonlyMap<string, readonly (readonly string[])[]> {
  return lookups().secretAttributes;
}

const judgeOf = (section: "localAuth" | "sharedKey", terraformType: string): KeyJudge | undefined =>
  registeredServices()
    .map((s) => partOf(s)?.[section]?.[terraformType])
    .find((judge) => judge !== undefined);

/** Whether a target of this terraform type has keys its service judges (local auth or shared keys): what a migration turns off. */
export const takesKeys = (terraformType: string): boolean =>
  judgeOf("localAuth", terraformType) !== undefined || judgeOf("sharedKey", terraformType) !== undefined;

/** How a target of this terraform type still accepts keys or refuses Entra tokens, judged by its service. */
export const localAuthProblem = (
  terraformType: string,
  config: JsonConfig,
  block: (value: unknown) => JsonConfig | undefined,
): KeyProblem | undefined => judgeOf("localAuth", terraformType)?.(config, block);

/** How a target of this terraform type still accepts its account-wide shared keys, judged by its service. */
export const sharedKeyProblem = (
  terraformType: string,
  config: JsonConfig,
  block: (value: unknown) => JsonConfig | undefined,
): KeyProblem | undefined => judgeOf("sharedKey", terraformType)?.(config, block);

/** What a migration off this terraform type's keys reads and says, from the service that owns the type. */
export const keyMigrationOf = (terraformType: string): KeyMigration | undefined =>
  registeredServices()
    .map((s) => partOf(s)?.migration?.[terraformType])
    .find((m) => m !== undefined);

/** When a sensitive attribute of this terraform type is no secret, if the service owning the type says so. */
export const notSecretWhen = (terraformType: string): NotSecretWhen | undefined => {
  const type = terraformType.replace(/^data\./, "");
  const owner = registeredServices().find(
    (s) =>
      !isNotApplicable(s.resourceTypes) && Object.values(s.resourceTypes ?? {}).some((t) => t.terraformType === type),
  );
  return owner && partOf(owner)?.notSecretWhen?.[terraformType];
};
