import { defineService, notApplicable } from "../azure/contract";
import { acceptsKeys, type KeyMigration } from "../azure/contract/keys";
import { PUBLIC_ACCESS_DISABLED } from "../azure/contract/network";
import { role } from "../azure/role-catalog";
import { MESSAGING_ENTITY } from "../azure/azure-names";
import type { ByTier } from "../azure/contract/audit";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { ServicebusQueue } from "@cdktf/provider-azurerm/lib/servicebus-queue";
import { ServicebusTopic } from "@cdktf/provider-azurerm/lib/servicebus-topic";
import { ChildResource, childTarget, GrantTarget, ParentReference, targetOfKind } from "../grants/targets";
import { functionsConnection, IdentityConnection } from "../grants/identity-connection";

const ENTITY_NAME = {
  min: 1,
  max: 260,
  pattern: MESSAGING_ENTITY,
  text:
    "letters, digits, periods, hyphens and underscores; starts and ends with a letter or digit " +
    "(Azure also allows / in these names, but this library refuses it: a / would change the shape of the resource id)",
};

/** Service Bus and Event Hubs (one messaging runtime) record data access here, on the Premium tier only. */
const RUNTIME_AUDIT = { table: "AZMSRunTimeAuditLogs", category: "RuntimeAuditLogs" };

/** Service Bus and Event Hubs (one messaging runtime) record data access (RuntimeAuditLogs) on the Premium tier only. */
export const messagingLogs = (kind: string): ByTier => ({
  premium: {
    kind,
    categories: [RUNTIME_AUDIT.category],
    destinationType: "Dedicated",
    // AuthKey is the caller's application (client) id for Entra callers.
    log: { table: RUNTIME_AUDIT.table, callerIs: "AuthKey == {appId}", operation: "ActivityName" },
  },
  otherTiers: {
    kind,
    categories: ["OperationalLogs"],
    destinationType: "Dedicated",
    gap: `below the Premium tier a ${kind} records management operations only, not who sent or received messages (RuntimeAuditLogs is Premium only)`,
  },
});

/**
 * A messaging namespace's migration off its SAS keys. The runtime audit log's AuthType is "SAS" for
 * a shared access signature (service-bus-messaging/monitor-service-bus-reference: "SAS | AAD";
 * event-hubs/monitor-event-hubs-reference: "SAS | Azure Active Directory"); AuthKey then names the
 * policy. The log is Premium only (Event Hubs: Premium and Dedicated): below it the table stays
 * empty and proves nothing, which the contract cannot yet say per tier.
 */
export const messagingKeyMigration = (tokenResource: KeyMigration["tokenResource"], revoke: string): KeyMigration => ({
  tokenResource,
  keyUse: [{ table: RUNTIME_AUDIT.table, categories: [RUNTIME_AUDIT.category], keyBased: 'AuthType has "SAS"' }],
  revoke,
});

const SERVICE_BUS_READ = [
  "Microsoft.ServiceBus/*/queues/read",
  "Microsoft.ServiceBus/*/topics/read",
  "Microsoft.ServiceBus/*/topics/subscriptions/read",
];

/** Service Bus: everything the library knows about it. */
export const serviceBus = defineService({
  name: "Service Bus",
  namespaces: ["Microsoft.ServiceBus"],
  resourceTypes: {
    namespace: {
      kind: "Service Bus namespace",
      azureType: "Microsoft.ServiceBus/namespaces",
      terraformType: "azurerm_servicebus_namespace",
      services: ["Service Bus"],
      id: "inResourceGroup",
      // The "-sb"/"-mgmt" ending is from Service Bus's own create-namespace pages (portal quickstart);
      // resource-name-rules does not mention it, but does not contradict it either.
      name: {
        min: 6,
        max: 50,
        pattern: /^(?!.*-(?:[Ss][Bb]|[Mm][Gg][Mm][Tt])$)[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        text: 'letters, digits and hyphens; starts with a letter; ends with a letter or digit; does not end in "-sb" or "-mgmt"',
      },
    },
    queue: {
      kind: "Service Bus queue",
      azureType: "Microsoft.ServiceBus/namespaces/queues",
      terraformType: "azurerm_servicebus_queue",
      services: ["Service Bus"],
      id: { parentId: "namespace_id", path: "queues" },
      name: ENTITY_NAME,
    },
    topic: {
      kind: "Service Bus topic",
      azureType: "Microsoft.ServiceBus/namespaces/topics",
      terraformType: "azurerm_servicebus_topic",
      services: ["Service Bus"],
      id: { parentId: "namespace_id", path: "topics" },
      name: ENTITY_NAME,
    },
  },
  roles: {
    // built-in-roles/integration
    ServiceBusDataReceiver: role(
      "Azure Service Bus Data Receiver",
      "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
      "Service Bus",
      "data",
      { actions: SERVICE_BUS_READ, dataActions: ["Microsoft.ServiceBus/*/receive/action"] },
    ),
    ServiceBusDataSender: role(
      "Azure Service Bus Data Sender",
      "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
      "Service Bus",
      "data",
      { actions: SERVICE_BUS_READ, dataActions: ["Microsoft.ServiceBus/*/send/action"] },
    ),
    ServiceBusDataOwner: role(
      "Azure Service Bus Data Owner",
      "090c5cfd-751d-490a-894a-3ce6f1109419",
      "Service Bus",
      "data",
      { actions: ["Microsoft.ServiceBus/*"], dataActions: ["Microsoft.ServiceBus/*"] },
      { broad: true },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    // The namespace's switch covers its queues' and topics' policies too; an entity has none of its own.
    localAuth: {
      azurerm_servicebus_namespace: (c) =>
        c.local_auth_enabled === false
          ? undefined
          : acceptsKeys(
              "namespace still accepts shared access signatures (SAS) of its own and its queues' and topics' policies",
              "set local_auth_enabled = false",
            ),
    },
    migration: {
      azurerm_servicebus_namespace: messagingKeyMigration(
        // Tokens for https://servicebus.azure.net: the Microsoft.ServiceBus application.
        { appId: "80a10ef9-8168-493d-abf9-3297c4ef6e3c", displayName: "Microsoft.ServiceBus" },
        "regenerate the primary and secondary keys of every shared access policy, the namespace's (RootManageSharedAccessKey among them) and each queue's and topic's, or delete the policies: connection strings and SAS tokens signed with them stop working",
      ),
    },
    secretAttributes: {
      azurerm_servicebus_namespace:
        "default_primary_connection_string default_primary_key default_secondary_connection_string default_secondary_key",
      "data.azurerm_servicebus_namespace":
        "default_primary_connection_string default_primary_key default_secondary_connection_string default_secondary_key",
    },
  },
  audit: { resources: [{ types: ["Microsoft.ServiceBus/namespaces"], logs: messagingLogs("Service Bus namespace") }] },
  network: {
    privateDnsZones: { namespace: "privatelink.servicebus.windows.net" },
    targets: [
      {
        terraformType: "azurerm_servicebus_namespace",
        privateLinkGroup: "namespace",
        serviceEndpoint: "Microsoft.ServiceBus",
        refuses: (config, json) => {
          const rules = json.block(config.network_rule_set);
          // The rule set has a public access switch of its own.
          if (json.bool(rules?.public_network_access_enabled) === false) return PUBLIC_ACCESS_DISABLED;
          if (rules?.default_action !== "Deny") return undefined;
          return {
            refusal: "its network_rule_set denies by default",
            ruleSubnets: json.list(rules.network_rules).map((r) => json.block(r)?.subnet_id),
            ipRules: json.list(rules.ip_rules).length,
          };
        },
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_servicebus_namespace"],
    computed: { azurerm_servicebus_namespace: ["endpoint"] },
    values: { azurerm_servicebus_namespace: { endpoint: (_, r) => `https://${r.name}.servicebus.windows.net:443/` } },
    names: {
      "Microsoft.ServiceBus/namespaces": "mock-namespace",
      "Microsoft.ServiceBus/namespaces/queues": "mock-queue",
    },
  },
});

// @targets
const namespaceParent = (r: ChildResource): ParentReference => ({ id: (r as ServicebusQueue).namespaceIdInput });

/** A Service Bus namespace, or one of its queues or topics. */
export class ServiceBusNamespaceTarget extends targetOfKind<"Service Bus", ServicebusNamespace>(
  serviceBus.resourceTypes.namespace,
  serviceBus,
) {
  /** What identity-based clients connect to (`<connection>__fullyQualifiedNamespace`). */
  get fullyQualifiedNamespace(): string {
    return `${this.resourceId.name}.servicebus.windows.net`;
  }

  queue(queue: string | ServicebusQueue): GrantTarget<"Service Bus"> {
    return childTarget(this, serviceBus.resourceTypes.queue, queue, namespaceParent);
  }

  topic(topic: string | ServicebusTopic): GrantTarget<"Service Bus"> {
    return childTarget(this, serviceBus.resourceTypes.topic, topic, namespaceParent);
  }
}

/** Connections.serviceBus: the namespace, as Functions' Service Bus trigger and the SDK take it. */
export const serviceBusConnection = (name: string, namespace: ServiceBusNamespaceTarget): IdentityConnection =>
  functionsConnection(name, { fullyQualifiedNamespace: namespace.fullyQualifiedNamespace });
