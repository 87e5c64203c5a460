import { IConstruct } from "constructs";
import { IdentityConfigError } from "./errors";

/** The service whose data a role reaches; a grant target accepts only its own services' roles. */
export type RoleService =
  | "Key Vault"
  | "Storage Blob"
  | "Storage Queue"
  | "Storage Table"
  | "Storage File"
  | "Container Registry"
  | "Service Bus"
  | "Event Hubs"
  | "App Configuration"
  | "Cognitive Services"
  | "Kubernetes Service"
  | "Cosmos DB"
  | "Azure SQL"
  | "PostgreSQL"
  | "Redis"
  | "Application Insights"
  | "Event Grid"
  | "Search"
  | "Managed Identity"
  | "Network"
  | "Any resource";

/**
 * - `data`: reaches the service's data (secrets, blobs, messages), not the resource itself;
 * - `control`: manages or reads the resource through Azure Resource Manager;
 * - `platform`: what a platform's own identity needs to run a compute (AKS joining its nodes to a
 *   subnet); held only by that identity, on what that compute is configured to use;
 * - `privileged`: can change the resource or hand out access; refused for workloads unless justified.
 */
export type RolePlane = "data" | "control" | "platform" | "privileged";

/**
 * Who authorizes the role's data access: Azure RBAC (`azurerm_role_assignment`), or the service's
 * own data plane, where an Azure role assignment grants no data at all: Cosmos DB's SQL role
 * assignments, Redis access policies, and users inside an Azure SQL or PostgreSQL database.
 */
export type RoleSystem = "azure-rbac" | "cosmos-db" | "redis" | "azure-sql" | "postgresql";

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
  readonly system: Exclude<RoleSystem, "azure-rbac">;
  /**
   * Its name in the service: a Cosmos DB built-in role definition GUID, a Redis access policy, a
   * database role (Azure SQL), or the table privileges granted (PostgreSQL).
   */
  readonly definition: string;
}

export type RoleDefinition<S extends RoleService = RoleService> = AzureRoleDefinition<S> | DataPlaneRoleDefinition<S>;

type Flags = { broad?: boolean; privilegedUnlessConditioned?: boolean };

function role<S extends RoleService>(
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

function dataPlaneRole<S extends RoleService>(
  system: DataPlaneRoleDefinition["system"],
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

// Common control-plane actions of Microsoft's Key Vault data roles (Reader, Secrets Officer, Administrator).
const KEY_VAULT_READ = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Support/*",
  "Microsoft.KeyVault/checkNameAvailability/read",
  "Microsoft.KeyVault/deletedVaults/read",
  "Microsoft.KeyVault/locations/*/read",
  "Microsoft.KeyVault/vaults/*/read",
  "Microsoft.KeyVault/operations/read",
];
const SERVICE_BUS_READ = [
  "Microsoft.ServiceBus/*/queues/read",
  "Microsoft.ServiceBus/*/topics/read",
  "Microsoft.ServiceBus/*/topics/subscriptions/read",
];
const AKS_READ = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Resources/subscriptions/operationresults/read",
  "Microsoft.Resources/subscriptions/read",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
];
const MANAGED_IDENTITY_COMMON = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Support/*",
];
const STORAGE = "Microsoft.Storage/storageAccounts";
const BLOB = `${STORAGE}/blobServices`;
const QUEUE = `${STORAGE}/queueServices/queues`;
const TABLE = `${STORAGE}/tableServices/tables`;
const FILES = `${STORAGE}/fileServices/fileshares/files`;
const AKS = "Microsoft.ContainerService/managedClusters";
const OPENAI = "Microsoft.CognitiveServices/accounts/OpenAI";
/** An AKS data action per Kubernetes resource path, under the cluster. */
const aks = (paths: readonly string[]) => paths.map((p) => `${AKS}/${p}`);

/**
 * Every built-in role the project uses, by its Azure name. GUIDs and permissions (actions,
 * notActions, dataActions, notDataActions) are each checked against the role's JSON on Microsoft's
 * "Azure built-in roles" pages (learn.microsoft.com/azure/role-based-access-control/built-in-roles/<category>:
 * security, storage, integration, analytics, containers, ai-machine-learning, monitor, identity,
 * networking, general, privileged), in the order Microsoft lists them.
 */
export const Roles = {
  // built-in-roles/security
  KeyVaultSecretsUser: role("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Key Vault", "data", {
    dataActions: [
      "Microsoft.KeyVault/vaults/secrets/getSecret/action",
      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    ],
  }),
  KeyVaultSecretsOfficer: role(
    "Key Vault Secrets Officer",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault",
    "data",
    { actions: KEY_VAULT_READ, dataActions: ["Microsoft.KeyVault/vaults/secrets/*"] },
  ),
  KeyVaultCertificateUser: role(
    "Key Vault Certificate User",
    "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
    "Key Vault",
    "data",
    {
      dataActions: [
        "Microsoft.KeyVault/vaults/certificates/read",
        "Microsoft.KeyVault/vaults/secrets/getSecret/action",
        "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        "Microsoft.KeyVault/vaults/keys/read",
      ],
    },
  ),
  KeyVaultCryptoUser: role("Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424", "Key Vault", "data", {
    dataActions: [
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/update/action",
      "Microsoft.KeyVault/vaults/keys/backup/action",
      "Microsoft.KeyVault/vaults/keys/encrypt/action",
      "Microsoft.KeyVault/vaults/keys/decrypt/action",
      "Microsoft.KeyVault/vaults/keys/wrap/action",
      "Microsoft.KeyVault/vaults/keys/unwrap/action",
      "Microsoft.KeyVault/vaults/keys/sign/action",
      "Microsoft.KeyVault/vaults/keys/verify/action",
    ],
  }),
  KeyVaultCryptoServiceEncryptionUser: role(
    "Key Vault Crypto Service Encryption User",
    "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "Key Vault",
    "data",
    {
      actions: [
        "Microsoft.EventGrid/eventSubscriptions/write",
        "Microsoft.EventGrid/eventSubscriptions/read",
        "Microsoft.EventGrid/eventSubscriptions/delete",
      ],
      dataActions: [
        "Microsoft.KeyVault/vaults/keys/read",
        "Microsoft.KeyVault/vaults/keys/wrap/action",
        "Microsoft.KeyVault/vaults/keys/unwrap/action",
      ],
    },
  ),
  KeyVaultReader: role("Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2", "Key Vault", "data", {
    actions: KEY_VAULT_READ,
    dataActions: ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
  }),
  KeyVaultAdministrator: role(
    "Key Vault Administrator",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault",
    "data",
    { actions: KEY_VAULT_READ, dataActions: ["Microsoft.KeyVault/vaults/*"] },
    { broad: true },
  ),
  // built-in-roles/storage
  StorageBlobDataReader: role(
    "Storage Blob Data Reader",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob",
    "data",
    {
      actions: [`${BLOB}/containers/read`, `${BLOB}/generateUserDelegationKey/action`],
      dataActions: [`${BLOB}/containers/blobs/read`],
    },
  ),
  StorageBlobDataContributor: role(
    "Storage Blob Data Contributor",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob",
    "data",
    {
      actions: [
        `${BLOB}/containers/delete`,
        `${BLOB}/containers/read`,
        `${BLOB}/containers/write`,
        `${BLOB}/generateUserDelegationKey/action`,
      ],
      dataActions: [
        `${BLOB}/containers/blobs/delete`,
        `${BLOB}/containers/blobs/read`,
        `${BLOB}/containers/blobs/write`,
        `${BLOB}/containers/blobs/move/action`,
        `${BLOB}/containers/blobs/add/action`,
      ],
    },
  ),
  StorageBlobDataOwner: role(
    "Storage Blob Data Owner",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Blob",
    "data",
    {
      actions: [`${BLOB}/containers/*`, `${BLOB}/generateUserDelegationKey/action`],
      dataActions: [`${BLOB}/containers/blobs/*`],
    },
    { broad: true },
  ),
  StorageQueueDataReader: role(
    "Storage Queue Data Reader",
    "19e7f393-937e-4f77-808e-94535e297925",
    "Storage Queue",
    "data",
    { actions: [`${QUEUE}/read`], dataActions: [`${QUEUE}/messages/read`] },
  ),
  StorageQueueDataContributor: role(
    "Storage Queue Data Contributor",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "Storage Queue",
    "data",
    {
      actions: [`${QUEUE}/delete`, `${QUEUE}/read`, `${QUEUE}/write`],
      dataActions: [
        `${QUEUE}/messages/delete`,
        `${QUEUE}/messages/read`,
        `${QUEUE}/messages/write`,
        `${QUEUE}/messages/process/action`,
      ],
    },
  ),
  StorageQueueDataMessageSender: role(
    "Storage Queue Data Message Sender",
    "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
    "Storage Queue",
    "data",
    { dataActions: [`${QUEUE}/messages/add/action`] },
  ),
  StorageQueueDataMessageProcessor: role(
    "Storage Queue Data Message Processor",
    "8a0f0c08-91a1-4084-bc3d-661d67233fed",
    "Storage Queue",
    "data",
    { dataActions: [`${QUEUE}/messages/read`, `${QUEUE}/messages/process/action`] },
  ),
  StorageTableDataReader: role(
    "Storage Table Data Reader",
    "76199698-9eea-4c19-bc75-cec21354c6b6",
    "Storage Table",
    "data",
    { actions: [`${TABLE}/read`], dataActions: [`${TABLE}/entities/read`] },
  ),
  StorageTableDataContributor: role(
    "Storage Table Data Contributor",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Storage Table",
    "data",
    {
      actions: [`${TABLE}/read`, `${TABLE}/write`, `${TABLE}/delete`],
      dataActions: [
        `${TABLE}/entities/read`,
        `${TABLE}/entities/write`,
        `${TABLE}/entities/delete`,
        `${TABLE}/entities/add/action`,
        `${TABLE}/entities/update/action`,
      ],
    },
  ),
  StorageFileDataSmbShareReader: role(
    "Storage File Data SMB Share Reader",
    "aba4ae5f-2193-4029-9191-0cb91df5e314",
    "Storage File",
    "data",
    { dataActions: [`${FILES}/read`] },
  ),
  StorageFileDataSmbShareContributor: role(
    "Storage File Data SMB Share Contributor",
    "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb",
    "Storage File",
    "data",
    { dataActions: [`${FILES}/read`, `${FILES}/write`, `${FILES}/delete`] },
  ),
  // built-in-roles/containers
  AcrPull: role("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", "Container Registry", "data", {
    actions: ["Microsoft.ContainerRegistry/registries/pull/read"],
  }),
  AcrPush: role("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", "Container Registry", "data", {
    actions: ["Microsoft.ContainerRegistry/registries/pull/read", "Microsoft.ContainerRegistry/registries/push/write"],
  }),
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
  // built-in-roles/integration
  AppConfigurationDataReader: role(
    "App Configuration Data Reader",
    "516239f1-63e1-4d78-a4de-a74fb236a071",
    "App Configuration",
    "data",
    { dataActions: ["Microsoft.AppConfiguration/configurationStores/*/read"] },
  ),
  AppConfigurationDataOwner: role(
    "App Configuration Data Owner",
    "5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b",
    "App Configuration",
    "data",
    {
      dataActions: [
        "Microsoft.AppConfiguration/configurationStores/*/read",
        "Microsoft.AppConfiguration/configurationStores/*/write",
        "Microsoft.AppConfiguration/configurationStores/*/delete",
        "Microsoft.AppConfiguration/configurationStores/*/action",
      ],
      notDataActions: ["Microsoft.AppConfiguration/configurationStores/useSasAuth/action"],
    },
    { broad: true },
  ),
  // built-in-roles/ai-machine-learning
  CognitiveServicesOpenAIUser: role(
    "Cognitive Services OpenAI User",
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    "Cognitive Services",
    "data",
    {
      actions: [
        "Microsoft.CognitiveServices/*/read",
        "Microsoft.Authorization/roleAssignments/read",
        "Microsoft.Authorization/roleDefinitions/read",
      ],
      dataActions: [
        `${OPENAI}/*/read`,
        `${OPENAI}/engines/completions/action`,
        `${OPENAI}/engines/search/action`,
        `${OPENAI}/engines/generate/action`,
        `${OPENAI}/deployments/audio/action`,
        `${OPENAI}/deployments/search/action`,
        `${OPENAI}/deployments/completions/action`,
        `${OPENAI}/deployments/chat/completions/action`,
        `${OPENAI}/deployments/realtime/action`,
        `${OPENAI}/deployments/extensions/chat/completions/action`,
        `${OPENAI}/deployments/embeddings/action`,
        `${OPENAI}/images/generations/action`,
        `${OPENAI}/assistants/*`,
      ],
      notDataActions: [`${OPENAI}/stored-completions/read`],
    },
  ),
  // built-in-roles/containers
  AksRbacReader: role(
    "Azure Kubernetes Service RBAC Reader",
    "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    "Kubernetes Service",
    "data",
    {
      actions: AKS_READ,
      dataActions: aks([
        "apps/controllerrevisions/read",
        "apps/daemonsets/read",
        "apps/deployments/read",
        "apps/replicasets/read",
        "apps/statefulsets/read",
        "autoscaling/horizontalpodautoscalers/read",
        "batch/cronjobs/read",
        "batch/jobs/read",
        "configmaps/read",
        "discovery.k8s.io/endpointslices/read",
        "endpoints/read",
        "events.k8s.io/events/read",
        "events/read",
        "extensions/daemonsets/read",
        "extensions/deployments/read",
        "extensions/ingresses/read",
        "extensions/networkpolicies/read",
        "extensions/replicasets/read",
        "limitranges/read",
        "metrics.k8s.io/pods/read",
        "metrics.k8s.io/nodes/read",
        "namespaces/read",
        "networking.k8s.io/ingresses/read",
        "networking.k8s.io/networkpolicies/read",
        "persistentvolumeclaims/read",
        "pods/read",
        "policy/poddisruptionbudgets/read",
        "replicationcontrollers/read",
        "resourcequotas/read",
        "serviceaccounts/read",
        "services/read",
      ]),
    },
  ),
  AksRbacWriter: role(
    "Azure Kubernetes Service RBAC Writer",
    "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
    "Kubernetes Service",
    "data",
    {
      actions: AKS_READ,
      dataActions: aks([
        "apps/controllerrevisions/read",
        "apps/daemonsets/*",
        "apps/deployments/*",
        "apps/replicasets/*",
        "apps/statefulsets/*",
        "autoscaling/horizontalpodautoscalers/*",
        "batch/cronjobs/*",
        "coordination.k8s.io/leases/read",
        "coordination.k8s.io/leases/write",
        "coordination.k8s.io/leases/delete",
        "discovery.k8s.io/endpointslices/read",
        "batch/jobs/*",
        "configmaps/*",
        "endpoints/*",
        "events.k8s.io/events/read",
        "events/*",
        "extensions/daemonsets/*",
        "extensions/deployments/*",
        "extensions/ingresses/*",
        "extensions/networkpolicies/*",
        "extensions/replicasets/*",
        "limitranges/read",
        "metrics.k8s.io/pods/read",
        "metrics.k8s.io/nodes/read",
        "namespaces/read",
        "networking.k8s.io/ingresses/*",
        "networking.k8s.io/networkpolicies/*",
        "persistentvolumeclaims/*",
        "pods/*",
        "policy/poddisruptionbudgets/*",
        "replicationcontrollers/*",
        "resourcequotas/read",
        "secrets/*",
        "serviceaccounts/*",
        "services/*",
      ]),
    },
  ),
  // Application Insights ingestion with Entra authentication (built-in-roles/monitor), Event Grid (integration), AI Search (ai-machine-learning).
  MonitoringMetricsPublisher: role(
    "Monitoring Metrics Publisher",
    "3913510d-42f4-4e42-8a64-420c390055eb",
    "Application Insights",
    "data",
    {
      actions: [
        "Microsoft.Insights/Register/Action",
        "Microsoft.Support/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
      ],
      dataActions: ["Microsoft.Insights/Metrics/Write", "Microsoft.Insights/Telemetry/Write"],
    },
  ),
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
  SearchIndexDataReader: role("Search Index Data Reader", "1407120a-92aa-4202-b7e9-c0e197c71c8f", "Search", "data", {
    dataActions: ["Microsoft.Search/searchServices/indexes/documents/read"],
  }),
  SearchIndexDataContributor: role(
    "Search Index Data Contributor",
    "8ebe5a00-799e-43f5-93ac-243d3dce84a7",
    "Search",
    "data",
    { dataActions: ["Microsoft.Search/searchServices/indexes/documents/*"] },
  ),
  // Cosmos DB's own built-in SQL role definitions (`<account id>/sqlRoleDefinitions/<id>`).
  CosmosDbDataReader: dataPlaneRole(
    "cosmos-db",
    "Cosmos DB Built-in Data Reader",
    "00000000-0000-0000-0000-000000000001",
    "Cosmos DB",
  ),
  CosmosDbDataContributor: dataPlaneRole(
    "cosmos-db",
    "Cosmos DB Built-in Data Contributor",
    "00000000-0000-0000-0000-000000000002",
    "Cosmos DB",
  ),
  // Azure Cache for Redis built-in access policies (Entra authentication).
  RedisDataReader: dataPlaneRole("redis", "Redis Data Reader", "Data Reader", "Redis"),
  RedisDataContributor: dataPlaneRole("redis", "Redis Data Contributor", "Data Contributor", "Redis"),
  RedisDataOwner: dataPlaneRole("redis", "Redis Data Owner", "Data Owner", "Redis", { broad: true }),
  // Database roles a contained Entra user of an Azure SQL database is added to.
  SqlDataReader: dataPlaneRole("azure-sql", "SQL db_datareader", "db_datareader", "Azure SQL"),
  SqlDataWriter: dataPlaneRole("azure-sql", "SQL db_datawriter", "db_datawriter", "Azure SQL"),
  // Table privileges on one schema of a PostgreSQL database, for an Entra role of the server.
  PostgresTableReader: dataPlaneRole("postgresql", "PostgreSQL table reader", "SELECT", "PostgreSQL"),
  PostgresTableWriter: dataPlaneRole(
    "postgresql",
    "PostgreSQL table writer",
    "SELECT, INSERT, UPDATE, DELETE",
    "PostgreSQL",
  ),
  // built-in-roles/general, identity
  Reader: role("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", "Any resource", "control", { actions: ["*/read"] }),
  ManagedIdentityOperator: role(
    "Managed Identity Operator",
    "f1a07417-d97a-45cb-824c-7a7467783830",
    "Managed Identity",
    "control",
    {
      actions: [
        "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
        "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
        ...MANAGED_IDENTITY_COMMON,
      ],
    },
  ),
  ManagedIdentityContributor: role(
    "Managed Identity Contributor",
    "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    "Managed Identity",
    "control",
    {
      actions: [
        "Microsoft.ManagedIdentity/userAssignedIdentities/read",
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
        "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
        ...MANAGED_IDENTITY_COMMON,
      ],
    },
  ),
  // Platform roles (built-in-roles/networking): AKS's control plane on its own subnet and private DNS zone.
  NetworkContributor: role("Network Contributor", "4d97b98b-1d4f-4787-a291-c67834d212e7", "Network", "platform", {
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Network/*",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
    ],
  }),
  PrivateDnsZoneContributor: role(
    "Private DNS Zone Contributor",
    "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "Network",
    "platform",
    {
      actions: [
        "Microsoft.Insights/alertRules/*",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Support/*",
        "Microsoft.Network/privateDnsZones/*",
        "Microsoft.Network/privateDnsOperationResults/*",
        "Microsoft.Network/privateDnsOperationStatuses/*",
        "Microsoft.Network/virtualNetworks/read",
        "Microsoft.Network/virtualNetworks/join/action",
        "Microsoft.Authorization/*/read",
      ],
    },
  ),
  // built-in-roles/privileged
  Contributor: role("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", "Any resource", "privileged", {
    actions: ["*"],
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
      "Microsoft.Blueprint/blueprintAssignments/write",
      "Microsoft.Blueprint/blueprintAssignments/delete",
      "Microsoft.Compute/galleries/share/action",
      "Microsoft.Purview/consents/write",
      "Microsoft.Purview/consents/delete",
      "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
      "Microsoft.Subscription/cancel/action",
      "Microsoft.Subscription/enable/action",
    ],
  }),
  Owner: role("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Any resource", "privileged", { actions: ["*"] }),
  UserAccessAdministrator: role(
    "User Access Administrator",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "Any resource",
    "privileged",
    { actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] },
  ),
  RoleBasedAccessControlAdministrator: role(
    "Role Based Access Control Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    "Any resource",
    "privileged",
    {
      actions: [
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete",
        "*/read",
        "Microsoft.Support/*",
      ],
    },
    { privilegedUnlessConditioned: true },
  ),
} as const;

export const ALL_ROLES: readonly RoleDefinition[] = Object.freeze(Object.values(Roles));
const AZURE_ROLES = ALL_ROLES.filter((r): r is AzureRoleDefinition => r.system === "azure-rbac");

const byGuid = new Map(AZURE_ROLES.map((r) => [r.guid, r]));
const byName = new Map(AZURE_ROLES.map((r) => [r.name.toLowerCase(), r]));
const byKey = new Map(ALL_ROLES.map((r) => [roleKey(r), r]));

/** What names the role in its system, unique across the catalog: the GUID of an Azure role. */
export function roleKey(r: RoleDefinition): string {
  return r.system === "azure-rbac" ? r.guid : `${r.system}:${r.definition}`.toLowerCase();
}

/** The catalog's own entry for a role (not a look-alike object), or undefined. */
export function catalogEntry(r: RoleDefinition): RoleDefinition | undefined {
  const found = byKey.get(roleKey(r));
  return found === r ? found : undefined;
}

/** The catalog entry for an Azure role GUID, or undefined. */
export function findRoleByGuid(guid: string): AzureRoleDefinition | undefined {
  return byGuid.get(guid.toLowerCase());
}

/** The catalog entry for a data-plane role of a system, by its definition, or undefined. */
export function findDataPlaneRole(
  system: DataPlaneRoleDefinition["system"],
  definition: string,
): DataPlaneRoleDefinition | undefined {
  const found = byKey.get(`${system}:${definition}`.toLowerCase());
  return found?.system === system ? found : undefined;
}

/** The catalog entry for an Azure role's name, or undefined. */
export function lookupRoleByName(name: string): AzureRoleDefinition | undefined {
  return byName.get(name.trim().toLowerCase());
}

/**
 * Looks a role up by its Azure name or GUID, for settings read from configuration.
 * An unknown role is an error that names the closest catalog entry.
 */
export function lookupRole(where: IConstruct | string, nameOrGuid: string): AzureRoleDefinition {
  const found = byName.get(nameOrGuid.trim().toLowerCase()) ?? findRoleByGuid(nameOrGuid.trim());
  if (found) return found;
  throw new IdentityConfigError(where, {
    problem: "Unknown role",
    value: nameOrGuid,
    fix: `use a built-in role from the catalog (Roles.*) by its exact name or GUID; closest match: "${closestRoleName(nameOrGuid)}"`,
  });
}

function closestRoleName(input: string): string {
  const wanted = input.toLowerCase();
  let best = AZURE_ROLES[0].name;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const r of AZURE_ROLES) {
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
