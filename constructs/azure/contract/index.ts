import { IdentityConfigError } from "../../core/errors";
import { registerService } from "./registry";
import { checkNetworkPart, type NetworkPart } from "./network";
import { isNotApplicable, type Part } from "./part";
import { checkResourceTypes, type ResourceTypesPart } from "./resource-types";
import type { AssignmentsPart } from "./assignments";
import type { AuthorizationPart } from "./authorization";
import { checkRoles, type RolesPart } from "./roles";
import { checkAuditPart, type AuditPart } from "./audit";
import { checkKeys, type KeysPart } from "./keys";
import type { MocksPart } from "./mocks";

/**
 * The service module contract: everything the library knows about one Azure service, in one
 * definition. The policy, rules, estate reader, report, diff, verify and the Terraform gate read
 * services only through the registry this fills; a part a service does not have is stated with a
 * reason (`notApplicable`), never left out.
 */

export { notApplicable } from "./part";
export type { NotApplicable, Part } from "./part";

export interface ServiceDefinition {
  /** How people name it ("Key Vault"): in messages, reports and the service table. */
  readonly name: string;
  /** The Azure resource provider namespaces its resource types live in ("Microsoft.KeyVault"). */
  readonly namespaces: readonly string[];
  readonly resourceTypes: Part<ResourceTypesPart>;
  readonly roles: Part<RolesPart>;
  readonly authorization: Part<AuthorizationPart>;
  readonly assignments: Part<AssignmentsPart>;
  readonly keys: Part<KeysPart>;
  readonly audit: Part<AuditPart>;
  readonly network: Part<NetworkPart>;
  readonly mocks: Part<MocksPart>;
}

/** The parts every service gives, each as content or `notApplicable(reason)`: the contract's checklist. */
export const SERVICE_PARTS = [
  "resourceTypes",
  "roles",
  "authorization",
  "assignments",
  "keys",
  "audit",
  "network",
  "mocks",
] as const satisfies readonly (keyof ServiceDefinition)[];

const KNOWN_KEYS: ReadonlySet<string> = new Set(["name", "namespaces", ...SERVICE_PARTS]);

/**
 * The definition's shape, before any part is read: a name, namespaces, every part (a missing or
 * misspelt one would leave a hole that no rule reports), a reason for each part it lacks.
 */
function checkShape(definition: ServiceDefinition): void {
  const name = definition?.name;
  if (typeof name !== "string" || name.trim() === "") {
    throw new IdentityConfigError("defineService", {
      problem: "A service definition has no name",
      value: name ?? null,
      fix: 'give the definition the service\'s name as people know it, e.g. name: "Key Vault"',
    });
  }
  const refuse = (problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError("defineService", { problem: `${name}: ${problem}`, value, fix });
  };
  const { namespaces } = definition;
  if (!Array.isArray(namespaces) || namespaces.length === 0 || !namespaces.every((n) => typeof n === "string"))
    refuse(
      "namespaces must list the service's resource provider namespaces",
      namespaces ?? null,
      'e.g. namespaces: ["Microsoft.KeyVault"]',
    );
  const unknown = Object.keys(definition).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0)
    refuse("the definition has keys the contract does not know", unknown, `name the parts ${SERVICE_PARTS.join(", ")}`);
  for (const part of SERVICE_PARTS) {
    const value: unknown = definition[part];
    if (isNotApplicable(value)) {
      if (value.notApplicable.trim() === "")
        refuse(
          `${part} is not applicable without a reason`,
          value,
          `say why: notApplicable("why ${name} has no ${part}")`,
        );
    } else if (typeof value !== "object" || value === null || Array.isArray(value)) {
      refuse(
        `the definition has no ${part} part`,
        value ?? null,
        `give ${part} (see docs/architecture.md), or notApplicable("why ${name} has none")`,
      );
    }
  }
}

/**
 * Freezes the definition's plain objects and arrays all the way down: the rules read parts at
 * synth, so a part changed after its checks (a judge swapped, a role's plane rewritten through an
 * exported module) would be judged by what was never checked. Functions, regular expressions and
 * class instances are left as they are.
 */
function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  return Object.freeze(value);
}

/** Checks a definition, registers it and returns it frozen, parts included. */
export function defineService<const D extends ServiceDefinition>(definition: D): D {
  checkShape(definition);
  checkResourceTypes(definition);
  checkRoles(definition);
  checkKeys(definition);
  checkAuditPart(definition.name, definition.audit);
  checkNetworkPart(definition.name, definition.network);
  return registerService(deepFreeze(definition));
}
