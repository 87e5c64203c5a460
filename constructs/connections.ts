import { IManagedIdentity, IUserAssignedIdentity } from "./identity";
import { EventHubsNamespaceTarget, ServiceBusNamespaceTarget, StorageAccountTarget } from "./targets";

/**
 * An identity-based connection an app (a Functions trigger, an SDK client factory) reads from its
 * settings as `<name>__<property>`: the endpoint only, never a connection string or key.
 */
export interface IdentityConnection {
  readonly name: string;
  readonly properties: Readonly<Record<string, string>>;
}

export const Connections = {
  /** A Service Bus trigger or client: `<name>__fullyQualifiedNamespace`. */
  serviceBus: (name: string, namespace: ServiceBusNamespaceTarget): IdentityConnection => ({
    name,
    properties: { fullyQualifiedNamespace: namespace.fullyQualifiedNamespace },
  }),
  /** An Event Hubs trigger or client: `<name>__fullyQualifiedNamespace`. */
  eventHubs: (name: string, namespace: EventHubsNamespaceTarget): IdentityConnection => ({
    name,
    properties: { fullyQualifiedNamespace: namespace.fullyQualifiedNamespace },
  }),
  /** A storage queue trigger or client: `<name>__queueServiceUri`. */
  storageQueues: (name: string, account: StorageAccountTarget): IdentityConnection => ({
    name,
    properties: { queueServiceUri: account.queueServiceUri },
  }),
};

/** The settings for a connection; a user-assigned identity must be named, or the SDK uses the system one. */
export function connectionSettings(connection: IdentityConnection, identity: IManagedIdentity): Record<string, string> {
  const properties: Record<string, string> = { ...connection.properties };
  if (identity.kind === "UserAssigned") {
    properties.credential = "managedidentity";
    properties.clientId = (identity as IUserAssignedIdentity).clientId;
  }
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [`${connection.name}__${key}`, value]));
}
