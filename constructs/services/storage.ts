import { defineService, notApplicable } from "../azure/contract";
import { aclRefusal } from "../azure/contract/network";
import type { MockWorld } from "../azure/contract/mocks";
import { role } from "../azure/role-catalog";
import { LOWER_DNS_LABEL } from "../azure/azure-names";
import type { ServiceLog } from "../azure/contract/audit";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { StorageQueue } from "@cdktf/provider-azurerm/lib/storage-queue";
import { StorageTable } from "@cdktf/provider-azurerm/lib/storage-table";
import { StorageShare } from "@cdktf/provider-azurerm/lib/storage-share";
import { ChildResource, childTarget, GrantTarget, ParentReference, targetOfKind } from "../grants/targets";
import { functionsConnection, IdentityConnection } from "../grants/identity-connection";

// ARM's type is fileServices/shares; role-assignment scopes (and azurerm's resource_manager_id)
// spell it fileshares. Same rule either way.
const SHARE_NAME = {
  min: 3,
  max: 63,
  pattern: LOWER_DNS_LABEL,
  text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit; no consecutive hyphens",
};

/** The account's data services: each logs its own data access, to its own table. */
const SERVICE_LOGS = [
  { roleService: "Storage Blob", service: "blob", table: "StorageBlobLogs" },
  { roleService: "Storage Queue", service: "queue", table: "StorageQueueLogs" },
  { roleService: "Storage Table", service: "table", table: "StorageTableLogs" },
  { roleService: "Storage File", service: "file", table: "StorageFileLogs" },
] as const;

/** What a data service logs: each category its own requests (a write under StorageWrite alone). */
const STORAGE_CATEGORIES = ["StorageRead", "StorageWrite", "StorageDelete"];

/** The setting goes on the service (`<account>/blobServices/default`). */
const settingOnOf = (service: string) => `/${service}Services/default`;

const serviceLog = ({ roleService, service, table }: (typeof SERVICE_LOGS)[number]): ServiceLog => ({
  roleService,
  settingOn: settingOnOf(service),
  profile: {
    kind: `storage ${service} service`,
    categories: STORAGE_CATEGORIES,
    log: { table, callerIs: "RequesterObjectId == {oid}", operation: "OperationName" },
  },
});

const STORAGE = "Microsoft.Storage/storageAccounts";
const BLOB = `${STORAGE}/blobServices`;
const QUEUE = `${STORAGE}/queueServices/queues`;
const TABLE = `${STORAGE}/tableServices/tables`;
const FILES = `${STORAGE}/fileServices/fileshares/files`;

/** The account's computed endpoints and hosts, one of each per data service (the gate mocks them). */
const STORAGE_ENDPOINTS = ["blob", "dfs", "file", "queue", "table", "web"].flatMap((s) => [
  `primary_${s}_endpoint`,
  `primary_${s}_host`,
]);
const storageHost = (w: MockWorld, service: string) =>
  `${w.name("Microsoft.Storage/storageAccounts")}.${service}.core.windows.net`;

/** Storage: everything the library knows about it. */
export const storage = defineService({
  name: "Storage",
  namespaces: ["Microsoft.Storage"],
  resourceTypes: {
    account: {
      kind: "storage account",
      azureType: "Microsoft.Storage/storageAccounts",
      terraformType: "azurerm_storage_account",
      services: ["Storage Blob", "Storage Queue", "Storage Table", "Storage File"],
      id: "inResourceGroup",
      name: { min: 3, max: 24, pattern: /^[a-z0-9]+$/, text: "lowercase letters and digits only (no hyphens)" },
    },
    blobContainer: {
      kind: "blob container",
      azureType: "Microsoft.Storage/storageAccounts/blobServices/containers",
      terraformType: "azurerm_storage_container",
      services: ["Storage Blob"],
      id: { parentId: "storage_account_id", path: "blobServices/default/containers" },
      // resource-name-rules says "start with lowercase letter or number, no consecutive hyphens" and
      // is silent on the end; the Blob service's naming page ("Naming and Referencing Containers,
      // Blobs, and Metadata") adds that every hyphen is preceded and followed by a letter or digit,
      // so a trailing hyphen fails there. The system containers ($root, the default container;
      // $web, static websites; $logs, storage analytics) are real containers a role can be granted on.
      name: {
        min: 3,
        max: 63,
        pattern: /^(?:[a-z0-9](?:-?[a-z0-9])*|\$root|\$web|\$logs)$/,
        text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit; no consecutive hyphens (or one of the system containers $root, $web, $logs)",
      },
    },
    queue: {
      kind: "storage queue",
      azureType: "Microsoft.Storage/storageAccounts/queueServices/queues",
      terraformType: "azurerm_storage_queue",
      services: ["Storage Queue"],
      id: { parentId: "storage_account_id", path: "queueServices/default/queues" },
      name: {
        min: 3,
        max: 63,
        pattern: LOWER_DNS_LABEL,
        text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit; no consecutive hyphens",
      },
    },
    table: {
      kind: "storage table",
      azureType: "Microsoft.Storage/storageAccounts/tableServices/tables",
      terraformType: "azurerm_storage_table",
      services: ["Storage Table"],
      id: { parentId: "storage_account_id", path: "tableServices/default/tables" },
      // "tables" is reserved per the Table service's data-model page; names are case-insensitive.
      name: {
        min: 3,
        max: 63,
        pattern: /^(?![Tt][Aa][Bb][Ll][Ee][Ss]$)[A-Za-z][A-Za-z0-9]*$/,
        text: 'letters and digits only (no hyphens); starts with a letter; not "tables"',
      },
    },
    fileShare: {
      kind: "file share",
      azureType: "Microsoft.Storage/storageAccounts/fileServices/fileshares",
      terraformType: "azurerm_storage_share",
      services: ["Storage File"],
      id: { parentId: "storage_account_id", path: "fileServices/default/fileshares" },
      name: SHARE_NAME,
    },
    fileShareAsArmSpellsIt: {
      kind: "file share",
      azureType: "Microsoft.Storage/storageAccounts/fileServices/shares",
      id: { path: "fileServices/default/shares" },
      name: SHARE_NAME,
    },
  },
  roles: {
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
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    sharedKey: {
      azurerm_storage_account: (c) =>
        c.shared_access_key_enabled === false
          ? undefined
          : { problem: "the account still accepts shared keys", fix: "set shared_access_key_enabled = false" },
    },
    secretAttributes: {
      azurerm_storage_account:
        "primary_access_key primary_blob_connection_string primary_connection_string secondary_access_key secondary_blob_connection_string secondary_connection_string",
      "data.azurerm_storage_account":
        "primary_access_key primary_blob_connection_string primary_connection_string secondary_access_key secondary_blob_connection_string secondary_connection_string",
    },
    migration: {
      azurerm_storage_account: {
        tokenResource: { appId: "e406a681-f3d4-42a8-90b6-c2b029497af1", displayName: "Azure Storage" },
        // Microsoft's "Prevent Shared Key authorization" (storage/common/shared-key-authorization-prevent)
        // queries AuthenticationType in ("AccountKey", "SAS"). Its SAS counts user delegation SAS too,
        // which are signed with Entra credentials and keep working once shared keys are off.
        keyUse: SERVICE_LOGS.map(({ service, table }) => ({
          table,
          categories: STORAGE_CATEGORIES,
          keyBased: 'AuthenticationType in ("AccountKey", "SAS")',
          settingOn: settingOnOf(service),
        })),
        revoke:
          "regenerate both account keys (key1 and key2): service and account SAS signed with them stop working; user delegation SAS are signed with Entra credentials and expire on their own",
      },
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.Storage/storageAccounts"],
        logs: SERVICE_LOGS.map(serviceLog),
      },
    ],
  },
  network: {
    privateDnsZones: {
      blob: "privatelink.blob.core.windows.net",
      queue: "privatelink.queue.core.windows.net",
      table: "privatelink.table.core.windows.net",
      file: "privatelink.file.core.windows.net",
    },
    targets: [
      {
        terraformType: "azurerm_storage_account",
        // One group per storage service: an endpoint to blob reaches no queue.
        privateLinkGroup: {
          "Storage Blob": "blob",
          "Storage Queue": "queue",
          "Storage Table": "table",
          "Storage File": "file",
        },
        serviceEndpoint: "Microsoft.Storage",
        // The rules are the account's block, or a resource of their own.
        refuses: (config, json) =>
          aclRefusal(
            json.block(config.network_rules) ??
              json.attached("azurerm_storage_account_network_rules", "storage_account_id")[0],
            "network_rules",
            json,
          ),
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_storage_account"],
    computed: {
      azurerm_storage_account: STORAGE_ENDPOINTS,
      azurerm_storage_container: ["resource_manager_id"],
      azurerm_storage_queue: ["resource_manager_id", "url"],
      azurerm_storage_share: ["resource_manager_id", "url"],
      azurerm_storage_table: ["resource_manager_id"],
    },
    values: {
      azurerm_storage_account: Object.fromEntries(
        STORAGE_ENDPOINTS.map((attribute) => {
          const [, service, kind] = /^primary_(\w+)_(endpoint|host)$/.exec(attribute)!;
          return [
            attribute,
            (w: MockWorld) => {
              const host = storageHost(w, service === "web" ? "z6.web" : service);
              return kind === "host" ? host : `https://${host}/`;
            },
          ];
        }),
      ),
      azurerm_storage_queue: { url: (w, r) => `https://${storageHost(w, "queue")}/${r.name}` },
      azurerm_storage_share: { url: (w, r) => `https://${storageHost(w, "file")}/${r.name}` },
    },
    // The resourceTypes spell the share type `fileshares`; the provider's id (fileshares.ShareId) says `shares`.
    ids: {
      azurerm_storage_share: (w) =>
        `${w.armId("Microsoft.Storage/storageAccounts")}/fileServices/default/shares/${w.name("Microsoft.Storage/storageAccounts/fileServices/shares")}`,
    },
    // `default` where Azure fixes the name.
    names: {
      "Microsoft.Storage/storageAccounts": "mockstorage",
      "Microsoft.Storage/storageAccounts/blobServices": "default",
      "Microsoft.Storage/storageAccounts/blobServices/containers": "mock-container",
      "Microsoft.Storage/storageAccounts/fileServices": "default",
      "Microsoft.Storage/storageAccounts/fileServices/shares": "mock-share",
      "Microsoft.Storage/storageAccounts/queueServices": "default",
      "Microsoft.Storage/storageAccounts/queueServices/queues": "mock-queue",
      "Microsoft.Storage/storageAccounts/tableServices": "default",
      "Microsoft.Storage/storageAccounts/tableServices/tables": "mocktable",
    },
  },
});

// @targets
/** The role services of a storage account: one per data service. */
type StorageService = (typeof storage.resourceTypes.account.services)[number];

type StorageChild = StorageContainer | StorageQueue | StorageShare;
const storageParent = (r: ChildResource): ParentReference => {
  const c = r as StorageChild | StorageTable;
  return { id: "storageAccountIdInput" in c ? c.storageAccountIdInput : undefined, name: c.storageAccountNameInput };
};

/** A storage account, or one of its blob containers, queues, tables or file shares. */
export class StorageAccountTarget extends targetOfKind<StorageService, StorageAccount>(
  storage.resourceTypes.account,
  storage,
) {
  /** The blob endpoint, which SDK clients connect to with the identity. */
  get blobServiceUri(): string {
    return `https://${this.resourceId.name}.blob.core.windows.net`;
  }

  /** The queue endpoint, for identity-based connections that take a service URI. */
  get queueServiceUri(): string {
    return `https://${this.resourceId.name}.queue.core.windows.net`;
  }

  container(container: string | StorageContainer): GrantTarget<"Storage Blob"> {
    return childTarget(this, storage.resourceTypes.blobContainer, container, storageParent);
  }

  queue(queue: string | StorageQueue): GrantTarget<"Storage Queue"> {
    return childTarget(this, storage.resourceTypes.queue, queue, storageParent);
  }

  table(table: string | StorageTable): GrantTarget<"Storage Table"> {
    return childTarget(this, storage.resourceTypes.table, table, storageParent);
  }

  fileShare(share: string | StorageShare): GrantTarget<"Storage File"> {
    return childTarget(this, storage.resourceTypes.fileShare, share, storageParent);
  }
}

/** Connections.storageQueues: the queue endpoint, as Functions' queue trigger takes it. */
export const storageQueuesConnection = (name: string, account: StorageAccountTarget): IdentityConnection =>
  functionsConnection(name, { queueServiceUri: account.queueServiceUri });
