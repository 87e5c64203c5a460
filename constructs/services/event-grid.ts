import { defineService, notApplicable } from "../azure/contract";
import { acceptsKeys, type KeyJudge, type KeyMigration } from "../azure/contract/keys";
import { role } from "../azure/role-catalog";
import { EventgridTopic } from "@cdktf/provider-azurerm/lib/eventgrid-topic";
import { EventgridDomain } from "@cdktf/provider-azurerm/lib/eventgrid-domain";
import { IdentityConfigError } from "../core/errors";
import { GrantTarget, targetOfKind } from "../grants/targets";
import { functionsConnection, IdentityConnection } from "../grants/identity-connection";

const TOPIC_OR_DOMAIN_NAME = {
  kind: "Event Grid topic or domain",
  min: 3,
  max: 50,
  pattern: /^[A-Za-z0-9-]+$/,
  text: "letters, digits and hyphens",
};

/** Topics and domains alike: their local-auth switch. */
const localAuth: KeyJudge = (c) =>
  c.local_auth_enabled === false
    ? undefined
    : acceptsKeys("endpoint still accepts access keys and SAS tokens", "set local_auth_enabled = false");

/** Topics and domains alike: publishers' tokens are for https://eventgrid.azure.net (its app id unverified in Microsoft's docs). */
const KEY_MIGRATION: KeyMigration = {
  tokenResource: { appId: "823c0a78-5de0-4445-a7f5-c2f42d7dc89b", displayName: "EventGrid Data API" },
  // azure-monitor/reference/tables/aegdataplanerequests: Authentication is Key (the access key), SASToken
  // (a SAS signed with it), AADAccessToken or Unknown; rows count requests per minute (TotalOperations).
  keyUse: [
    {
      table: "AegDataPlaneRequests",
      categories: ["DataPlaneRequests"],
      keyBased: 'Authentication in ("Key", "SASToken")',
    },
  ],
  revoke: "regenerate both access keys (key1 and key2): SAS tokens signed with them stop working",
};

/** Event Grid: everything the library knows about it. */
export const eventGrid = defineService({
  name: "Event Grid",
  namespaces: ["Microsoft.EventGrid"],
  resourceTypes: {
    topic: {
      kind: "Event Grid topic",
      azureType: "Microsoft.EventGrid/topics",
      terraformType: "azurerm_eventgrid_topic",
      services: ["Event Grid"],
      id: "inResourceGroup",
      name: TOPIC_OR_DOMAIN_NAME,
    },
    domain: {
      kind: "Event Grid domain",
      azureType: "Microsoft.EventGrid/domains",
      terraformType: "azurerm_eventgrid_domain",
      services: ["Event Grid"],
      id: "inResourceGroup",
      name: TOPIC_OR_DOMAIN_NAME,
    },
  },
  roles: {
    // built-in-roles/integration
    EventGridDataSender: role("EventGrid Data Sender", "d5a91429-5739-47e2-a06b-3470a27159e7", "Event Grid", "data", {
      actions: [
        "Microsoft.Authorization/*/read",
        "Microsoft.EventGrid/topics/read",
        "Microsoft.EventGrid/domains/read",
        "Microsoft.EventGrid/partnerNamespaces/read",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.EventGrid/namespaces/read",
      ],
      dataActions: ["Microsoft.EventGrid/events/send/action"],
    }),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: { azurerm_eventgrid_topic: localAuth, azurerm_eventgrid_domain: localAuth },
    secretAttributes: {
      azurerm_eventgrid_domain: "primary_access_key secondary_access_key",
      azurerm_eventgrid_topic: "primary_access_key secondary_access_key",
      "data.azurerm_eventgrid_domain": "primary_access_key secondary_access_key",
      "data.azurerm_eventgrid_topic": "primary_access_key secondary_access_key",
    },
    migration: { azurerm_eventgrid_topic: KEY_MIGRATION, azurerm_eventgrid_domain: KEY_MIGRATION },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.EventGrid/topics", "Microsoft.EventGrid/domains"],
        logs: {
          kind: "Event Grid topic",
          categories: ["DataPlaneRequests"],
          destinationType: "Dedicated",
          gap: "AegDataPlaneRequests counts publish requests per minute by authentication type and client IP, not which identity published",
        },
      },
    ],
  },
  network: {
    privateDnsZones: { topic: "privatelink.eventgrid.azure.net", domain: "privatelink.eventgrid.azure.net" },
    targets: [
      { terraformType: "azurerm_eventgrid_topic", privateLinkGroup: "topic" },
      { terraformType: "azurerm_eventgrid_domain", privateLinkGroup: "domain" },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_eventgrid_domain", "azurerm_eventgrid_topic"],
  },
});

// @targets
/** Where an Event Grid topic or domain accepts events; known to Terraform only for a resource of this stack. */
function endpointOf(target: GrantTarget<"Event Grid">): string {
  const home = target.home;
  if (home instanceof EventgridTopic || home instanceof EventgridDomain) return home.endpoint;
  throw new IdentityConfigError(target.label, {
    problem: `The endpoint of ${target.kind} ${target.label} is regional and known only to the stack that creates it`,
    value: target.resourceId.id,
    fix: "set `<connection>__topicEndpointUri` to its endpoint (`az eventgrid topic show --query endpoint`) in the app's settings",
  });
}

/** An Event Grid custom topic: publishers hold EventGrid Data Sender on it. */
export class EventGridTopicTarget extends targetOfKind<"Event Grid", EventgridTopic>(
  eventGrid.resourceTypes.topic,
  eventGrid,
) {
  get endpoint(): string {
    return endpointOf(this);
  }
}

/** An Event Grid domain: publishers hold EventGrid Data Sender on it. */
export class EventGridDomainTarget extends targetOfKind<"Event Grid", EventgridDomain>(
  eventGrid.resourceTypes.domain,
  eventGrid,
) {
  get endpoint(): string {
    return endpointOf(this);
  }
}

/** Connections.eventGrid: the endpoint, as Functions' Event Grid output binding takes it. */
export const eventGridConnection = (
  name: string,
  topic: EventGridTopicTarget | EventGridDomainTarget,
): IdentityConnection => functionsConnection(name, { topicEndpointUri: topic.endpoint }, false);
