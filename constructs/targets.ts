import { IConstruct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { StorageQueue } from "@cdktf/provider-azurerm/lib/storage-queue";
import { StorageTable } from "@cdktf/provider-azurerm/lib/storage-table";
import { StorageShare } from "@cdktf/provider-azurerm/lib/storage-share";
import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { ServicebusQueue } from "@cdktf/provider-azurerm/lib/servicebus-queue";
import { ServicebusTopic } from "@cdktf/provider-azurerm/lib/servicebus-topic";
import { EventhubNamespace } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { Eventhub } from "@cdktf/provider-azurerm/lib/eventhub";
import { AppConfiguration } from "@cdktf/provider-azurerm/lib/app-configuration";
import { CognitiveAccount } from "@cdktf/provider-azurerm/lib/cognitive-account";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { requireAzureNames, ResourceId, requireGuid } from "./azure-ids";
import { AzureContext } from "./internal/azure-context";
import { IdentityConfigError } from "./errors";
import { knownName, NamedResource, resolveInStack, resourceIdOf } from "./internal/known-values";
import { IManagedIdentity, IUserAssignedIdentity } from "./identity";
import { DataPlaneScope, Grant, GrantOptions, GrantScope, GrantRequest } from "./grant";
import { grantRole, requestedOptions } from "./internal/grants";
import { RoleDefinition, RoleService } from "./role-catalog";
import { ResourceTypeInfo, ResourceTypes, StorageService } from "./internal/resource-types";
import { comparableText } from "./internal/terraform-text";

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

/** A sub-resource kind, and its path below the parent up to the child's name (`queueServices/default/queues`). */
export interface ChildKind<C extends RoleService> extends ResourceTypeInfo<C> {
  readonly path: string;
}
export const childKind = <C extends RoleService>(info: ResourceTypeInfo<C>, path: string): ChildKind<C> => ({
  ...info,
  path,
});

/** A sub-resource of this stack, and how it names its parent (by id or by name). */
export interface ChildResource extends IConstruct {
  readonly nameInput?: string;
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
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the constructor sets every merged field
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
    Object.assign(this, { ...init, dependsOn: init.dependsOn ?? [] });
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
  kind: ChildKind<C>,
  child: string | ChildResource,
  parentOf: (resource: ChildResource) => ParentReference = () => ({}),
  dataPlane: DataPlaneScope | undefined = parent.dataPlane,
): GrantTarget<C> {
  const common = {
    kind: kind.kind,
    services: kind.services,
    tenantId: parent.tenantId,
    home: parent.home,
    dataPlane,
  };
  if (typeof child === "string" && child.startsWith("/")) {
    const resourceId = ResourceId.parse(parent.label, child);
    const expected = parent.resourceId.child(kind.path, resourceId.name);
    if (resourceId.id.toLowerCase() !== expected.id.toLowerCase()) {
      throw new IdentityConfigError(parent.label, {
        problem: `${kind.kind} id does not belong to ${parent.kind} ${parent.label}`,
        value: child,
        fix: `pass the id of a ${kind.kind} under ${parent.resourceId.id}/${kind.path}, or grant on its own parent`,
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
  if (typeof child !== "string") checkParent(parent, kind, child, parentOf(child));
  const resourceId = requireAzureNames(
    typeof child === "string" ? parent.label : child,
    parent.resourceId.child(kind.path, name),
  );
  return new GrantTarget(
    {
      ...common,
      resourceId,
      scopeReference: `${parent.scopeReference}/${kind.path}/${name}`,
      label: `${parent.label}-${name}`,
      dependsOn:
        typeof child === "string" ? parent.dependsOn : [...parent.dependsOn, child as unknown as ITerraformDependable],
    },
    MINT,
  );
}

function checkParent(
  parent: GrantTarget<RoleService>,
  kind: ChildKind<RoleService>,
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

/** The init for a target that is a resource of this stack: id from its names, scope from its `id`. */
function fromStackResource<S extends RoleService>(
  { kind, azureType, services }: ResourceTypeInfo<S>,
  resource: NamedResource,
  authorizesData: boolean,
): TargetInit<S> {
  const resourceId = resourceIdOf(resource, azureType, kind);
  return {
    kind,
    resourceId,
    scopeReference: resource.id,
    services,
    tenantId: AzureContext.of(resource).tenantId,
    label: resourceId.name,
    home: resource,
    dataPlane: authorizesData ? { service: resourceId, serviceReference: resource.id } : undefined,
  };
}

/** The init for an existing resource given by id, possibly in another subscription of the tenant. */
function fromExistingId<S extends RoleService>(
  { kind, azureType: type, services }: ResourceTypeInfo<S>,
  scope: IConstruct,
  id: string,
  options: ExistingTargetOptions = {},
  authorizesData = false,
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
    dataPlane: authorizesData ? { service: resourceId, serviceReference: resourceId.id } : undefined,
  };
}

/** The class side of a target for one kind of resource `R`, whose roles are those of `S`. */
export interface TargetClass<S extends RoleService, R extends NamedResource> {
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
 * The base of a target class for one kind of resource; subclasses add its sub-resources.
 * `authorizesData`: the resource grants data access itself (Cosmos DB, Redis, a database server).
 */
export function targetOfKind<S extends RoleService, R extends NamedResource>(
  kind: ResourceTypeInfo<S>,
  authorizesData = false,
): TargetClass<S, R> {
  return class extends GrantTarget<S> {
    static of<T>(this: new (init: TargetInit<S>, mint: typeof MINT) => T, resource: R): T {
      return new this(fromStackResource(kind, resource, authorizesData), MINT);
    }

    static fromId<T>(
      this: new (init: TargetInit<S>, mint: typeof MINT) => T,
      scope: IConstruct,
      id: string,
      options?: ExistingTargetOptions,
    ): T {
      return new this(fromExistingId(kind, scope, id, options, authorizesData), MINT);
    }
  };
}

/** A Key Vault in RBAC mode, or one secret, key or certificate in it; only Key Vault data roles apply. */
export class KeyVaultTarget extends targetOfKind<"Key Vault", KeyVault>(ResourceTypes.keyVault) {
  /** The vault's URI, which SDK clients and Key Vault references use. */
  get vaultUri(): string {
    return `https://${this.resourceId.name}.vault.azure.net/`;
  }

  secret(name: string): GrantTarget<"Key Vault"> {
    return childTarget(this, childKind(ResourceTypes.keyVaultSecret, "secrets"), name);
  }

  key(name: string): GrantTarget<"Key Vault"> {
    return childTarget(this, childKind(ResourceTypes.keyVaultKey, "keys"), name);
  }

  certificate(name: string): GrantTarget<"Key Vault"> {
    return childTarget(this, childKind(ResourceTypes.keyVaultCertificate, "certificates"), name);
  }
}

type StorageChild = StorageContainer | StorageQueue | StorageShare;
const storageParent = (r: ChildResource): ParentReference => {
  const c = r as StorageChild | StorageTable;
  return { id: "storageAccountIdInput" in c ? c.storageAccountIdInput : undefined, name: c.storageAccountNameInput };
};

/** A storage account, or one of its blob containers, queues, tables or file shares. */
export class StorageAccountTarget extends targetOfKind<StorageService, StorageAccount>(ResourceTypes.storageAccount) {
  /** The blob endpoint, which SDK clients connect to with the identity. */
  get blobServiceUri(): string {
    return `https://${this.resourceId.name}.blob.core.windows.net`;
  }

  /** The queue endpoint, for identity-based connections that take a service URI. */
  get queueServiceUri(): string {
    return `https://${this.resourceId.name}.queue.core.windows.net`;
  }

  container(container: string | StorageContainer): GrantTarget<"Storage Blob"> {
    return childTarget(
      this,
      childKind(ResourceTypes.blobContainer, "blobServices/default/containers"),
      container,
      storageParent,
    );
  }

  queue(queue: string | StorageQueue): GrantTarget<"Storage Queue"> {
    return childTarget(
      this,
      childKind(ResourceTypes.storageQueue, "queueServices/default/queues"),
      queue,
      storageParent,
    );
  }

  table(table: string | StorageTable): GrantTarget<"Storage Table"> {
    return childTarget(
      this,
      childKind(ResourceTypes.storageTable, "tableServices/default/tables"),
      table,
      storageParent,
    );
  }

  fileShare(share: string | StorageShare): GrantTarget<"Storage File"> {
    return childTarget(
      this,
      childKind(ResourceTypes.fileShare, "fileServices/default/fileshares"),
      share,
      storageParent,
    );
  }
}

/** A container registry; AcrPull and AcrPush apply. */
export class ContainerRegistryTarget extends targetOfKind<"Container Registry", ContainerRegistry>(
  ResourceTypes.containerRegistry,
) {
  /** The registry's login server, which platforms pull from. */
  get loginServer(): string {
    return `${this.resourceId.name.toLowerCase()}.azurecr.io`;
  }
}

const namespaceParent = (r: ChildResource): ParentReference => ({ id: (r as ServicebusQueue).namespaceIdInput });

/** A Service Bus namespace, or one of its queues or topics. */
export class ServiceBusNamespaceTarget extends targetOfKind<"Service Bus", ServicebusNamespace>(
  ResourceTypes.serviceBusNamespace,
) {
  /** What identity-based clients connect to (`<connection>__fullyQualifiedNamespace`). */
  get fullyQualifiedNamespace(): string {
    return `${this.resourceId.name}.servicebus.windows.net`;
  }

  queue(queue: string | ServicebusQueue): GrantTarget<"Service Bus"> {
    return childTarget(this, childKind(ResourceTypes.serviceBusQueue, "queues"), queue, namespaceParent);
  }

  topic(topic: string | ServicebusTopic): GrantTarget<"Service Bus"> {
    return childTarget(this, childKind(ResourceTypes.serviceBusTopic, "topics"), topic, namespaceParent);
  }
}

/** An Event Hubs namespace, or one event hub in it. */
export class EventHubsNamespaceTarget extends targetOfKind<"Event Hubs", EventhubNamespace>(
  ResourceTypes.eventHubsNamespace,
) {
  get fullyQualifiedNamespace(): string {
    return `${this.resourceId.name}.servicebus.windows.net`;
  }

  eventHub(hub: string | Eventhub): GrantTarget<"Event Hubs"> {
    return childTarget(this, childKind(ResourceTypes.eventHub, "eventhubs"), hub, (r) => ({
      id: (r as Eventhub).namespaceIdInput,
      name: (r as Eventhub).namespaceNameInput,
    }));
  }
}

/** An App Configuration store. */
export class AppConfigurationTarget extends targetOfKind<"App Configuration", AppConfiguration>(
  ResourceTypes.appConfiguration,
) {}

/** An Azure OpenAI / Cognitive Services account. */
export class CognitiveServicesTarget extends targetOfKind<"Cognitive Services", CognitiveAccount>(
  ResourceTypes.cognitiveAccount,
) {}

/** An AKS cluster, for the Kubernetes RBAC data roles. */
export class KubernetesClusterTarget extends targetOfKind<"Kubernetes Service", KubernetesCluster>(
  ResourceTypes.kubernetesCluster,
) {}

/** A subnet, for the platform role a compute's own identity needs to join it (Network Contributor). */
export class SubnetTarget extends GrantTarget<"Network"> {
  static of(subnet: Subnet): SubnetTarget {
    const network = ResourceId.fromNames(subnet, {
      subscriptionId: AzureContext.of(subnet).subscriptionId,
      resourceGroup: knownName(subnet, subnet.resourceGroupNameInput ?? ""),
      type: "Microsoft.Network/virtualNetworks",
      name: knownName(subnet, subnet.virtualNetworkNameInput ?? ""),
    });
    const resourceId = requireAzureNames(subnet, network.child("subnets", knownName(subnet, subnet.nameInput ?? "")));
    const { kind, services } = ResourceTypes.subnet;
    return new SubnetTarget(
      {
        kind,
        resourceId,
        scopeReference: subnet.id,
        services,
        tenantId: AzureContext.of(subnet).tenantId,
        label: resourceId.name,
        home: subnet,
      },
      MINT,
    );
  }

  static fromId(scope: IConstruct, id: string, options?: ExistingTargetOptions): SubnetTarget {
    return new SubnetTarget(fromExistingId(ResourceTypes.subnet, scope, id, options), MINT);
  }
}

/** A private DNS zone, for the platform role a compute's own identity needs to write its records. */
export class PrivateDnsZoneTarget extends targetOfKind<"Network", PrivateDnsZone>(ResourceTypes.privateDnsZone) {}

/** A user-assigned identity as a target, for the control-plane roles on it (Managed Identity Operator). */
export class ManagedIdentityTarget extends GrantTarget<"Managed Identity"> {
  static of(identity: IUserAssignedIdentity): ManagedIdentityTarget {
    return new ManagedIdentityTarget(
      {
        kind: ResourceTypes.userAssignedIdentity.kind,
        resourceId: identity.principalResourceId,
        scopeReference: identity.id,
        services: ResourceTypes.userAssignedIdentity.services,
        tenantId: identity.tenantId,
        label: identity.principalResourceId.name,
        home: identity,
      },
      MINT,
    );
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
