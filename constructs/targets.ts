import { IConstruct } from "constructs";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { ResourceId, requireGuid } from "./azure-ids";
import { AzureContext } from "./azure-context";
import { IdentityConfigError } from "./errors";
import { knownName } from "./known-values";
import { IManagedIdentity } from "./identity";
import { Grant, GrantOptions, GrantSpec, grantRole } from "./grant";
import { RoleDefinition, RoleService, Roles } from "./role-catalog";

/** A resource of this stack, from which an id can be built out of names known before apply. */
export interface NamedResource extends IConstruct {
  readonly id: string;
  readonly nameInput?: string;
  readonly resourceGroupNameInput?: string;
}

export interface ExistingTargetOptions {
  /** The target's tenant; defaults to the stack's. A different tenant makes every grant an error. */
  readonly tenantId?: string;
  /** Names the grant in construct ids and reports; defaults to the resource name. */
  readonly label?: string;
}

export interface TargetInit<S extends RoleService> {
  readonly kind: string;
  readonly resourceId: ResourceId;
  readonly scopeReference: string;
  readonly services: readonly S[];
  readonly tenantId: string;
  readonly label: string;
}

/**
 * Something roles can be granted on: its id built from names (hashed into assignment names and
 * carrying its subscription), the reference Terraform orders the grant after, and the services
 * whose roles mean something on it. `S` makes another service's role a type error.
 */
export class GrantTarget<S extends RoleService> {
  readonly kind: string;
  readonly resourceId: ResourceId;
  /** What the assignment's `scope` is set to: the resource's `id` reference, or the literal id. */
  readonly scopeReference: string;
  readonly services: readonly S[];
  readonly tenantId: string;
  readonly label: string;

  constructor(init: TargetInit<S>) {
    this.kind = init.kind;
    this.resourceId = init.resourceId;
    this.scopeReference = init.scopeReference;
    this.services = init.services;
    this.tenantId = init.tenantId;
    this.label = init.label;
  }

  accepts(role: RoleDefinition): boolean {
    return (this.services as readonly RoleService[]).includes(role.service);
  }

  /** Grants `role` on this target to `identity` now. */
  grant(identity: IManagedIdentity, role: RoleDefinition<S>, options: GrantOptions): Grant {
    return grantRole(identity, role, this, options);
  }

  /** A grant request for a WorkloadIdentity's `grants`. */
  allow(role: RoleDefinition<S>, reason: string, extra: Omit<GrantOptions, "reason" | "declaredBy" | "workload"> = {}): GrantSpec {
    return { target: this, role, options: { ...extra, reason } };
  }
}

/** What kind of resource a target is: its Azure type and the services whose roles apply to it. */
interface TargetKind<S extends RoleService> {
  readonly kind: string;
  readonly type: string;
  readonly services: readonly S[];
}

/** The init for a target that is a resource of this stack: id from its names, scope from its `id`. */
function fromStackResource<S extends RoleService>({ kind, type, services }: TargetKind<S>, resource: NamedResource): TargetInit<S> {
  const context = AzureContext.of(resource);
  const name = resource.nameInput === undefined ? undefined : knownName(resource, resource.nameInput);
  const resourceGroup = resource.resourceGroupNameInput === undefined ? undefined : knownName(resource, resource.resourceGroupNameInput);
  if (name === undefined || resourceGroup === undefined) {
    throw new IdentityConfigError(resource, {
      problem: `${kind} has no name or resource group set, so its id cannot be known before apply`,
      value: { name, resourceGroup },
      fix: "set name and resource_group_name on the resource, or pass the resource id string instead",
    });
  }
  const resourceId = ResourceId.fromNames(resource, { subscriptionId: context.subscriptionId, resourceGroup, type, name });
  return { kind, resourceId, scopeReference: resource.id, services, tenantId: context.tenantId, label: name };
}

/** The init for an existing resource given by id, possibly in another subscription of the tenant. */
function fromExistingId<S extends RoleService>(
  { kind, type, services }: TargetKind<S>,
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
  return { kind, resourceId, scopeReference: resourceId.id, services, tenantId, label: options.label ?? resourceId.name };
}

/**
 * The base of a target class for one kind of resource: `of(resource)` for a resource of this
 * stack, `fromId(scope, id)` for an existing one. Subclasses add intent-level grant methods.
 */
function targetOfKind<S extends RoleService, R extends NamedResource>(kind: TargetKind<S>) {
  return class extends GrantTarget<S> {
    static of<T>(this: new (init: TargetInit<S>) => T, resource: R): T {
      return new this(fromStackResource(kind, resource));
    }

    static fromId<T>(this: new (init: TargetInit<S>) => T, scope: IConstruct, id: string, options?: ExistingTargetOptions): T {
      return new this(fromExistingId(kind, scope, id, options));
    }
  };
}

/** A Key Vault in RBAC mode; only Key Vault data roles apply. */
export class KeyVaultTarget extends targetOfKind<"Key Vault", KeyVault>({
  kind: "Key Vault",
  type: "Microsoft.KeyVault/vaults",
  services: ["Key Vault"],
}) {
  /** Read secret values (Key Vault Secrets User). */
  grantSecretsRead(identity: IManagedIdentity, reason: string): Grant {
    return this.grant(identity, Roles.KeyVaultSecretsUser, { reason });
  }
}

export type StorageService = "Storage Blob" | "Storage Queue" | "Storage Table" | "Storage File";

/** A storage account; blob, queue, table and file data roles apply. */
export class StorageAccountTarget extends targetOfKind<StorageService, StorageAccount>({
  kind: "storage account",
  type: "Microsoft.Storage/storageAccounts",
  services: ["Storage Blob", "Storage Queue", "Storage Table", "Storage File"],
}) {
  /** Read blobs (Storage Blob Data Reader). */
  grantBlobRead(identity: IManagedIdentity, reason: string): Grant {
    return this.grant(identity, Roles.StorageBlobDataReader, { reason });
  }
}

/** A container registry; AcrPull and AcrPush apply. */
export class ContainerRegistryTarget extends targetOfKind<"Container Registry", ContainerRegistry>({
  kind: "container registry",
  type: "Microsoft.ContainerRegistry/registries",
  services: ["Container Registry"],
}) {
  /** Pull images (AcrPull). */
  grantPull(identity: IManagedIdentity, reason: string): Grant {
    return this.grant(identity, Roles.AcrPull, { reason });
  }
}

/**
 * Any scope by id, including a resource group or subscription. Grants here need a justification
 * when the scope is above one resource or the role is privileged: this is the explicit escape hatch.
 */
export class ScopeTarget extends GrantTarget<RoleService> {
  static fromId(scope: IConstruct, id: string, options: ExistingTargetOptions = {}): ScopeTarget {
    const resourceId = ResourceId.parse(scope, id);
    const tenantId = requireGuid(scope, "tenant id", options.tenantId ?? AzureContext.of(scope).tenantId);
    return new ScopeTarget({
      kind: resourceId.level === "resource" ? resourceId.type : resourceId.level,
      resourceId,
      scopeReference: resourceId.id,
      services: ["Any resource"],
      tenantId,
      label: options.label ?? resourceId.name,
    });
  }

  /** Every role's service applies at an arbitrary scope; the grant rules still check level and privilege. */
  override accepts(): boolean {
    return true;
  }
}
