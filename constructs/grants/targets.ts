import { IConstruct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { refuseForeign } from "../core/runtime";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { requireAzureNames, ResourceId, requireGuid } from "../azure/azure-ids";
import { AzureContext } from "../azure/azure-context";
import { IdentityConfigError } from "../core/errors";
import { knownName, NamedResource, resolveInStack, resourceIdOf } from "../azure/known-values";
import { IManagedIdentity } from "../azure/identity";
import { DataPlaneScope, Grant, GrantOptions, GrantScope, GrantRequest } from "../azure/grant";
import { grantRole, requestedOptions } from "./grants";
import { RoleDefinition, RoleService } from "../azure/role-catalog";
import type { ChildId, ResourceTypeInfo } from "../azure/contract/resource-types";
import { comparableText } from "../core/terraform-text";
import type { ServiceDefinition } from "../azure/contract";
import { ownAuthorization } from "../azure/contract/authorization";

/** Proves a target was made here, by `of`/`fromId`: its fields decide where an assignment lands and how it is judged. */
const MINT: unique symbol = Symbol("GrantTarget");

export interface ExistingTargetOptions {
  /** The target's tenant; defaults to the stack's. A different tenant makes every grant an error. */
  readonly tenantId?: string;
  /** Names the grant in construct ids and reports; defaults to the resource name. */
  readonly label?: string;
}

/** What a target is made from: its `GrantScope` facts, with the services typed and nothing to wait for by default. */
export type TargetInit<S extends RoleService> = Omit<GrantScope, "accepts" | "services" | "dependsOn"> & {
  readonly services: readonly S[];
  /** Resources the assignment must wait for, when the scope is built from a parent's reference. */
  readonly dependsOn?: readonly ITerraformDependable[];
};

/** A sub-resource's type: its id is its parent's, then its path (`queueServices/default/queues`) and its name. */
export type ChildType<C extends RoleService> = ResourceTypeInfo<C> & { readonly id: ChildId };

/** A sub-resource of this stack, and how it names its parent (by id or by name). */
export interface ChildResource extends IConstruct {
  readonly nameInput?: string;
}

/** A sub-resource's own name: given, parsed from its id, or the resource's. */
export function childName(label: string, child: string | ChildResource): string {
  if (typeof child !== "string") return knownName(child, child.nameInput ?? "");
  return child.startsWith("/") ? ResourceId.parse(label, child).name : child;
}

export interface ParentReference {
  readonly id?: string;
  readonly name?: string;
}

/**
 * The class's fields are `GrantScope`'s, declared once there; this interface merges them into it,
 * and the constructor sets every one of them from its `TargetInit`, which has them all.
 */
export interface GrantTarget<S extends RoleService> extends Omit<GrantScope, "services" | "accepts"> {
  readonly services: readonly S[];
}

/**
 * Something roles can be granted on: its id built from names (hashed into assignment names and
 * carrying its subscription), the reference Terraform orders the grant after, and the services
 * whose roles mean something on it. `S` makes another service's role a type error.
 */
export class GrantTarget<S extends RoleService> implements GrantScope {
  /** Targets come from `<Target>.of(resource)` or `<Target>.fromId(scope, id)`, never from raw fields. */
  constructor(init: TargetInit<S>, mint: typeof MINT) {
    if (mint !== MINT) {
      throw new IdentityConfigError(init?.label ?? "GrantTarget", {
        problem: "A grant target was constructed from raw fields",
        value: init?.resourceId?.id ?? null,
        fix: "use <Target>.of(resource) for a resource of the stack, or <Target>.fromId(scope, id) for an existing one",
      });
    }
    // The scope is judged, hashed into the assignment's name and named in its construct id at synth.
    if (Token.isUnresolved(init.resourceId.id)) {
      throw new IdentityConfigError(init.home ?? "GrantTarget", {
        problem: `The ${init.kind}'s name or resource group is a value only Terraform knows, so the grant's scope cannot be judged or its assignment named before apply`,
        value: init.resourceId.id,
        fix: "give the resource a literal name and resource group (or the name of a resource of this stack that has one), or pass its id string built from names to <Target>.fromId",
      });
    }
    Object.assign(this, { ...init, dependsOn: Object.freeze([...(init.dependsOn ?? [])]) });
    // Frozen once minted: a field changed afterwards (scopeReference to a subscription) would write
    // a grant the policy never judged.
    Object.freeze(this);
  }

  accepts(role: RoleDefinition): boolean {
    return (this.services as readonly RoleService[]).includes(role.service);
  }

  /** Grants `role` on this target to `identity` now. */
  grant(identity: IManagedIdentity, role: RoleDefinition<S>, options: GrantOptions): Grant {
    return grantRole(identity, role, this, requestedOptions(options));
  }

  /** A grant request for a WorkloadIdentity's `grants`. */
  allow(
    role: RoleDefinition<S>,
    reason: string,
    extra: Omit<GrantOptions, "reason" | "declaredBy" | "workload"> = {},
  ): GrantRequest {
    return { target: this, role, options: { ...extra, reason } };
  }
}

/**
 * A sub-resource, the narrowest scope Azure supports: by name, by its id (which must lie inside
 * this resource), or as a resource of this stack (which must name this resource as its parent).
 */
export function childTarget<C extends RoleService>(
  parent: GrantTarget<RoleService>,
  kind: ChildType<C>,
  child: string | ChildResource,
  parentOf: (resource: ChildResource) => ParentReference = () => ({}),
  dataPlane: DataPlaneScope | undefined = parent.dataPlane,
): GrantTarget<C> {
  const common = {
    kind: kind.kind,
    services: kind.services,
    tenantId: parent.tenantId,
    home: parent.home,
    service: parent.service,
    dataPlane,
  };
  if (typeof child === "string" && child.startsWith("/")) {
    const resourceId = ResourceId.parse(parent.label, child);
    const expected = parent.resourceId.child(kind.id.path, resourceId.name);
    if (resourceId.id.toLowerCase() !== expected.id.toLowerCase()) {
      throw new IdentityConfigError(parent.label, {
        problem: `${kind.kind} id does not belong to ${parent.kind} ${parent.label}`,
        value: child,
        fix: `pass the id of a ${kind.kind} under ${parent.resourceId.id}/${kind.id.path}, or grant on its own parent`,
      });
    }
    return new GrantTarget(
      {
        ...common,
        resourceId,
        scopeReference: resourceId.id,
        label: `${parent.label}-${resourceId.name}`,
      },
      MINT,
    );
  }
  const name = typeof child === "string" ? child : knownName(child, child.nameInput ?? "");
  if (Token.isUnresolved(name)) {
    throw new IdentityConfigError(typeof child === "string" ? (parent.home ?? parent.label) : child, {
      problem: `The ${kind.kind}'s name is a value only Terraform knows, so the grant's scope cannot be judged or its assignment named before apply`,
      value: typeof child === "string" ? child : (child.nameInput ?? null),
      fix: `name the ${kind.kind} with a literal string (or pass a ${kind.kind} of this stack whose name is one)`,
    });
  }
  if (typeof child !== "string") checkParent(parent, kind, child, parentOf(child));
  const resourceId = requireAzureNames(
    typeof child === "string" ? parent.label : child,
    parent.resourceId.child(kind.id.path, name),
  );
  return new GrantTarget(
    {
      ...common,
      resourceId,
      scopeReference: `${parent.scopeReference}/${kind.id.path}/${name}`,
      label: `${parent.label}-${name}`,
      dependsOn:
        typeof child === "string" ? parent.dependsOn : [...parent.dependsOn, child as unknown as ITerraformDependable],
    },
    MINT,
  );
}

function checkParent(
  parent: GrantTarget<RoleService>,
  kind: ChildType<RoleService>,
  child: ChildResource,
  reference: ParentReference,
): void {
  const byId =
    reference.id !== undefined &&
    comparableText(resolveInStack(child, reference.id)) ===
      comparableText(resolveInStack(child, parent.scopeReference));
  const byName =
    reference.name !== undefined &&
    knownName(child, reference.name).toLowerCase() === parent.resourceId.name.toLowerCase();
  if (!byId && !byName) {
    throw new IdentityConfigError(child, {
      problem: `${kind.kind} does not belong to ${parent.kind} ${parent.label}`,
      value:
        reference.id !== undefined
          ? resolveInStack(child, reference.id)
          : reference.name !== undefined
            ? knownName(child, reference.name)
            : null,
      fix: `grant on the ${parent.kind} that holds this ${kind.kind}, or pass a ${kind.kind} of ${parent.label}`,
    });
  }
}

/** Where a resource of this stack is: its id built from names, the reference Terraform orders after, its tenant. */
export interface StackPlacement {
  readonly resourceId: ResourceId;
  readonly scopeReference: string;
  readonly tenantId: string;
  readonly home: IConstruct;
}

/** A resource named by its own name and resource group: the usual placement. */
function namedPlacement(resource: NamedResource, azureType: string, kind: string): StackPlacement {
  return {
    resourceId: resourceIdOf(resource, azureType, kind),
    scopeReference: resource.id,
    tenantId: AzureContext.of(resource).tenantId,
    home: resource,
  };
}

/** The init for a target that is a resource of this stack. */
function fromStackResource<S extends RoleService>(
  { kind, services }: ResourceTypeInfo<S>,
  { resourceId, scopeReference, tenantId, home }: StackPlacement,
  service: ServiceDefinition,
): TargetInit<S> {
  return {
    kind,
    resourceId,
    scopeReference,
    services,
    tenantId,
    label: resourceId.name,
    home,
    service,
    dataPlane: ownAuthorization(service) ? { service: resourceId, serviceReference: scopeReference } : undefined,
  };
}

/** The init for an existing resource given by id, possibly in another subscription of the tenant. */
function fromExistingId<S extends RoleService>(
  { kind, azureType: type, services }: ResourceTypeInfo<S>,
  service: ServiceDefinition,
  scope: IConstruct,
  id: string,
  options: ExistingTargetOptions = {},
): TargetInit<S> {
  const resourceId = ResourceId.parse(scope, id);
  if (!resourceId.isOfType(type)) {
    throw new IdentityConfigError(scope, {
      problem: `Resource id is not a ${kind} (${type})`,
      value: id,
      fix: `pass the id of a ${type} resource, or use the target class for ${resourceId.type || resourceId.level}`,
    });
  }
  const tenantId = requireGuid(scope, "tenant id", options.tenantId ?? AzureContext.of(scope).tenantId);
  return {
    kind,
    resourceId,
    scopeReference: resourceId.id,
    services,
    tenantId,
    label: options.label ?? resourceId.name,
    service,
    dataPlane: ownAuthorization(service) ? { service: resourceId, serviceReference: resourceId.id } : undefined,
  };
}

/** The class side of a target for one kind of resource `R`, whose roles are those of `S`. */
export interface TargetClass<S extends RoleService, R> {
  new (init: TargetInit<S>, mint: typeof MINT): GrantTarget<S>;
  /** A resource of this stack: its id from its names, the assignment ordered after it. */
  of<T>(this: new (init: TargetInit<S>, mint: typeof MINT) => T, resource: R): T;
  /** An existing resource by id, possibly in another subscription of the tenant. */
  fromId<T>(
    this: new (init: TargetInit<S>, mint: typeof MINT) => T,
    scope: IConstruct,
    id: string,
    options?: ExistingTargetOptions,
  ): T;
}

/**
 * The base of a target class for one kind of resource of `service`; subclasses add its
 * sub-resources. A service with its own data plane (Cosmos DB, Redis, a database server) makes its
 * targets' data grants through its writer. `placementOf` places a resource of this stack whose
 * id is not built from its own name and resource group (a subnet, an identity).
 */
export function targetOfKind<S extends RoleService, R extends NamedResource>(
  kind: ResourceTypeInfo<S>,
  service: ServiceDefinition,
): TargetClass<S, R>;
export function targetOfKind<S extends RoleService, R extends IConstruct>(
  kind: ResourceTypeInfo<S>,
  service: ServiceDefinition,
  placementOf: (resource: R) => StackPlacement,
): TargetClass<S, R>;
export function targetOfKind<S extends RoleService, R extends IConstruct>(
  kind: ResourceTypeInfo<S>,
  service: ServiceDefinition,
  placementOf?: (resource: R) => StackPlacement,
): TargetClass<S, R> {
  return class extends GrantTarget<S> {
    static of<T>(this: new (init: TargetInit<S>, mint: typeof MINT) => T, resource: R): T {
      refuseForeign(resource, `The ${kind.kind} given as a target`, resource);
      const placement = placementOf
        ? placementOf(resource)
        : namedPlacement(resource as unknown as NamedResource, kind.azureType, kind.kind);
      return new this(fromStackResource(kind, placement, service), MINT);
    }

    static fromId<T>(
      this: new (init: TargetInit<S>, mint: typeof MINT) => T,
      scope: IConstruct,
      id: string,
      options?: ExistingTargetOptions,
    ): T {
      return new this(fromExistingId(kind, service, scope, id, options), MINT);
    }
  };
}

/**
 * Any scope by id, including a resource group or subscription. Grants here need a justification
 * when the scope is above one resource or the role is privileged: this is the explicit escape hatch.
 */
export class ScopeTarget extends GrantTarget<RoleService> {
  static fromId(scope: IConstruct, id: string, options: ExistingTargetOptions = {}): ScopeTarget {
    const resourceId = ResourceId.parse(scope, id);
    const tenantId = requireGuid(scope, "tenant id", options.tenantId ?? AzureContext.of(scope).tenantId);
    return new ScopeTarget(
      {
        kind: resourceId.level === "resource" ? resourceId.type : resourceId.level,
        resourceId,
        scopeReference: resourceId.id,
        services: ["Any resource"],
        tenantId,
        label: options.label ?? resourceId.name,
      },
      MINT,
    );
  }

  /** A resource group of this stack: its id from its name, the assignment ordered after it. */
  static ofResourceGroup(group: ResourceGroup): ScopeTarget {
    const context = AzureContext.of(group);
    const name = knownName(group, group.nameInput ?? "");
    return new ScopeTarget(
      {
        kind: "resourceGroup",
        resourceId: ResourceId.parse(group, `/subscriptions/${context.subscriptionId}/resourceGroups/${name}`),
        scopeReference: group.id,
        services: ["Any resource"],
        tenantId: context.tenantId,
        label: name,
        home: group,
      },
      MINT,
    );
  }

  /** Every role's service applies at an arbitrary scope; the grant rules still check level and privilege. */
  override accepts(): boolean {
    return true;
  }
}
