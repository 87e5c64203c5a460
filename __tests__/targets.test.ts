import { TerraformStack, TerraformVariable } from "cdktf";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageQueue } from "@cdktf/provider-azurerm/lib/storage-queue";
import { StorageTable } from "@cdktf/provider-azurerm/lib/storage-table";
import { ServicebusNamespace } from "@cdktf/provider-azurerm/lib/servicebus-namespace";
import { ServicebusQueue } from "@cdktf/provider-azurerm/lib/servicebus-queue";
import {
  AppConfigurationTarget,
  CognitiveServicesTarget,
  ContainerRegistryTarget,
  EventHubsNamespaceTarget,
  KeyVaultTarget,
  KubernetesClusterTarget,
  Roles,
  ScopeTarget,
  ServiceBusNamespaceTarget,
  StorageAccountTarget,
  UserAssignedIdentity,
} from "../constructs";
import { roleAssignmentName } from "../constructs/core";
import { grantRole } from "../constructs/grants";
import { inRg, only, OTHER_SUBSCRIPTION, resourcesOf, SUBSCRIPTION, TENANT, testStack, vaultId } from "./helpers";

const rg = (sub = SUBSCRIPTION) => `/subscriptions/${sub}/resourceGroups/data-rg/providers`;
const accountId = `${rg()}/Microsoft.Storage/storageAccounts/acct`;

function setup() {
  const stack = testStack();
  const identity = new UserAssignedIdentity(stack, "app", {
    name: "app-id",
    resourceGroupName: "id-rg",
    location: "westeurope",
  });
  return { stack, identity };
}

describe("targets by resource id", () => {
  it.each([
    [
      "App Configuration",
      () => AppConfigurationTarget,
      `${rg()}/Microsoft.AppConfiguration/configurationStores/app-config`,
      Roles.AppConfigurationDataReader,
    ],
    [
      "Cognitive Services",
      () => CognitiveServicesTarget,
      `${rg()}/Microsoft.CognitiveServices/accounts/openai`,
      Roles.CognitiveServicesOpenAIUser,
    ],
    [
      "Event Hubs",
      () => EventHubsNamespaceTarget,
      `${rg()}/Microsoft.EventHub/namespaces/events-hub`,
      Roles.EventHubsDataReceiver,
    ],
    [
      "Service Bus",
      () => ServiceBusNamespaceTarget,
      `${rg()}/Microsoft.ServiceBus/namespaces/orders-bus`,
      Roles.ServiceBusDataSender,
    ],
    [
      "Kubernetes Service",
      () => KubernetesClusterTarget,
      `${rg()}/Microsoft.ContainerService/managedClusters/aks`,
      Roles.AksRbacReader,
    ],
    [
      "Container Registry",
      () => ContainerRegistryTarget,
      `${rg(OTHER_SUBSCRIPTION)}/Microsoft.ContainerRegistry/registries/platformacr`,
      Roles.AcrPull,
    ],
  ])("grants a %s role on the resource, with the role id in the target's subscription", (_, targetClass, id, role) => {
    const { stack, identity } = setup();
    (targetClass() as any).fromId(stack, id).grant(identity, role, { reason: "uses it" });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment.scope).toBe(id);
    expect(assignment.role_definition_id).toBe(
      `/subscriptions/${id.split("/")[2]}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
    );
  });

  it("refuses another service's role on each target at runtime too", () => {
    const { stack, identity } = setup();
    const bus = ServiceBusNamespaceTarget.fromId(stack, `${rg()}/Microsoft.ServiceBus/namespaces/orders-bus`);
    expect(() => grantRole(identity, Roles.EventHubsDataSender, bus, { reason: "send" })).toThrow(
      /Azure Event Hubs Data Sender is a Event Hubs role and does nothing on Service Bus namespace orders-bus/,
    );
  });

  // A field changed after minting (a subscription as the scope) would write a grant the policy never judged.
  it.each([
    ["a resource", (stack: TerraformStack) => StorageAccountTarget.fromId(stack, accountId)],
    ["a sub-resource", (stack: TerraformStack) => StorageAccountTarget.fromId(stack, accountId).queue("jobs")],
    ["any scope", (stack: TerraformStack) => ScopeTarget.fromId(stack, accountId)],
  ])("freezes %s's target once minted", (_, mint) => {
    const { stack, identity } = setup();
    const target: any = mint(stack);
    const scope = target.scopeReference;
    expect(() => (target.scopeReference = `/subscriptions/${SUBSCRIPTION}`)).toThrow(TypeError);
    expect(() => target.dependsOn.push(identity)).toThrow(TypeError);
    target.grant(identity, Roles.StorageQueueDataReader, { reason: "reads jobs" });
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).scope).toBe(scope);
  });
});

describe("sub-resource targets: the narrowest scope Azure supports", () => {
  it.each([
    [
      "blob container",
      (a: StorageAccountTarget) => a.container("images"),
      "blobServices/default/containers/images",
      Roles.StorageBlobDataReader,
    ],
    [
      "queue",
      (a: StorageAccountTarget) => a.queue("jobs"),
      "queueServices/default/queues/jobs",
      Roles.StorageQueueDataMessageProcessor,
    ],
    [
      "table",
      (a: StorageAccountTarget) => a.table("events"),
      "tableServices/default/tables/events",
      Roles.StorageTableDataReader,
    ],
    [
      "file share",
      (a: StorageAccountTarget) => a.fileShare("exports"),
      "fileServices/default/fileshares/exports",
      Roles.StorageFileDataSmbShareReader,
    ],
  ])("scopes a grant to one %s of an account", (_, child, path, role) => {
    const { stack, identity } = setup();
    const grant = child(StorageAccountTarget.fromId(stack, accountId)).grant(identity, role as never, {
      reason: "uses it",
    });
    const scope = `${accountId}/${path}`;
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).scope).toBe(scope);
    expect(grant.name).toBe(roleAssignmentName(scope, role.guid, identity.principalResourceId.id));
  });

  it("scopes to one Key Vault secret, key or certificate, and to one Service Bus queue or topic or event hub", () => {
    const { stack, identity } = setup();
    const vault = KeyVaultTarget.fromId(stack, vaultId());
    vault.secret("db-password").grant(identity, Roles.KeyVaultSecretsUser, { reason: "reads one secret" });
    vault.key("signing").grant(identity, Roles.KeyVaultCryptoUser, { reason: "signs" });
    vault.certificate("tls").grant(identity, Roles.KeyVaultCertificateUser, { reason: "serves tls" });
    const bus = ServiceBusNamespaceTarget.fromId(stack, `${rg()}/Microsoft.ServiceBus/namespaces/orders-bus`);
    bus.queue("orders").grant(identity, Roles.ServiceBusDataSender, { reason: "sends" });
    bus.topic("events").grant(identity, Roles.ServiceBusDataReceiver, { reason: "listens" });
    EventHubsNamespaceTarget.fromId(stack, `${rg()}/Microsoft.EventHub/namespaces/events-hub`)
      .eventHub("telemetry")
      .grant(identity, Roles.EventHubsDataSender, { reason: "emits" });
    expect(
      Object.values(resourcesOf(stack, "azurerm_role_assignment"))
        .map((a) => a.scope.split("/providers/")[1])
        .sort(),
    ).toEqual([
      "Microsoft.EventHub/namespaces/events-hub/eventhubs/telemetry",
      "Microsoft.KeyVault/vaults/app-kv/certificates/tls",
      "Microsoft.KeyVault/vaults/app-kv/keys/signing",
      "Microsoft.KeyVault/vaults/app-kv/secrets/db-password",
      "Microsoft.ServiceBus/namespaces/orders-bus/queues/orders",
      "Microsoft.ServiceBus/namespaces/orders-bus/topics/events",
    ]);
  });

  it("offers only the sub-resource's own service roles at compile time", () => {
    const { stack } = setup();
    const account = StorageAccountTarget.fromId(stack, accountId);
    // @ts-expect-error a blob role on a queue
    account.queue("jobs").allow(Roles.StorageBlobDataReader, "read");
    // @ts-expect-error a queue role on a blob container
    account.container("images").allow(Roles.StorageQueueDataReader, "read");
    const hub = EventHubsNamespaceTarget.fromId(stack, `${rg()}/Microsoft.EventHub/namespaces/events-hub`).eventHub(
      "t",
    );
    // @ts-expect-error a Service Bus role on an event hub
    hub.allow(Roles.ServiceBusDataSender, "send");
    expect(account.queue("jobs").services).toEqual(["Storage Queue"]);
  });

  it("scopes a sub-resource of the stack by its parent's reference and waits for it", () => {
    const { stack, identity } = setup();
    const account = new StorageAccount(stack, "account", {
      name: "acct",
      resourceGroupName: "data-rg",
      location: "westeurope",
      accountTier: "Standard",
      accountReplicationType: "LRS",
    });
    const queue = new StorageQueue(stack, "jobs", { name: "jobs", storageAccountId: account.id });
    StorageAccountTarget.of(account)
      .queue(queue)
      .grant(identity, Roles.StorageQueueDataMessageProcessor, { reason: "works jobs" });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment.scope).toBe("${azurerm_storage_account.account.id}/queueServices/default/queues/jobs");
    expect(assignment.depends_on).toEqual(["azurerm_storage_queue.jobs"]);
    expect(assignment.name).toBe(
      roleAssignmentName(
        `${accountId}/queueServices/default/queues/jobs`,
        Roles.StorageQueueDataMessageProcessor.guid,
        identity.principalResourceId.id,
      ),
    );
  });

  it("refuses a queue of another account, naming the queue and its real parent", () => {
    const { stack } = setup();
    const account = (name: string) =>
      new StorageAccount(stack, name, {
        name,
        resourceGroupName: "data-rg",
        location: "westeurope",
        accountTier: "Standard",
        accountReplicationType: "LRS",
      });
    const [mine, theirs] = [account("mine"), account("theirs")];
    const queue = new StorageQueue(stack, "their-queue", { name: "jobs", storageAccountId: theirs.id });
    expect(() => StorageAccountTarget.of(mine).queue(queue)).toThrow(
      '[test/their-queue] storage queue does not belong to storage account mine: "${azurerm_storage_account.theirs.id}". Fix: grant on the storage account that holds this storage queue',
    );
    const table = new StorageTable(stack, "their-table", { name: "events", storageAccountName: "theirs" });
    expect(() => StorageAccountTarget.of(mine).table(table)).toThrow(
      /storage table does not belong to storage account mine: "theirs"/,
    );
    expect(() => StorageAccountTarget.of(theirs).table(table)).not.toThrow();
  });

  it("refuses a Service Bus queue of another namespace", () => {
    const { stack } = setup();
    const ns = (name: string) =>
      new ServicebusNamespace(stack, name, { name, resourceGroupName: "rg", location: "westeurope", sku: "Standard" });
    const [mine, theirs] = [ns("mine-ns"), ns("theirs-ns")];
    const queue = new ServicebusQueue(stack, "q", { name: "orders", namespaceId: theirs.id });
    expect(() => ServiceBusNamespaceTarget.of(mine).queue(queue)).toThrow(
      /Service Bus queue does not belong to Service Bus namespace mine-ns/,
    );
  });

  it("refuses a sub-resource id outside its parent", () => {
    const { stack } = setup();
    const other = `${rg()}/Microsoft.Storage/storageAccounts/other/queueServices/default/queues/jobs`;
    expect(() => StorageAccountTarget.fromId(stack, accountId).queue(other)).toThrow(
      `[acct] storage queue id does not belong to storage account acct: "${other}". Fix: pass the id of a storage queue under ${accountId}/queueServices/default/queues`,
    );
    const inside = `${accountId}/queueServices/default/queues/jobs`;
    expect(StorageAccountTarget.fromId(stack, accountId).queue(inside).resourceId.id).toBe(inside);
  });
});

describe("names Azure would refuse never reach an id", () => {
  const vault = () => KeyVaultTarget.fromId(testStack(), vaultId());
  const account = () => StorageAccountTarget.fromId(testStack(), accountId);

  it.each([
    [
      "a secret named ../keys/master",
      () => vault().secret("../keys/master"),
      /\[app-kv\] Key Vault secret name breaks Azure's naming rule: "\.\.\/keys\/master"\. Fix: use 1-127 characters/,
    ],
    [
      "a 300-character container",
      () => account().container("c".repeat(300)),
      /\[acct\] Blob container name breaks Azure's naming rule: "c{300}"\. Fix: use 3-63 characters/,
    ],
    [
      "a queue with trailing whitespace",
      () => account().queue("jobs "),
      /\[acct\] Storage queue name breaks Azure's naming rule: "jobs "/,
    ],
    [
      "a table with a space",
      () => account().table("my table"),
      /\[acct\] Storage table name breaks Azure's naming rule: "my table"/,
    ],
    [
      "a unicode share",
      () => account().fileShare("café"),
      /\[acct\] File share name breaks Azure's naming rule: "café"/,
    ],
    [
      "a Service Bus queue with a slash",
      () =>
        ServiceBusNamespaceTarget.fromId(testStack(), `${rg()}/Microsoft.ServiceBus/namespaces/orders-bus`).queue(
          "a/b",
        ),
      /Service Bus queue name breaks Azure's naming rule: "a\/b"/,
    ],
    [
      "an uppercase storage account by id",
      () => StorageAccountTarget.fromId(testStack(), `${rg()}/Microsoft.Storage/storageAccounts/Accounts`),
      /Storage account name breaks Azure's naming rule: "Accounts"/,
    ],
    [
      "a registry with a hyphen by id",
      () => ContainerRegistryTarget.fromId(testStack(), `${rg()}/Microsoft.ContainerRegistry/registries/platform-acr`),
      /Container registry name breaks Azure's naming rule: "platform-acr"/,
    ],
    [
      "a dot segment inside an id",
      () => KeyVaultTarget.fromId(testStack(), `${vaultId()}/secrets/../keys/master`),
      /Malformed Azure resource id \(it has a "\.\." segment/,
    ],
    [
      "whitespace inside an id",
      () => KeyVaultTarget.fromId(testStack(), `${vaultId()} `),
      /Malformed Azure resource id \(it contains a space/,
    ],
    [
      "a resource group name with a trailing period",
      () => KeyVaultTarget.fromId(testStack(), vaultId().replace("app-rg", "app-rg.")),
      /Resource group name breaks Azure's naming rule: "app-rg\."/,
    ],
  ])("refuses %s, naming the rule", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("refuses a stack resource whose literal name Azure would refuse", () => {
    const stack = testStack();
    const kv = new KeyVault(stack, "vault", {
      name: "kv--bad",
      resourceGroupName: "rg",
      location: "westeurope",
      tenantId: TENANT,
      skuName: "standard",
    });
    expect(() => KeyVaultTarget.of(kv)).toThrow(
      '[test/vault] Key Vault name breaks Azure\'s naming rule: "kv--bad". Fix: use 3-24 characters',
    );
  });

  it("refuses a stack resource whose name only Terraform knows, before cdktf's own error about construct ids", () => {
    const stack = testStack();
    const name = new TerraformVariable(stack, "vault-name", { type: "string" }).stringValue;
    const kv = new KeyVault(stack, "vault", { ...inRg, name, tenantId: TENANT, skuName: "standard" });
    expect(() => KeyVaultTarget.of(kv)).toThrow(
      "[test/vault] The Key Vault's name or resource group is a value only Terraform knows, so the grant's scope cannot be judged or its assignment named before apply",
    );
    const account = new StorageAccount(stack, "account", {
      ...inRg,
      name: "appdata",
      accountTier: "Standard",
      accountReplicationType: "LRS",
    });
    const queue = new StorageQueue(stack, "queue", { name, storageAccountId: account.id });
    expect(() => StorageAccountTarget.of(account).queue(queue)).toThrow(
      "[test/queue] The storage queue's name is a value only Terraform knows, so the grant's scope cannot be judged or its assignment named before apply",
    );
    expect(() => KeyVaultTarget.fromId(stack, vaultId()).secret(name)).toThrow(
      `[app-kv] The Key Vault secret's name is a value only Terraform knows, so the grant's scope cannot be judged or its assignment named before apply: "\${TfToken[TOKEN.`,
    );
  });
});

describe("a target's id", () => {
  it("cannot be changed after the checks", () => {
    const stack = testStack("frozen-id");
    const vault = KeyVaultTarget.fromId(stack, vaultId());
    expect(() => {
      (vault.resourceId as { id: string }).id = `/subscriptions/${SUBSCRIPTION}`;
    }).toThrow(TypeError);
    expect(() => {
      (vault.resourceId.names as string[]).push("x");
    }).toThrow(TypeError);
    expect(vault.resourceId.id).toBe(vaultId());
  });
});
