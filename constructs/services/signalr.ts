import { defineService, notApplicable } from "../azure/contract";
import { acceptsKeys, type KeyJudge, type KeyMigration } from "../azure/contract/keys";
import type { AuditNeeds } from "../azure/contract/audit";
import type { JsonConfig, JsonReader, Refusal } from "../azure/contract/network";
import type { MockWorld } from "../azure/contract/mocks";
import { role } from "../azure/role-catalog";
import { SignalrService } from "@cdktf/provider-azurerm/lib/signalr-service";
import { WebPubsub } from "@cdktf/provider-azurerm/lib/web-pubsub";
import { targetOfKind } from "../grants/targets";

// resource-name-rules and the REST API's resourceName pattern ^[a-zA-Z][a-zA-Z0-9-]{1,61}[a-zA-Z0-9]$, both types.
const SERVICE_NAME = {
  min: 3,
  max: 63,
  pattern: /^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/,
  text: "letters, digits and hyphens; starts with a letter and ends with a letter or digit",
};

const SIGNALR = "Microsoft.SignalRService/SignalR";

/** Both types: Entra tokens must be accepted (aad_auth_enabled) and access keys refused (local_auth_enabled); azurerm defaults both to true. */
const localAuth: KeyJudge = (c) => {
  // On only when absent (the default), true or "true": "false", 0 or a reference may turn it off.
  if (c.aad_auth_enabled !== undefined && c.aad_auth_enabled !== true && c.aad_auth_enabled !== "true")
    return {
      problem: "the service does not accept Microsoft Entra tokens, so the role grants nothing",
      fix: "set aad_auth_enabled = true",
    };
  return c.local_auth_enabled === false
    ? undefined
    : acceptsKeys("service still accepts its access keys", "set local_auth_enabled = false");
};

/**
 * Both types: one Entra application stands behind https://signalr.azure.com and https://webpubsub.azure.com
 * (Microsoft's docs name the audiences, not its app id).
 */
const KEY_MIGRATION: KeyMigration = {
  tokenResource: { appId: "cdad765c-f191-43ba-b9f5-7aef392f811d", displayName: "Azure SignalR Service" },
  // azure-monitor/reference/tables/signalrservicediagnosticlogs and webpubsubhttprequest: no authentication type.
  keyUse: {
    gap: "SignalR and Web PubSub log connections, messages and REST calls with no sign of whether an access key or an Entra token authorized them",
  },
  revoke:
    "regenerate both access keys: connection strings holding them stop working, and client tokens the app server signed with them no longer validate",
};

/** The request types a server's identity sends: its server connections and REST API calls (clients connect with tokens it mints). */
const SERVER_REQUESTS = ["ServerConnection", "RESTAPI"];

/**
 * A network ACL resource (`aclType`, naming the service by `field`) admitting none of a server's
 * requests from the public network. Azure's default ACL denies by default and allows every
 * request type publicly, so only the public_network block's types decide.
 */
const aclRefusal =
  (aclType: string, field: string) =>
  (_: JsonConfig, json: JsonReader): Refusal | undefined => {
    const acl = json.attached(aclType, field)[0];
    if (!acl) return undefined;
    // Required on SignalR's ACL; Deny when unset on Web PubSub's.
    const action = acl.default_action ?? "Deny";
    const publicNetwork = json.block(acl.public_network);
    const listed = json.list(
      action === "Deny" ? publicNetwork?.allowed_request_types : publicNetwork?.denied_request_types,
    );
    if ((action !== "Deny" && action !== "Allow") || listed.some((t) => typeof t !== "string" || t.includes("${")))
      return undefined;
    const admitted = SERVER_REQUESTS.filter((t) => listed.includes(t) === (action === "Deny"));
    return admitted.length > 0
      ? undefined
      : {
          refusal: `its ${aclType} admits none of a server's requests (${SERVER_REQUESTS.join(", ")}) from the public network`,
        };
  };

/**
 * azurerm 4.55 signalr_service_resource.go sends connectivity_logs_enabled, messaging_logs_enabled
 * and http_request_logs_enabled as false unless set: the AllLogs setting then receives nothing.
 * Connection logs are the least that says who connected; a value known only at apply is not counted.
 */
const CONNECTIVITY_LOGS: AuditNeeds = {
  fix: "set connectivity_logs_enabled = true on the azurerm_signalr_service",
  unmet: (_, service) =>
    [true, "true"].includes(service?.config.connectivity_logs_enabled as boolean | string)
      ? []
      : [
          "its connectivity_logs_enabled is not set to true (azurerm sends false), so the service emits no connection log to send",
        ],
};

const hostname = (suffix: string) => (_: MockWorld, r: { name: string }) => `${r.name}.${suffix}`;

/** SignalR Service and Web PubSub: one resource provider, two resource types, each with its own data roles. */
export const signalR = defineService({
  name: "SignalR and Web PubSub",
  namespaces: ["Microsoft.SignalRService"],
  resourceTypes: {
    signalR: {
      kind: "SignalR service",
      azureType: "Microsoft.SignalRService/signalR",
      terraformType: "azurerm_signalr_service",
      services: ["SignalR"],
      id: "inResourceGroup",
      name: SERVICE_NAME,
    },
    webPubSub: {
      kind: "Web PubSub service",
      azureType: "Microsoft.SignalRService/webPubSub",
      terraformType: "azurerm_web_pubsub",
      services: ["Web PubSub"],
      id: "inResourceGroup",
      name: SERVICE_NAME,
    },
  },
  roles: {
    // built-in-roles/web-and-mobile
    SignalRAppServer: role("SignalR App Server", "420fcaa2-552c-430f-98ca-3264be4806c7", "SignalR", "data", {
      dataActions: [
        `${SIGNALR}/auth/accessKey/action`,
        `${SIGNALR}/serverConnection/write`,
        `${SIGNALR}/clientConnection/write`,
      ],
    }),
    SignalRRestApiOwner: role("SignalR REST API Owner", "fd53cd77-2268-407a-8f46-7e7863d0f521", "SignalR", "data", {
      dataActions: [
        `${SIGNALR}/auth/clientToken/action`,
        `${SIGNALR}/hub/*`,
        `${SIGNALR}/group/*`,
        `${SIGNALR}/clientConnection/*`,
        `${SIGNALR}/user/*`,
      ],
    }),
    SignalRRestApiReader: role("SignalR REST API Reader", "ddde6b66-c0df-4114-a159-3618637b3035", "SignalR", "data", {
      dataActions: [`${SIGNALR}/group/read`, `${SIGNALR}/clientConnection/read`, `${SIGNALR}/user/read`],
    }),
    SignalRServiceOwner: role(
      "SignalR Service Owner",
      "7e4f1700-ea5a-4f59-8f37-079cfe29dce3",
      "SignalR",
      "data",
      { dataActions: [`${SIGNALR}/*`] },
      { broad: true },
    ),
    // Every data action, Auth API (client tokens) included: the role an upstream server needs.
    WebPubSubServiceOwner: role(
      "Web PubSub Service Owner",
      "12cf5a90-567b-43ae-8102-96cf46c7d9b4",
      "Web PubSub",
      "data",
      { dataActions: ["Microsoft.SignalRService/WebPubSub/*"] },
      { broad: true },
    ),
    WebPubSubServiceReader: role(
      "Web PubSub Service Reader",
      "bfb1c7d2-fb1a-466b-b2ba-aee63b92deaf",
      "Web PubSub",
      "data",
      {
        dataActions: ["Microsoft.SignalRService/WebPubSub/*/read"],
      },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: { azurerm_signalr_service: localAuth, azurerm_web_pubsub: localAuth },
    secretAttributes: {
      azurerm_signalr_service:
        "primary_access_key primary_connection_string secondary_access_key secondary_connection_string",
      azurerm_web_pubsub:
        "primary_access_key primary_connection_string secondary_access_key secondary_connection_string",
      "data.azurerm_signalr_service":
        "primary_access_key primary_connection_string secondary_access_key secondary_connection_string",
      "data.azurerm_web_pubsub":
        "primary_access_key primary_connection_string secondary_access_key secondary_connection_string",
    },
    migration: { azurerm_signalr_service: KEY_MIGRATION, azurerm_web_pubsub: KEY_MIGRATION },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.SignalRService/signalR"],
        logs: {
          kind: "SignalR service",
          categories: ["AllLogs"],
          destinationType: "Dedicated",
          gap: "SignalRServiceDiagnosticLogs records connections and messages by connection, hub and the app's own user id, not which Entra identity called",
          needs: CONNECTIVITY_LOGS,
        },
      },
      {
        types: ["Microsoft.SignalRService/webPubSub"],
        logs: {
          kind: "Web PubSub service",
          categories: ["ConnectivityLogs", "MessagingLogs", "HttpRequestLogs"],
          destinationType: "Dedicated",
          gap: "WebPubSubHttpRequest records REST calls by client IP, URL and status, and the connectivity and messaging logs by connection and the app's own user id, not which Entra identity called",
        },
      },
    ],
  },
  network: {
    privateDnsZones: { signalr: "privatelink.service.signalr.net", webpubsub: "privatelink.webpubsub.azure.com" },
    targets: [
      {
        terraformType: "azurerm_signalr_service",
        privateLinkGroup: "signalr",
        refuses: aclRefusal("azurerm_signalr_service_network_acl", "signalr_service_id"),
      },
      {
        terraformType: "azurerm_web_pubsub",
        privateLinkGroup: "webpubsub",
        refuses: aclRefusal("azurerm_web_pubsub_network_acl", "web_pubsub_id"),
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_signalr_service", "azurerm_web_pubsub"],
    computed: { azurerm_signalr_service: ["hostname"], azurerm_web_pubsub: ["hostname"] },
    values: {
      azurerm_signalr_service: { hostname: hostname("service.signalr.net") },
      azurerm_web_pubsub: { hostname: hostname("webpubsub.azure.com") },
    },
    names: {
      "Microsoft.SignalRService/signalR": "mock-signalr",
      "Microsoft.SignalRService/webPubSub": "mock-webpubsub",
    },
  },
});

// @targets
/**
 * An Azure SignalR Service: app servers hold SignalR App Server, REST API callers SignalR REST
 * API Owner or Reader. Roles scope to the resource, not to a hub.
 */
export class SignalRServiceTarget extends targetOfKind<"SignalR", SignalrService>(
  signalR.resourceTypes.signalR,
  signalR,
) {
  /** The endpoint a server SDK connects to with the identity (`Endpoint=...;AuthType=azure.msi`). */
  get endpoint(): string {
    return `https://${this.resourceId.name}.service.signalr.net`;
  }
}

/**
 * An Azure Web PubSub service: its upstream server holds Web PubSub Service Owner (the only role
 * that mints client tokens), a read-only monitor Web PubSub Service Reader. Roles scope to the
 * resource, not to a hub.
 */
export class WebPubSubTarget extends targetOfKind<"Web PubSub", WebPubsub>(signalR.resourceTypes.webPubSub, signalR) {
  /** The endpoint the service SDK's client takes with a token credential. */
  get endpoint(): string {
    return `https://${this.resourceId.name}.webpubsub.azure.com`;
  }
}
