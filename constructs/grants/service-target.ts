import { IConstruct } from "constructs";
import { IdentityConfigError } from "../core/errors";
import type { NotApplicable, ServiceDefinition } from "../azure/contract";
import { isNotApplicable } from "../azure/contract/part";
import { registeredServices } from "../azure/contract/registry";
import type { ResourceTypeInfo } from "../azure/contract/resource-types";
import type { NamedResource } from "../azure/known-values";
import type { RoleService } from "../azure/role-catalog";
import { ExistingTargetOptions, GrantTarget, TargetClass, targetOfKind } from "./targets";

type TypesOf<D extends ServiceDefinition> = Exclude<D["resourceTypes"], NotApplicable>;

/** The keys of `D`'s resource types roles are granted on: a resource group's resources with role services. */
export type GrantableType<D extends ServiceDefinition> = {
  [K in keyof TypesOf<D>]: TypesOf<D>[K] extends {
    readonly services: readonly RoleService[];
    readonly id: "inResourceGroup";
  }
    ? K
    : never;
}[keyof TypesOf<D>] &
  string;

/** The role services of `D`'s type `K`: its targets take these services' roles only. */
export type ServicesOf<D extends ServiceDefinition, K extends GrantableType<D>> = TypesOf<D>[K] extends {
  readonly services: readonly (infer S extends RoleService)[];
}
  ? S
  : never;

/** One kit class per type, made on first use: its `of`/`fromId` are what every shipped target's are. */
const classes = new WeakMap<ResourceTypeInfo, TargetClass<RoleService, NamedResource>>();

function targetClass(where: IConstruct, service: ServiceDefinition, typeKey: string) {
  // Only a definition `defineService` checked and registered: its types' names, ids and roles were refused if wrong.
  if (!registeredServices().includes(service)) {
    throw new IdentityConfigError(where, {
      problem: `${service?.name ?? "The service"} is not a defined service`,
      value: service?.name ?? null,
      fix: "pass the definition defineService returned (defineService checks and registers it)",
    });
  }
  const types = isNotApplicable(service.resourceTypes) ? {} : service.resourceTypes;
  const type = Object.hasOwn(types, typeKey) ? types[typeKey] : undefined;
  if (type?.services === undefined || type.id !== "inResourceGroup") {
    const grantable = Object.entries(types).filter(([, t]) => t.services !== undefined && t.id === "inResourceGroup");
    throw new IdentityConfigError(where, {
      problem: `${service.name} has no resource type "${typeKey}" roles are granted on`,
      value: typeKey,
      fix: `name one of its resource types with services and id "inResourceGroup": ${grantable.map(([k]) => k).join(", ") || "it has none"}`,
    });
  }
  const info = type as ResourceTypeInfo;
  const existing = classes.get(info);
  if (existing) return existing;
  const made = targetOfKind<RoleService, NamedResource>(info, service);
  classes.set(info, made);
  return made;
}

/**
 * A target of a service the library does not ship, defined with `defineService`: its id built
 * from the resource's names (checked by the type's naming rule), its tenant and its roles checked
 * as every shipped target's are. Typed by the service, so another service's role is a type error.
 */
export const ServiceTarget = {
  /** A resource of this stack: its id from its names, the assignment ordered after it. */
  of<D extends ServiceDefinition, K extends GrantableType<D>>(
    service: D,
    type: K,
    resource: NamedResource,
  ): GrantTarget<ServicesOf<D, K>> {
    return targetClass(resource, service, type).of(resource) as GrantTarget<ServicesOf<D, K>>;
  },

  /** An existing resource by id, possibly in another subscription of the tenant. */
  fromId<D extends ServiceDefinition, K extends GrantableType<D>>(
    scope: IConstruct,
    service: D,
    type: K,
    id: string,
    options?: ExistingTargetOptions,
  ): GrantTarget<ServicesOf<D, K>> {
    return targetClass(scope, service, type).fromId(scope, id, options) as GrantTarget<ServicesOf<D, K>>;
  },
};
