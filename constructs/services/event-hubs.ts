import { defineService, notApplicable } from "../azure/contract";
import { role } from "../azure/role-catalog";
import { LETTER_FIRST_HYPHENS, MESSAGING_ENTITY } from "../azure/azure-names";
import { acceptsKeys } from "../azure/contract/keys";
import { messagingKeyMigration, messagingLogs } from "./service-bus";
import { EventhubNamespace } from "@cdktf/provider-azurerm/lib/eventhub-namespace";
import { Eventhub } from "@cdktf/provider-azurerm/lib/eventhub";
import { childTarget, GrantTarget, targetOfKind } from "../grants/targets";
import { functionsConnection, IdentityConnection } from "../grants/identity-connection";

/** Event Hubs: everything the library knows about it. */
export const eventHubs = defineService({
  name: "Event Hubs",
  namespaces: ["Microsoft.EventHub"],
  resourceTypes: {
    namespace: {
      kind: "Event Hubs namespace",
      azureType: "Microsoft.EventHub/namespaces",
      terraformType: "azurerm_eventhub_namespace",
      services: ["Event Hubs"],
      id: "inResourceGroup",
      name: {
        min: 6,
        max: 50,
        pattern: LETTER_FIRST_HYPHENS,
        text: "letters, digits and hyphens; starts with a letter; ends with a letter or digit",
      },
    },
    eventHub: {
      kind: "event hub",
      azureType: "Microsoft.EventHub/namespaces/eventhubs",
      terraformType: "azurerm_eventhub",
      services: ["Event Hubs"],
      id: { parentId: "namespace_id", path: "eventhubs" },
      name: {
        min: 1,
        max: 256,
        pattern: MESSAGING_ENTITY,
        text: "letters, digits, periods, hyphens and underscores; starts and ends with a letter or digit",
      },
    },
  },
  roles: {
    // built-in-roles/analytics
    EventHubsDataReceiver: role(
      "Azure Event Hubs Data Receiver",
      "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
      "Event Hubs",
      "data",
      {
        actions: ["Microsoft.EventHub/*/eventhubs/consumergroups/read"],
        dataActions: ["Microsoft.EventHub/*/receive/action"],
      },
    ),
    EventHubsDataSender: role(
      "Azure Event Hubs Data Sender",
      "2b629674-e913-4c01-ae53-ef4638d8f975",
      "Event Hubs",
      "data",
      { actions: ["Microsoft.EventHub/*/eventhubs/read"], dataActions: ["Microsoft.EventHub/*/send/action"] },
    ),
    EventHubsDataOwner: role(
      "Azure Event Hubs Data Owner",
      "f526a384-b230-433a-b45c-95f59c4a2dec",
      "Event Hubs",
      "data",
      { actions: ["Microsoft.EventHub/*"], dataActions: ["Microsoft.EventHub/*"] },
      { broad: true },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    // The namespace's switch covers its event hubs' policies too; an event hub has none of its own.
    localAuth: {
      azurerm_eventhub_namespace: (c) =>
        c.local_authentication_enabled === false
          ? undefined
          : acceptsKeys(
              "namespace still accepts shared access signatures (SAS) of its own and its event hubs' policies",
              "set local_authentication_enabled = false",
            ),
    },
    migration: {
      azurerm_eventhub_namespace: messagingKeyMigration(
        // Tokens for https://eventhubs.azure.net: the Microsoft.EventHubs application.
        { appId: "80369ed6-5f11-4dd9-bef3-692475845e77", displayName: "Microsoft.EventHubs" },
        "regenerate the primary and secondary keys of every shared access policy, the namespace's (RootManageSharedAccessKey among them) and each event hub's, or delete the policies: connection strings and SAS tokens signed with them stop working",
      ),
    },
    secretAttributes: {
      azurerm_eventhub_namespace:
        "default_primary_connection_string default_primary_connection_string_alias default_primary_key default_secondary_connection_string default_secondary_connection_string_alias default_secondary_key",
      "data.azurerm_eventhub_namespace":
        "default_primary_connection_string default_primary_connection_string_alias default_primary_key default_secondary_connection_string default_secondary_connection_string_alias default_secondary_key",
    },
  },
  audit: { resources: [{ types: ["Microsoft.EventHub/namespaces"], logs: messagingLogs("Event Hubs namespace") }] },
  network: {
    privateDnsZones: { namespace: "privatelink.servicebus.windows.net" },
    targets: [{ terraformType: "azurerm_eventhub_namespace", privateLinkGroup: "namespace" }],
  },
  mocks: {
    identityBlock: ["azurerm_eventhub_namespace"],
    names: { "Microsoft.EventHub/namespaces": "mock-namespace" },
  },
});

// @targets
/** An Event Hubs namespace, or one event hub in it. */
export class EventHubsNamespaceTarget extends targetOfKind<"Event Hubs", EventhubNamespace>(
  eventHubs.resourceTypes.namespace,
  eventHubs,
) {
  get fullyQualifiedNamespace(): string {
    return `${this.resourceId.name}.servicebus.windows.net`;
  }

  eventHub(hub: string | Eventhub): GrantTarget<"Event Hubs"> {
    return childTarget(this, eventHubs.resourceTypes.eventHub, hub, (r) => ({
      id: (r as Eventhub).namespaceIdInput,
      name: (r as Eventhub).namespaceNameInput,
    }));
  }
}

/** Connections.eventHubs: the namespace, as Functions' Event Hubs trigger and the SDK take it. */
export const eventHubsConnection = (name: string, namespace: EventHubsNamespaceTarget): IdentityConnection =>
  functionsConnection(name, { fullyQualifiedNamespace: namespace.fullyQualifiedNamespace });
