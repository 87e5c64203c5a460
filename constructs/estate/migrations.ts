import {
  ConversionRecord,
  MIGRATIONS_LOCAL,
  MigrationRecord,
  PHASES,
  SecretMigrationRecord,
} from "../policy/migration-record";
import { dayOf } from "../policy/suppression-record";
import { Compute } from "./computes";
import { Principal, readPrincipal } from "./principals";
import { parseReference, TfResource } from "./terraform-json";

/** A secret migration read back from the stack: its record, and what the record names, resolved in the estate. */
export interface EstateSecretMigration {
  readonly record: SecretMigrationRecord;
  readonly computes: readonly Compute[];
  /** The target resource whose key the secret is; absent when the record names none of the stack. */
  readonly target?: TfResource;
  /** The principals that must hold a role on the target. */
  readonly holders: readonly Principal[];
}

export interface EstateConversion {
  readonly record: ConversionRecord;
  readonly computes: readonly Compute[];
  /** The user-assigned identity's address in the stack (or its id as written, for one of another stack). */
  readonly userAssigned: string;
}

export type EstateMigration = EstateSecretMigration | EstateConversion;

const isText = (v: unknown): v is string => typeof v === "string" && v !== "";
const isTexts = (v: unknown): v is string[] => Array.isArray(v) && v.every(isText);

/**
 * A record as the library writes it, or undefined: a hostile file can put anything in the local,
 * and a record that cannot be read accepts nothing (its secret setting stays a finding).
 */
function readRecord(value: unknown): MigrationRecord | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  const common =
    isText(r.constructPath) &&
    isText(r.workload) &&
    isText(r.reason) &&
    isText(r.expires) &&
    dayOf(r.expires) !== undefined &&
    isTexts(r.computes) &&
    (r.kind === "secret" || r.kind === "conversion") &&
    PHASES[r.kind].includes(String(r.phase));
  if (!common) return undefined;
  if (r.kind === "secret")
    return isText(r.setting) && isText(r.target) && isTexts(r.holders)
      ? (r as unknown as SecretMigrationRecord)
      : undefined;
  return isText(r.userAssigned) ? (r as unknown as ConversionRecord) : undefined;
}

/** The stack's migrations (`locals.identity_migrations`) that can be read, and how many cannot. */
export function readMigrations(
  stackJson: Readonly<Record<string, any>>,
  byAddress: ReadonlyMap<string, TfResource>,
  computes: readonly Compute[],
): { migrations: EstateMigration[]; unreadable: number } {
  const written: unknown = stackJson.locals?.[MIGRATIONS_LOCAL];
  const list: unknown[] = Array.isArray(written) ? written : written === undefined ? [] : [written];
  const computeAt = new Map(computes.map((c) => [c.resource.address, c]));
  const migrations: EstateMigration[] = [];
  let unreadable = 0;
  for (const value of list) {
    const record = readRecord(value);
    if (!record) {
      unreadable += 1;
      continue;
    }
    const listed = record.computes.flatMap((address) => computeAt.get(address) ?? []);
    if (record.kind === "secret") {
      migrations.push({
        record,
        computes: listed,
        target: byAddress.get(record.target),
        holders: record.holders.map((raw) => readPrincipal(raw, "ServicePrincipal", byAddress)),
      });
    } else {
      migrations.push({
        record,
        computes: listed,
        userAssigned: parseReference(record.userAssigned)?.address ?? record.userAssigned,
      });
    }
  }
  return { migrations, unreadable };
}

export const isSecretMigration = (m: EstateMigration): m is EstateSecretMigration => m.record.kind === "secret";
export const isConversion = (m: EstateMigration): m is EstateConversion => m.record.kind === "conversion";
