import { IConstruct } from "constructs";
import { IdentityConfigError } from "../core/errors";
import { isNotApplicable } from "./contract/part";
import { registeredServices } from "./contract/registry";

/**
 * The role kit: what a role is, the builders a service's `roles` part uses, and the lookups over
 * every registered service's roles (a consumer-defined service's included). No service is named
 * here: each service's module holds its own roles.
 */

/**
 * The service whose data a role reaches, as the role's own service module declares it. A grant
 * target accepts only its own services' roles: each role carries its service as a literal type,
 * so a target typed for one service refuses another service's role at compile time.
 */
export type RoleService = string;

/**
 * - `data`: reaches the service's data (secrets, blobs, messages), not the resource itself;
 * - `control`: manages or reads the resource through Azure Resource Manager;
 * - `platform`: what a platform's own identity needs to run a compute (a cluster joining its nodes to
 *   a subnet); held only by that identity, on what that compute is configured to use;
 * - `privileged`: can change the resource or hand out access; refused for workloads unless justified.
 */
export type RolePlane = "data" | "control" | "platform" | "privileged";

/**
 * Who authorizes the role's data access: `"azure-rbac"` (`azurerm_role_assignment`), built in, or
 * the service's own data plane, a system its service module declares, where an Azure role
 * assignment grants no data at all.
 */
export type RoleSystem = string;

interface RoleFacts<S extends RoleService> {
  readonly name: string;
  readonly service: S;
  readonly plane: RolePlane;
  /** A data role that also manages access or everything in the service (the *Data Owner roles). */
  readonly broad: boolean;
  /** RBAC Administrator: privileged unless an ABAC condition limits what it may assign. */
  readonly privilegedUnlessConditioned: boolean;
}

/**
 * What an Azure role definition permits, as Microsoft's built-in role definition lists it:
 * control-plane `actions` less `notActions`, data-plane `dataActions` less `notDataActions`.
 * Operation names are case-insensitive; `*` matches any run of characters.
 */
export interface RolePermissions {
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

/** An Azure built-in role, assigned with `azurerm_role_assignment`. */
export interface AzureRoleDefinition<S extends RoleService = RoleService> extends RoleFacts<S> {
  readonly system: "azure-rbac";
  /** The built-in role definition GUID, the same in every subscription and tenant. */
  readonly guid: string;
  /** Its permissions, copied from Microsoft's definition: what the access diff compares roles by. */
  readonly permissions: RolePermissions;
}

/** A role of a service's own data plane: no Azure role assignment can grant it. */
export interface DataPlaneRoleDefinition<S extends RoleService = RoleService> extends RoleFacts<S> {
  /** The service's own role system: never "azure-rbac". */
  readonly system: RoleSystem;
  /** Its name in the service's own system: a role definition id, an access policy, a database role or the privileges granted. */
  readonly definition: string;
}

export type RoleDefinition<S extends RoleService = RoleService> = AzureRoleDefinition<S> | DataPlaneRoleDefinition<S>;

/** Whether Azure RBAC authorizes the role (a data-plane system is any string, so `system` alone does not narrow). */
export const isAzureRole = <S extends RoleService>(r: RoleDefinition<S>): r is AzureRoleDefinition<S> =>
  r.system === "azure-rbac";

type Flags = { broad?: boolean; privilegedUnlessConditioned?: boolean };

/** An Azure built-in role, as Microsoft's "Azure built-in roles" page lists it. */
export function role<S extends RoleService>(
  name: string,
  guid: string,
  service: S,
  plane: RolePlane,
  permissions: Partial<RolePermissions>,
  flags: Flags = {},
): AzureRoleDefinition<S> {
  const list = (l: readonly string[] | undefined) => Object.freeze([...(l ?? [])]);
  return Object.freeze({
    system: "azure-rbac",
    name,
    guid,
    service,
    plane,
    permissions: Object.freeze({
      actions: list(permissions.actions),
      notActions: list(permissions.notActions),
      dataActions: list(permissions.dataActions),
      notDataActions: list(permissions.notDataActions),
    }),
    broad: flags.broad ?? false,
    privilegedUnlessConditioned: flags.privilegedUnlessConditioned ?? false,
  });
}

/** A data role of the service's own role system `system`, by its name there. */
export function dataPlaneRole<S extends RoleService>(
  system: RoleSystem,
  name: string,
  definition: string,
  service: S,
  flags: Flags = {},
): DataPlaneRoleDefinition<S> {
  return Object.freeze({
    system,
    name,
    definition,
    service,
    plane: "data",
    broad: flags.broad ?? false,
    privilegedUnlessConditioned: false,
  });
}

interface Catalog {
  readonly all: readonly RoleDefinition[];
  readonly azure: readonly AzureRoleDefinition[];
  readonly byGuid: ReadonlyMap<string, AzureRoleDefinition>;
  readonly byName: ReadonlyMap<string, AzureRoleDefinition>;
  readonly byKey: ReadonlyMap<string, RoleDefinition>;
}

let built: { readonly count: number; readonly catalog: Catalog } | undefined;

/** A map where the first entry for a key wins, in registry order: a later service cannot shadow a role. */
function first<K, V>(entries: readonly (readonly [K, V])[]): ReadonlyMap<K, V> {
  const map = new Map<K, V>();
  for (const [key, value] of entries) if (!map.has(key)) map.set(key, value);
  return map;
}

/** The registered services' roles, rebuilt when a service registers (a consumer's may, after the shipped ones). */
function catalog(): Catalog {
  const services = registeredServices();
  if (built?.count !== services.length) {
    const all = Object.freeze(
      services.flatMap((s) => (s.roles === undefined || isNotApplicable(s.roles) ? [] : Object.values(s.roles))),
    );
    const azure = all.filter(isAzureRole);
    built = {
      count: services.length,
      catalog: {
        all,
        azure,
        byGuid: first(azure.map((r) => [r.guid, r])),
        byName: first(azure.map((r) => [r.name.toLowerCase(), r])),
        byKey: first(all.map((r) => [roleKey(r), r])),
      },
    };
  }
  return built.catalog;
}

/** Every role of every registered service, in registry order. */
export const allRoles = (): readonly RoleDefinition[] => catalog().all;

/** What names the role in its system, unique across the catalog: the GUID of an Azure role. */
export function roleKey(r: RoleDefinition): string {
  return isAzureRole(r) ? r.guid : `${r.system}:${r.definition}`.toLowerCase();
}

/** The catalog's own entry for a role (not a look-alike object), or undefined. */
export function catalogEntry(r: RoleDefinition): RoleDefinition | undefined {
  const found = catalog().byKey.get(roleKey(r));
  return found === r ? found : undefined;
}

/** The catalog entry for an Azure role GUID, or undefined. */
export function findRoleByGuid(guid: string): AzureRoleDefinition | undefined {
  return catalog().byGuid.get(guid.toLowerCase());
}

/** The catalog entry for a data-plane role of a system, by its definition, or undefined. */
export function findDataPlaneRole(system: RoleSystem, definition: string): DataPlaneRoleDefinition | undefined {
  const found = catalog().byKey.get(`${system}:${definition}`.toLowerCase());
  return found?.system === system && !isAzureRole(found) ? found : undefined;
}

/** The catalog entry for an Azure role's name, or undefined. */
export function lookupRoleByName(name: string): AzureRoleDefinition | undefined {
  return catalog().byName.get(name.trim().toLowerCase());
}

/**
 * Looks a role up by its Azure name or GUID, for settings read from configuration.
 * An unknown role is an error that names the closest catalog entry.
 */
export function lookupRole(where: IConstruct | string, nameOrGuid: string): AzureRoleDefinition {
  const found = lookupRoleByName(nameOrGuid) ?? findRoleByGuid(nameOrGuid.trim());
  if (found) return found;
  throw new IdentityConfigError(where, {
    problem: "Unknown role",
    value: nameOrGuid,
    fix: `use a built-in role from the catalog (Roles.*) by its exact name or GUID; closest match: "${closestRoleName(nameOrGuid)}"`,
  });
}

function closestRoleName(input: string): string {
  const wanted = input.toLowerCase();
  const roles = catalog().azure;
  let best = roles[0].name;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const r of roles) {
    const d = editDistance(wanted, r.name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [r.name, d];
  }
  return best;
}
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The role id Azure returns for a scope: scoped to the scope's subscription (the unscoped form
 * causes a perpetual diff), or unscoped for a management group, which has no subscription.
 */
export function roleDefinitionId(subscriptionId: string, roleDef: AzureRoleDefinition): string {
  const path = `/providers/Microsoft.Authorization/roleDefinitions/${roleDef.guid}`;
  return subscriptionId ? `/subscriptions/${subscriptionId}${path}` : path;
}
