import { defineTestService } from "./helpers";
import { Roles, dataPlaneRole, RolePlane, defineService } from "../constructs";
import {
  allRoles,
  isAzureRole,
  findDataPlaneRole,
  findRoleByGuid,
  lookupRole,
  lookupRoleByName,
  role,
  roleDefinitionId,
} from "../constructs/azure";

// The built-in roles and GUIDs from the project's facts document (Azure built-in roles list).
const PUBLISHED: ReadonlyArray<[string, string, RolePlane]> = [
  ["Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "data"],
  ["Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "data"],
  ["Key Vault Certificate User", "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", "data"],
  ["Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424", "data"],
  ["Key Vault Crypto Service Encryption User", "e147488a-f6f5-4113-8e2d-b22465e65bf6", "data"],
  ["Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2", "data"],
  ["Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483", "data"],
  ["Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "data"],
  ["Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "data"],
  ["Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "data"],
  ["Storage Queue Data Reader", "19e7f393-937e-4f77-808e-94535e297925", "data"],
  ["Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "data"],
  ["Storage Queue Data Message Sender", "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", "data"],
  ["Storage Queue Data Message Processor", "8a0f0c08-91a1-4084-bc3d-661d67233fed", "data"],
  ["Storage Table Data Reader", "76199698-9eea-4c19-bc75-cec21354c6b6", "data"],
  ["Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "data"],
  ["Storage File Data SMB Share Reader", "aba4ae5f-2193-4029-9191-0cb91df5e314", "data"],
  ["Storage File Data SMB Share Contributor", "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb", "data"],
  ["AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", "data"],
  ["AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", "data"],
  ["Azure Service Bus Data Receiver", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "data"],
  ["Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "data"],
  ["Azure Service Bus Data Owner", "090c5cfd-751d-490a-894a-3ce6f1109419", "data"],
  ["Azure Event Hubs Data Receiver", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde", "data"],
  ["Azure Event Hubs Data Sender", "2b629674-e913-4c01-ae53-ef4638d8f975", "data"],
  ["Azure Event Hubs Data Owner", "f526a384-b230-433a-b45c-95f59c4a2dec", "data"],
  ["App Configuration Data Reader", "516239f1-63e1-4d78-a4de-a74fb236a071", "data"],
  ["App Configuration Data Owner", "5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b", "data"],
  ["Cognitive Services OpenAI User", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", "data"],
  ["Azure Kubernetes Service RBAC Reader", "7f6c6a51-bcf8-42ba-9220-52d62157d7db", "data"],
  ["Azure Kubernetes Service RBAC Writer", "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb", "data"],
  ["Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", "control"],
  ["Managed Identity Operator", "f1a07417-d97a-45cb-824c-7a7467783830", "control"],
  ["Managed Identity Contributor", "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59", "control"],
  ["Network Contributor", "4d97b98b-1d4f-4787-a291-c67834d212e7", "platform"],
  ["Private DNS Zone Contributor", "b12aa53e-6015-4669-85d0-8515ebb3ae7f", "platform"],
  ["Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", "privileged"],
  ["Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "privileged"],
  ["User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "privileged"],
  ["Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168", "privileged"],
  ["Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb", "data"],
  ["EventGrid Data Sender", "d5a91429-5739-47e2-a06b-3470a27159e7", "data"],
  ["Search Index Data Reader", "1407120a-92aa-4202-b7e9-c0e197c71c8f", "data"],
  ["Search Index Data Contributor", "8ebe5a00-799e-43f5-93ac-243d3dce84a7", "data"],
  ["SignalR App Server", "420fcaa2-552c-430f-98ca-3264be4806c7", "data"],
  ["SignalR REST API Owner", "fd53cd77-2268-407a-8f46-7e7863d0f521", "data"],
  ["SignalR REST API Reader", "ddde6b66-c0df-4114-a159-3618637b3035", "data"],
  ["SignalR Service Owner", "7e4f1700-ea5a-4f59-8f37-079cfe29dce3", "data"],
  ["Web PubSub Service Owner", "12cf5a90-567b-43ae-8102-96cf46c7d9b4", "data"],
  ["Web PubSub Service Reader", "bfb1c7d2-fb1a-466b-b2ba-aee63b92deaf", "data"],
];

// Roles of services' own data planes: Cosmos DB built-in definitions, Redis access policies, database roles.
const DATA_PLANE: ReadonlyArray<[string, string, string]> = [
  ["cosmos-db", "Cosmos DB Built-in Data Reader", "00000000-0000-0000-0000-000000000001"],
  ["cosmos-db", "Cosmos DB Built-in Data Contributor", "00000000-0000-0000-0000-000000000002"],
  ["redis", "Redis Data Reader", "Data Reader"],
  ["redis", "Redis Data Contributor", "Data Contributor"],
  ["redis", "Redis Data Owner", "Data Owner"],
  ["azure-sql", "SQL db_datareader", "db_datareader"],
  ["azure-sql", "SQL db_datawriter", "db_datawriter"],
  ["postgresql", "PostgreSQL table reader", "SELECT"],
  ["postgresql", "PostgreSQL table writer", "SELECT, INSERT, UPDATE, DELETE"],
  ["mysql", "MySQL data reader", "SELECT"],
  ["mysql", "MySQL data writer", "SELECT, INSERT, UPDATE, DELETE"],
];

describe("role catalog", () => {
  it.each(PUBLISHED)("holds %s with GUID %s as a %s role", (name, guid, plane) => {
    const entry = findRoleByGuid(guid);
    expect(entry).toMatchObject({ name, guid, plane });
  });

  it("holds exactly the published roles, each GUID once", () => {
    const azure = allRoles().flatMap((r) => (isAzureRole(r) ? [r.guid] : []));
    expect(azure.sort()).toEqual(PUBLISHED.map(([, guid]) => guid).sort());
  });

  it("holds the data-plane roles by their definition in their own system, none of them an Azure role", () => {
    const dataPlane = allRoles().flatMap((r) => (isAzureRole(r) ? [] : [[r.system, r.name, r.definition]]));
    expect(dataPlane).toEqual(DATA_PLANE);
    for (const [system, , definition] of DATA_PLANE) {
      expect(findDataPlaneRole(system as "redis", definition)?.definition).toBe(definition);
      expect(findRoleByGuid(definition)).toBeUndefined();
    }
    expect(lookupRoleByName("Cosmos DB Built-in Data Reader")).toBeUndefined();
  });

  it("marks the *Data Owner roles, Key Vault Administrator and the SignalR and Web PubSub Service Owners as broad, and only them", () => {
    const broad = allRoles()
      .filter((r) => r.broad)
      .map((r) => r.name);
    expect(broad.sort()).toEqual(
      [
        "App Configuration Data Owner",
        "Azure Event Hubs Data Owner",
        "Azure Service Bus Data Owner",
        "Key Vault Administrator",
        "Redis Data Owner",
        "SignalR Service Owner",
        "Storage Blob Data Owner",
        "Web PubSub Service Owner",
      ].sort(),
    );
  });

  it("knows RBAC Administrator is privileged only without a condition", () => {
    expect(allRoles().filter((r) => r.privilegedUnlessConditioned)).toEqual([
      Roles.RoleBasedAccessControlAdministrator,
    ]);
  });

  it("ties each role to the service whose data it reaches", () => {
    expect(Roles.AcrPull.service).toBe("Container Registry");
    expect(Roles.StorageQueueDataMessageProcessor.service).toBe("Storage Queue");
    expect(Roles.Owner.service).toBe("Any resource");
  });

  it("looks roles up by exact name or GUID, case-insensitively", () => {
    expect(lookupRole("test", "key vault secrets user")).toBe(Roles.KeyVaultSecretsUser);
    expect(lookupRole("test", "7F951DDA-4ED3-4680-A7CA-43FE172D538D")).toBe(Roles.AcrPull);
  });

  it("refuses an unknown role, naming the path, the value and the closest catalog entry", () => {
    expect(() => lookupRole("dev/orders-web", "Key Vault Secret Reader")).toThrow(
      /^\[dev\/orders-web\] Unknown role: "Key Vault Secret Reader"\. Fix: .*closest match: "Key Vault Secrets User"/,
    );
  });

  it("writes the role id in the subscription-scoped form Azure returns", () => {
    expect(roleDefinitionId("11111111-2222-4333-8444-555555555555", Roles.AcrPull)).toBe(
      "/subscriptions/11111111-2222-4333-8444-555555555555/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
    );
  });
});

describe("a service's roles part", () => {
  const service = (roles: Parameters<typeof defineService>[0]["roles"]) => () =>
    defineTestService({ name: "Contoso Ledger", namespaces: ["Contoso.Ledger"], roles });

  it("refuses a role GUID that is not a GUID, naming the service, the part and the fix", () => {
    expect(service({ LedgerReader: role("Ledger Reader", "ledger-reader", "Contoso Ledger", "data", {}) })).toThrow(
      /^\[defineService\] Contoso Ledger roles\.LedgerReader: the role GUID is not a GUID: "ledger-reader"\. Fix: copy the role definition GUID from Microsoft's "Azure built-in roles" page, in lower case/,
    );
  });

  it("refuses a role another service already has, by GUID or by its own system's definition", () => {
    expect(
      service({ LedgerReader: role("Ledger Reader", Roles.KeyVaultSecretsUser.guid, "Contoso Ledger", "data", {}) }),
    ).toThrow(
      /^\[defineService\] Contoso Ledger roles\.LedgerReader: the role GUID is already Key Vault Secrets User of Key Vault: "4633458b-17de-408a-b874-0445c86b69e6"\. Fix: a role belongs to the one service whose data it reaches/,
    );
    expect(service({ LedgerReader: dataPlaneRole("redis", "Ledger Reader", "data reader", "Contoso Ledger") })).toThrow(
      /^\[defineService\] Contoso Ledger roles\.LedgerReader: the role definition in redis is already Redis Data Reader of Redis: "data reader"/,
    );
  });

  it("refuses a key or an Azure role name another service's role already has", () => {
    const guid = "0b5e6f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    expect(service({ AcrPull: role("Ledger Reader", guid, "Contoso Ledger", "data", {}) })).toThrow(
      /^\[defineService\] Contoso Ledger roles\.AcrPull: the key is already a role of Container Registry: "AcrPull"\. Fix: give the role a key no other service's role has/,
    );
    expect(service({ LedgerReader: role("acrpull", guid, "Contoso Ledger", "data", {}) })).toThrow(
      /^\[defineService\] Contoso Ledger roles\.LedgerReader: the role name is already AcrPull of Container Registry: "acrpull"/,
    );
  });

  it("finds a consumer-defined service's roles once it is defined", () => {
    const guid = "0b5e6f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    const ledger = defineTestService({
      name: "Contoso Ledger",
      namespaces: ["Contoso.Ledger"],
      roles: {
        LedgerReader: role("Ledger Reader", guid, "Contoso Ledger", "data", { dataActions: ["Contoso.Ledger/read"] }),
        LedgerEntryReader: dataPlaneRole("contoso-ledger", "Ledger entry reader", "entries:read", "Contoso Ledger"),
      },
    });
    expect(findRoleByGuid(guid.toUpperCase())).toBe(ledger.roles.LedgerReader);
    expect(lookupRole("test", "ledger reader")).toBe(ledger.roles.LedgerReader);
    expect(findDataPlaneRole("contoso-ledger", "entries:read")).toBe(ledger.roles.LedgerEntryReader);
    expect(allRoles().slice(-2)).toEqual([ledger.roles.LedgerReader, ledger.roles.LedgerEntryReader]);
  });
});

describe("the role lookups without the services", () => {
  it("refuse to answer rather than find nothing", () => {
    jest.isolateModules(() => {
      const { findRoleByGuid: find } = jest.requireActual<typeof import("../constructs/azure")>("../constructs/azure");
      expect(() => find(Roles.AcrPull.guid)).toThrow(
        /^\[service registry\] The library's services are not loaded, so no service, role or resource type is known yet: \[\]\. Fix: import the library from its entry point/,
      );
    });
  });
});
