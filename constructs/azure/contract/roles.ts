import { IdentityConfigError } from "../../core/errors";
import { isAzureRole, roleKey, type RoleDefinition } from "../role-catalog";
import type { ServiceDefinition } from ".";
import { isNotApplicable } from "./part";
import { definedServices } from "./registry";

/**
 * The roles part: the service's roles by the key people name them with (`Roles.<key>`),
 * each built with `role()` (an Azure built-in role: its GUID and permissions copied from
 * Microsoft's "Azure built-in roles" page) or `dataPlaneRole()` (a role of the service's own
 * system), carrying the service's role service as a literal so targets accept only their own.
 */
export type RolesPart = Readonly<Record<string, RoleDefinition>>;

/** Built-in role definition GUIDs, in the lower case the catalog looks them up by. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const partOf = (service: ServiceDefinition): RolesPart | undefined =>
  service.roles === undefined || isNotApplicable(service.roles) ? undefined : service.roles;

/**
 * The defined service each role service belongs to, by its roles and its grantable types: a
 * target accepts the roles of its role services, so a second service claiming one (a consumer's
 * role or type of service "Key Vault") would slip its roles onto the first service's targets.
 */
export function roleServiceOwners(): ReadonlyMap<string, string> {
  const owners = new Map<string, string>();
  for (const service of definedServices()) {
    const types = isNotApplicable(service.resourceTypes) ? {} : (service.resourceTypes ?? {});
    const claimed = [
      ...Object.values(partOf(service) ?? {}).map((r) => r.service),
      ...Object.values(types).flatMap((t) => t.services ?? []),
    ];
    for (const roleService of claimed) if (!owners.has(roleService)) owners.set(roleService, service.name);
  }
  return owners;
}

/**
 * Refuses a role GUID that is not one, a role of another service's role service, and a key, GUID
 * (or own-system definition) or Azure role name another role already has: the lookups find a role
 * by each, so each names one role.
 */
export function checkRoles(definition: ServiceDefinition): void {
  const part = partOf(definition);
  if (!part) return;
  const refuse = (key: string, problem: string, value: unknown, fix: string): never => {
    throw new IdentityConfigError("defineService", {
      problem: `${definition.name} roles.${key}: ${problem}`,
      value,
      fix,
    });
  };
  // Who holds each key, role and Azure name so far: registered services were checked the same way.
  const keyOwners = new Map<string, string>();
  const roleOwners = new Map<string, string>();
  const nameOwners = new Map<string, string>();
  const claim = (key: string, r: RoleDefinition, service: string) => {
    keyOwners.set(key, service);
    roleOwners.set(roleKey(r), `${r.name} of ${service}`);
    if (isAzureRole(r)) nameOwners.set(r.name.toLowerCase(), `${r.name} of ${service}`);
  };
  for (const service of definedServices())
    for (const [key, r] of Object.entries(partOf(service) ?? {})) claim(key, r, service.name);
  const serviceOwners = roleServiceOwners();
  for (const [key, r] of Object.entries(part)) {
    if (isAzureRole(r) && (typeof r.guid !== "string" || !GUID.test(r.guid)))
      refuse(
        key,
        "the role GUID is not a GUID",
        r.guid ?? null,
        'copy the role definition GUID from Microsoft\'s "Azure built-in roles" page, in lower case (8-4-4-4-12 hexadecimal digits)',
      );
    const serviceOwner = serviceOwners.get(r.service);
    if (serviceOwner !== undefined && serviceOwner !== definition.name)
      refuse(
        key,
        `the role's service "${r.service}" is ${serviceOwner}'s`,
        r.service,
        `give the role ${definition.name}'s own role service (the one its resource types' services name)`,
      );
    const keyOwner = keyOwners.get(key);
    if (keyOwner)
      refuse(key, `the key is already a role of ${keyOwner}`, key, "give the role a key no other service's role has");
    const written = isAzureRole(r) ? r.guid : r.definition;
    const roleOwner = roleOwners.get(roleKey(r));
    if (roleOwner)
      refuse(
        key,
        `the role ${isAzureRole(r) ? "GUID" : `definition in ${r.system}`} is already ${roleOwner}`,
        written,
        "a role belongs to the one service whose data it reaches: use that service's role instead of defining it again",
      );
    const nameOwner = isAzureRole(r) ? nameOwners.get(r.name.toLowerCase()) : undefined;
    if (nameOwner)
      refuse(
        key,
        `the role name is already ${nameOwner}`,
        r.name,
        "name the role exactly as Azure does; each name is one role",
      );
    claim(key, r, definition.name);
  }
}
