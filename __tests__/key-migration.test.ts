// The keys part's migration entries: what defineService refuses, and that every shipped type
// taking keys says what proves a migration off them and what to revoke afterwards.
import { isGuid, isNotApplicable, keyMigrationOf, takesKeys, type KeyMigration } from "../constructs/azure";
import type { KeysPart } from "../constructs";
import { SHIPPED_SERVICES } from "../constructs/services";
import { defineTestService, refusal } from "./helpers";

const ACCOUNT = "contoso_migrating_account";
const LOG = { table: "ContosoMapsLogs", categories: ["DataPlane"], keyBased: 'AuthType == "Key"' };
const GOOD: KeyMigration = {
  tokenResource: { appId: "11111111-2222-4333-8444-555555555555", displayName: "Contoso Maps" },
  keyUse: [LOG],
  revoke: "regenerate both keys",
};

// Each refused definition registers nothing, so they can share one terraform type.
const define = (
  name: string,
  migration: unknown,
  judged: Partial<KeysPart> = { localAuth: { [ACCOUNT]: () => undefined } },
) =>
  refusal(() =>
    defineTestService({
      name,
      namespaces: ["Contoso.Maps"],
      resourceTypes: {
        account: {
          kind: "maps account",
          azureType: "Contoso.Maps/accounts",
          terraformType: ACCOUNT,
          id: "inResourceGroup",
        },
      },
      keys: { secretAttributes: {}, ...judged, migration: { [ACCOUNT]: migration } as KeysPart["migration"] },
    }),
  );

describe("defineService refuses a migration entry", () => {
  it("for a type whose keys the part does not judge, naming service, type and fix", () => {
    const error = define("Bad Migration 1", GOOD, {});
    expect(error.message).toBe(
      `[defineService] Bad Migration 1 keys.migration.${ACCOUNT}: Bad Migration 1 judges no keys of ${ACCOUNT} (keys.localAuth or keys.sharedKey), so no migration turns them off: "${ACCOUNT}". Fix: judge ${ACCOUNT}'s key switch in keys.localAuth or keys.sharedKey, or drop its migration entry`,
    );
  });

  it("accepting a sharedKey judge as keys to migrate off", () => {
    const error = define("Bad Migration 2", { ...GOOD, revoke: "" }, { sharedKey: { [ACCOUNT]: () => undefined } });
    expect(error.problem).toBe(`Bad Migration 2 keys.migration.${ACCOUNT}: revoke is empty`);
  });

  it.each([["not-a-guid"], [""], [undefined]])("with the token resource's app id %j", (appId) => {
    const error = define(`Bad Migration app ${appId}`, { ...GOOD, tokenResource: { appId, displayName: "Maps" } });
    expect(error.problem).toBe(
      `Bad Migration app ${appId} keys.migration.${ACCOUNT}: tokenResource.appId is not a GUID`,
    );
    expect(error.fix).toMatch(/^give the application id of the Entra resource tokens are acquired for/);
  });

  it("without a token resource", () => {
    const { tokenResource: _, ...rest } = GOOD;
    expect(define("Bad Migration 3", rest).problem).toMatch(/tokenResource\.appId is not a GUID$/);
  });

  it("with a blank display name", () => {
    const error = define("Bad Migration 4", { ...GOOD, tokenResource: { ...GOOD.tokenResource, displayName: " " } });
    expect(error.problem).toBe(`Bad Migration 4 keys.migration.${ACCOUNT}: tokenResource.displayName is empty`);
  });

  it.each([[[]], [{ gap: "" }], [{}], [undefined]])("whose keyUse is %j", (keyUse) => {
    const error = define(`Bad Migration use ${JSON.stringify(keyUse)}`, { ...GOOD, keyUse });
    expect(error.problem).toMatch(/keys\.migration\.contoso_migrating_account: keyUse lists no log and states no gap$/);
    expect(error.fix).toMatch(/or say in \{ gap \} why none does$/);
  });

  it.each([["Contoso Logs"], ["1Logs"], ["Logs|take"], [""]])("naming the table %j", (table) => {
    const log = { ...LOG, table };
    const error = define(`Bad Migration table ${table}`, { ...GOOD, keyUse: [log] });
    expect(error.problem).toMatch(/: a keyUse table is not a KQL table name$/);
    expect(error.value).toBe(table);
  });

  it.each([
    [{ categories: [] }],
    [{ categories: [""] }],
    [{ categories: ["DataPlane", " "] }],
    [{ categories: "DataPlane" }],
    [{ categories: undefined }],
    [{ keyBased: " " }],
  ])("with a keyUse log whose %j", (blank) => {
    const error = define(`Bad Migration log ${JSON.stringify(blank)}`, { ...GOOD, keyUse: [{ ...LOG, ...blank }] });
    expect(error.problem).toMatch(/: keyUse ContosoMapsLogs needs categories and a keyBased predicate$/);
    expect(error.fix).toMatch(/^give every diagnostic category that fills the table/);
  });

  it.each([['AuthType == "Key" | take 0'], ["true; print 1"], ['AuthType == "Key"\n| count']])(
    "with a keyBased predicate that ends itself: %j",
    (keyBased) => {
      const error = define(`Bad Migration predicate ${keyBased}`, { ...GOOD, keyUse: [{ ...LOG, keyBased }] });
      expect(error.problem).toMatch(/: keyUse ContosoMapsLogs keyBased is more than a predicate$/);
      expect(error.fix).toBe("write one KQL predicate on the table's columns, without |, ; or line breaks");
    },
  );

  it.each([["blobServices/default"], ["/blobServices"], ["/blobServices/default/"]])(
    "with settingOn %j",
    (settingOn) => {
      const log = { ...LOG, settingOn };
      const error = define(`Bad Migration setting ${settingOn}`, { ...GOOD, keyUse: [log] });
      expect(error.problem).toMatch(/: keyUse ContosoMapsLogs settingOn is not an id path below the resource$/);
      expect(error.fix).toBe('write the service\'s id path as the audit part does, e.g. "/blobServices/default"');
    },
  );
});

describe("a consumer service's migration entry", () => {
  defineTestService({
    name: "Contoso Migrating Maps",
    namespaces: ["Contoso.Maps"],
    resourceTypes: {
      account: {
        kind: "maps account",
        azureType: "Contoso.Maps/accounts",
        terraformType: "contoso_maps_v2",
        id: "inResourceGroup",
      },
    },
    keys: {
      localAuth: { contoso_maps_v2: () => undefined },
      secretAttributes: {},
      migration: { contoso_maps_v2: { ...GOOD, keyUse: { gap: "Contoso logs no authentication type" } } },
    },
  });

  it("is what keyMigrationOf answers for its type", () => {
    expect(takesKeys("contoso_maps_v2")).toBe(true);
    expect(keyMigrationOf("contoso_maps_v2")?.keyUse).toEqual({ gap: "Contoso logs no authentication type" });
  });
});

describe("every shipped service", () => {
  const keyTypes = SHIPPED_SERVICES.flatMap((s) => {
    const keys: KeysPart | undefined = isNotApplicable(s.keys) ? undefined : s.keys;
    return [...Object.keys(keys?.localAuth ?? {}), ...Object.keys(keys?.sharedKey ?? {})].map(
      (t) => [s.name, t] as const,
    );
  });

  it("has types that take keys", () => {
    expect(keyTypes.length).toBeGreaterThan(5);
  });

  it.each(keyTypes)("%s says what proves a migration off the keys of %s", (_, type) => {
    expect(takesKeys(type)).toBe(true);
    const m = keyMigrationOf(type);
    expect(m).toBeDefined();
    expect(isGuid(m!.tokenResource.appId)).toBe(true);
    expect(m!.revoke.length).toBeGreaterThan(20);
  });

  it("names key-use tables that are KQL identifiers, or states a gap in words", () => {
    const uses = keyTypes.map(([, type]) => keyMigrationOf(type)!.keyUse);
    const tables = uses.flatMap((u) => ("gap" in u ? [] : u.map((log) => log.table)));
    expect(tables.filter((t) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(t))).toEqual([]);
    expect(new Set(tables)).toEqual(
      new Set([
        "StorageBlobLogs",
        "StorageQueueLogs",
        "StorageTableLogs",
        "StorageFileLogs",
        "CDBDataPlaneRequests",
        "AegDataPlaneRequests",
        "AZMSRunTimeAuditLogs",
        "AACHttpRequest",
      ]),
    );
    expect(uses.flatMap((u) => ("gap" in u && u.gap.split(" ").length < 8 ? [u.gap] : []))).toEqual([]);
  });

  it("reads a storage account's key use under every category its services log to: a key-based write shows under StorageWrite alone", () => {
    const keyUse = keyMigrationOf("azurerm_storage_account")!.keyUse as readonly { categories: readonly string[] }[];
    expect(keyUse.map((log) => log.categories)).toEqual(
      Array(4).fill(["StorageRead", "StorageWrite", "StorageDelete"]),
    );
  });

  it.each([
    ["azurerm_servicebus_namespace", "80a10ef9-8168-493d-abf9-3297c4ef6e3c"],
    ["azurerm_eventhub_namespace", "80369ed6-5f11-4dd9-bef3-692475845e77"],
  ])("reads %s's SAS use from the runtime audit log, and names the policies to revoke", (type, appId) => {
    const m = keyMigrationOf(type)!;
    expect(m.tokenResource.appId).toBe(appId);
    expect(m.keyUse).toEqual([
      { table: "AZMSRunTimeAuditLogs", categories: ["RuntimeAuditLogs"], keyBased: 'AuthType has "SAS"' },
    ]);
    expect(m.revoke).toMatch(/RootManageSharedAccessKey/);
  });

  it("reads an App Configuration store's key use from the access key id its HTTP requests carry", () => {
    expect(keyMigrationOf("azurerm_app_configuration")!.keyUse).toEqual([
      { table: "AACHttpRequest", categories: ["HttpRequest"], keyBased: "isnotempty(AccessKeyId)" },
    ]);
  });

  it("reads a storage account's key use per data service, on the setting of each service", () => {
    const keyUse = keyMigrationOf("azurerm_storage_account")!.keyUse as readonly { settingOn?: string }[];
    expect(keyUse.map((log) => log.settingOn)).toEqual([
      "/blobServices/default",
      "/queueServices/default",
      "/tableServices/default",
      "/fileServices/default",
    ]);
  });
});
