import { IdentityConfigError } from "../../core/errors";
import { registerService } from "./registry";
import { checkNetworkPart, type NetworkPart } from "./network";
import { isNotApplicable, type Part } from "./part";
import { checkResourceTypes, type ResourceTypesPart } from "./resource-types";
import { checkAssignments, type AssignmentsPart } from "./assignments";
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

/** The objects of registered definitions' snapshots: a definition may share another's (a role of Network), as it is. */
const snapshots = new WeakSet<object>();

const keep = <T extends object>(value: T): T => {
  snapshots.add(value);
  return value;
};

/**
 * A fresh, frozen copy of the definition, read once: the rules read parts at synth, so a part
 * that could change after its checks (an accessor, a Proxy, a class instance, an object the
 * consumer still holds) would be judged by what was never checked. Plain objects and arrays are
 * copied (their own enumerable data properties), regular expressions recompiled, functions kept;
 * accessors and any other object are refused.
 */
function snapshot(service: string, value: unknown, path: string, seen: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null || snapshots.has(value)) return value;
  if (seen.has(value)) return seen.get(value);
  const refuse = (problem: string, fix: string): never => {
    throw new IdentityConfigError("defineService", { problem: `${service} ${path}: ${problem}`, value: path, fix });
  };
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === RegExp.prototype) {
    const { source, flags } = value as RegExp;
    if (/[gy]/.test(flags))
      refuse("a global or sticky regular expression keeps state between matches", "drop the g and y flags");
    return keep(Object.freeze(new RegExp(source, flags)));
  }
  const array = Array.isArray(value);
  if (array ? proto !== Array.prototype : proto !== Object.prototype && proto !== null)
    refuse(
      "it is not a plain object, array, function or regular expression (a class instance, Map, Set or other object)",
      "write the part as object literals and arrays",
    );
  const copy = (array ? [] : {}) as Record<string, unknown>;
  seen.set(value, copy);
  for (const key of Object.keys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) continue;
    if (!("value" in descriptor))
      refuse(`"${key}" is an accessor (getter or setter)`, `give "${key}" as a plain value`);
    copy[key] = snapshot(service, descriptor.value, `${path}.${key}`, seen);
  }
  return keep(Object.freeze(copy));
}

/** Checks a snapshot of the definition, registers it and returns it, frozen all the way down. */
export function defineService<const D extends ServiceDefinition>(definition: D): D {
  const name: unknown =
    typeof definition === "object" && definition !== null
      ? Object.getOwnPropertyDescriptor(definition, "name")?.value
      : undefined;
  const checked = snapshot(
    typeof name === "string" ? name : "A service definition",
    definition,
    "definition",
    new Map(),
  ) as D;
  checkShape(checked);
  checkResourceTypes(checked);
  checkRoles(checked);
  checkKeys(checked);
  checkAssignments(checked);
  checkAuditPart(checked.name, checked.audit);
  checkNetworkPart(checked.name, checked.network);
  return registerService(checked);
}
