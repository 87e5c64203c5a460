import { idTextProblem, isNotApplicable, NameRule, nameRuleFor, resourceGroupNameRule } from "../constructs/azure";
import { SHIPPED_SERVICES } from "../constructs/services";

const RESOURCE_GROUP_NAME = resourceGroupNameRule()!;

const SUB = "00000000-0000-0000-0000-000000000000";

function rule(azureType: string): NameRule {
  const found = nameRuleFor(azureType);
  if (!found) throw new Error(`no name rule for ${azureType}`);
  return found;
}

interface Case {
  readonly type: string;
  readonly min: number;
  readonly max: number;
  /** Names Azure accepts, beyond the all-"a" boundary names every type accepts. */
  readonly ok: readonly string[];
  /** Names of the right length that break this type's characters or shape. */
  readonly bad: readonly string[];
}

const CASES: readonly Case[] = [
  {
    type: "Microsoft.KeyVault/vaults",
    min: 3,
    max: 24,
    ok: ["kv-app-prod", "KV-App-01", "a1b"],
    bad: ["kv--app", "-kvapp", "kvapp-", "1kvapp", "kv_app", "kv.app"],
  },
  {
    type: "Microsoft.KeyVault/vaults/secrets",
    min: 1,
    max: 127,
    ok: ["db-password", "DbPassword2", "1st", "-", "a--b"],
    bad: ["../keys/master", "keys/master", "db.password", "db_password", "db password"],
  },
  {
    type: "Microsoft.KeyVault/vaults/keys",
    min: 1,
    max: 127,
    ok: ["cmk-2024", "CMK"],
    bad: ["cmk.2024", "cmk/2024", "cmk_2024"],
  },
  {
    type: "Microsoft.KeyVault/vaults/certificates",
    min: 1,
    max: 127,
    ok: ["tls-contoso-com"],
    bad: ["tls.contoso.com", "*-contoso-com"],
  },
  {
    type: "Microsoft.Storage/storageAccounts",
    min: 3,
    max: 24,
    ok: ["stappprod01"],
    bad: ["StAppProd", "st-app", "st_app", "st.app"],
  },
  {
    type: "Microsoft.Storage/storageAccounts/blobServices/containers",
    min: 3,
    max: 63,
    ok: ["uploads", "1-a", "a-b-c", "$web", "$root", "$logs"],
    bad: ["Uploads", "up--loads", "-uploads", "uploads-", "up_loads", "up.loads", "$web2", "$WEB"],
  },
  {
    type: "Microsoft.Storage/storageAccounts/queueServices/queues",
    min: 3,
    max: 63,
    ok: ["jobs", "jobs-2", "9lives"],
    bad: ["Jobs", "jo--bs", "-jobs", "jobs-", "jobs_2"],
  },
  {
    type: "Microsoft.Storage/storageAccounts/tableServices/tables",
    min: 3,
    max: 63,
    ok: ["Orders", "orders2024", "TablesArchive"],
    bad: ["2024orders", "order-s", "order_s", "tables", "Tables", "TABLES"],
  },
  {
    type: "Microsoft.Storage/storageAccounts/fileServices/fileshares",
    min: 3,
    max: 63,
    ok: ["share-01"],
    bad: ["Share", "sha--re", "-share", "share-"],
  },
  {
    type: "Microsoft.ContainerRegistry/registries",
    min: 5,
    max: 50,
    ok: ["acrProd01", "12345"],
    bad: ["acr-prod", "acr_prod", "acr.prod"],
  },
  {
    type: "Microsoft.ServiceBus/namespaces",
    min: 6,
    max: 50,
    ok: ["sb-orders", "Orders-Prod-1", "sb--orders", "orders-sbx"],
    bad: ["1orders", "-orders", "orders-", "orders-sb", "orders-SB", "orders-mgmt", "or_ders"],
  },
  {
    type: "Microsoft.ServiceBus/namespaces/queues",
    min: 1,
    max: 260,
    ok: ["orders", "orders.v2", "orders_dead-letter", "Q"],
    bad: ["orders/v2", ".orders", "orders.", "-orders", "orders-", "_orders"],
  },
  {
    type: "Microsoft.ServiceBus/namespaces/topics",
    min: 1,
    max: 260,
    ok: ["events.v1"],
    bad: ["events/v1", "events_"],
  },
  {
    type: "Microsoft.EventHub/namespaces",
    min: 6,
    max: 50,
    ok: ["evh-telemetry", "EvhTelemetry1"],
    bad: ["1telemetry", "-telemetry", "telemetry-", "tele_metry"],
  },
  {
    type: "Microsoft.EventHub/namespaces/eventhubs",
    min: 1,
    max: 256,
    ok: ["telemetry", "telemetry.raw_v2-a"],
    bad: ["telemetry/raw", ".telemetry", "telemetry.", "-telemetry", "telemetry_"],
  },
  {
    type: "Microsoft.AppConfiguration/configurationStores",
    min: 5,
    max: 50,
    ok: ["appcs-prod", "appcs--prod", "AppCs1"],
    bad: ["appcs---prod", "-appcs", "appcs-", "app_cs", "app.cs"],
  },
  {
    type: "Microsoft.CognitiveServices/accounts",
    min: 2,
    max: 64,
    ok: ["oai-prod", "OAI1"],
    bad: ["-oai", "oai-", "oai_prod", "oai.prod"],
  },
  {
    type: "Microsoft.DocumentDB/databaseAccounts",
    min: 3,
    max: 44,
    ok: ["orders-cosmos", "c0s"],
    bad: ["Orders", "-cosmos", "cosmos-", "cos--mos", "cos_mos"],
  },
  {
    type: "Microsoft.DocumentDB/databaseAccounts/dbs/colls",
    min: 1,
    max: 255,
    ok: ["carts", "Carts_v2.(eu)-1"],
    bad: ["carts/eu", "carts#1", "carts?"],
  },
  {
    type: "Microsoft.Cache/redis",
    min: 1,
    max: 63,
    ok: ["orders-cache", "Cache1"],
    bad: ["-cache", "cache-", "ca--che", "ca_che"],
  },
  {
    type: "Microsoft.Sql/servers",
    min: 1,
    max: 63,
    ok: ["orders-sql", "sql--1"],
    bad: ["Orders-sql", "-sql", "sql-", "sql_1"],
  },
  {
    type: "Microsoft.Sql/servers/databases",
    min: 1,
    max: 128,
    ok: ["orders", "Orders_2024.(eu)-a"],
    bad: ["orders.", "orders/eu", "ord:ers"],
  },
  {
    type: "Microsoft.DBforPostgreSQL/flexibleServers",
    min: 3,
    max: 63,
    ok: ["orders-pg", "pg1"],
    bad: ["Orders-pg", "-pg1", "pg1-", "pg_1"],
  },
  {
    type: "Microsoft.DBforPostgreSQL/flexibleServers/databases",
    min: 1,
    max: 63,
    ok: ["sales", "Sales_2-a"],
    bad: ["sa.les", "sa/les"],
  },
  {
    type: "Microsoft.DBforPostgreSQL/flexibleServers/databases/schemas",
    min: 1,
    max: 63,
    ok: ["billing", "_audit$1"],
    bad: ["1billing", "bill-ing", "bill.ing"],
  },
  {
    type: "Microsoft.Insights/components",
    min: 1,
    max: 260,
    ok: ["orders-appi", "Orders_AI.(eu)"],
    bad: ["orders.", "orders/ai", "orders&ai"],
  },
  {
    type: "Microsoft.EventGrid/topics",
    min: 3,
    max: 50,
    ok: ["orders-topic", "Topic-1-"],
    bad: ["orders_topic", "orders.topic"],
  },
  {
    type: "Microsoft.Search/searchServices",
    min: 2,
    max: 60,
    ok: ["orders-search", "s1"],
    bad: ["Orders", "-search", "search-", "sea--rch"],
  },
  {
    type: "Microsoft.Search/searchServices/indexes",
    min: 2,
    max: 128,
    ok: ["products", "products--v2"],
    bad: ["Products", "-products", "products-", "prod_ucts"],
  },
  {
    type: "Microsoft.ContainerService/managedClusters",
    min: 1,
    max: 63,
    ok: ["aks-prod_01", "a"],
    bad: ["-aks", "aks-", "_aks", "aks_", "aks.prod"],
  },
  {
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    min: 3,
    max: 128,
    ok: ["id-app_prod", "1id", "id-"],
    bad: ["-id", "_id", "id.app"],
  },
  {
    type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    min: 3,
    max: 120,
    ok: ["github-main", "aks_default_sa"],
    bad: ["-github", "_github", "github.main", "repo:org/app"],
  },
  {
    type: "Microsoft.Web/sites",
    min: 2,
    max: 60,
    ok: ["app-orders", "Func1"],
    bad: ["-app", "app-", "app_orders", "app.orders"],
  },
  { type: "Microsoft.Web/sites/slots", min: 2, max: 59, ok: ["staging", "blue-1"], bad: ["stag_ing", "stag.ing"] },
];

/** Failures every type shares: whitespace, unicode, paths, and a name far too long. */
function commonBadNames(valid: string): Array<[string, string]> {
  return [
    ["empty", ""],
    ["trailing space", `${valid} `],
    ["leading space", ` ${valid}`],
    ["inner space", `${valid.slice(0, 1)} ${valid.slice(2)}`],
    ["trailing tab", `${valid}\t`],
    // JavaScript's $ would not match before a trailing newline, but a lax pattern could.
    ["trailing newline", `${valid}\n`],
    ["NUL", `${valid.slice(0, -1)}\u0000`],
    // Same length and position as a valid letter: only the accent makes it wrong.
    ["unicode", `${valid.slice(0, -1)}é`],
    ["the word café", "cafécafé"],
    ["a Kelvin sign, which case-folds to k", `${valid.slice(0, -1)}\u212a`],
    ["300 characters", "a".repeat(300)],
    ["a path", "../keys/master"],
  ];
}

describe("nameRuleFor", () => {
  it("has a rule for every resource type the library grants on", () => {
    // A grant target is a type whose definition names the role services meaningful on it.
    const targets = SHIPPED_SERVICES.flatMap(({ resourceTypes }) =>
      isNotApplicable(resourceTypes) ? [] : Object.values(resourceTypes),
    ).filter((t) => t.services);
    expect(targets).not.toHaveLength(0);
    expect(targets.map((t) => t.azureType).filter((t) => !nameRuleFor(t))).toEqual([]);
  });

  it("compares types case-insensitively and knows nothing of unknown types", () => {
    expect(nameRuleFor("microsoft.keyvault/VAULTS/Secrets")).toBe(nameRuleFor("Microsoft.KeyVault/vaults/secrets"));
    expect(nameRuleFor("Microsoft.Storage/storageAccounts/fileServices/shares")?.rule).toBe(
      rule("Microsoft.Storage/storageAccounts/fileServices/fileshares").rule,
    );
    expect(nameRuleFor("Microsoft.Sql/managedInstances")).toBeUndefined();
    expect(nameRuleFor("Microsoft.KeyVault")).toBeUndefined();
  });

  describe.each(CASES)("$type", ({ type, min, max, ok, bad }) => {
    const r = rule(type);

    it(`states its length, ${min}-${max} characters, and accepts names at both ends of it`, () => {
      expect(r.rule).toMatch(new RegExp(`^${min}-${max} characters: `));
      // "a" is a valid character, first and last, for every type in the table.
      expect(r.test("a".repeat(min))).toBe(true);
      expect(r.test("a".repeat(max))).toBe(true);
      expect(r.test("a".repeat(max + 1))).toBe(false);
      expect(r.test("a".repeat(min - 1))).toBe(false);
    });

    it.each(ok)("accepts %j", (name) => {
      expect(r.test(name)).toBe(true);
    });

    it.each(bad)("refuses %j", (name) => {
      expect(r.test(name)).toBe(false);
    });

    it.each(commonBadNames(ok[0]))("refuses a name with %s", (_why, name) => {
      expect(r.test(name)).toBe(false);
    });
  });

  it("gives a Key Vault rule a person can act on", () => {
    expect(rule("Microsoft.KeyVault/vaults")).toMatchObject({
      kind: "Key Vault",
      rule: "3-24 characters: letters, digits and hyphens; starts with a letter; ends with a letter or digit; no consecutive hyphens",
    });
    expect(rule("Microsoft.KeyVault/vaults/secrets").kind).toBe("Key Vault secret");
    expect(rule("Microsoft.KeyVault/vaults/secrets").rule).toMatch(
      /^1-127 characters: letters, digits and hyphens only/,
    );
  });

  it("says why Service Bus entities refuse the / that Azure allows", () => {
    for (const type of ["Microsoft.ServiceBus/namespaces/queues", "Microsoft.ServiceBus/namespaces/topics"]) {
      expect(rule(type).rule).toContain("Azure also allows / in these names, but this library refuses it");
      expect(rule(type).test("orders/v2")).toBe(false);
    }
  });

  it("refuses a 300-character container name and a secret named ../keys/master", () => {
    expect(rule("Microsoft.Storage/storageAccounts/blobServices/containers").test("c".repeat(300))).toBe(false);
    expect(rule("Microsoft.Storage/storageAccounts/blobServices/containers").test("c".repeat(63))).toBe(true);
    expect(rule("Microsoft.KeyVault/vaults/secrets").test("../keys/master")).toBe(false);
  });
});

describe("RESOURCE_GROUP_NAME", () => {
  it("is the resource group rule, with its length and the non-ASCII refusal in words", () => {
    expect(RESOURCE_GROUP_NAME.kind).toBe("resource group");
    expect(RESOURCE_GROUP_NAME.rule).toMatch(
      /^1-90 characters: letters, digits, underscores, hyphens, periods and parentheses; does not end with a period/,
    );
    expect(RESOURCE_GROUP_NAME.rule).toContain("this library refuses them");
    expect(nameRuleFor("Microsoft.Resources/resourceGroups")).toBe(RESOURCE_GROUP_NAME);
  });

  it.each(["rg", "rg-app_prod.(eu)", "RG.1", "a".repeat(90), "(", "_"])("accepts %j", (name) => {
    expect(RESOURCE_GROUP_NAME.test(name)).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["a".repeat(91), "91 characters"],
    ["rg.", "ends with a period"],
    [".", "a dot segment"],
    ["..", "a dot-dot segment"],
    ["rg app", "a space"],
    ["rg ", "trailing whitespace"],
    ["rg\t", "a tab"],
    ["café", "a non-ASCII letter Azure itself would take"],
    ["rg/other", "a slash"],
    ["rg#1", "a #"],
  ])("refuses %j (%s)", (name) => {
    expect(RESOURCE_GROUP_NAME.test(name)).toBe(false);
  });
});

describe("idTextProblem", () => {
  const vault = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv`;

  it("passes ordinary ids", () => {
    expect(idTextProblem(`${vault}/secrets/db-password`)).toBeUndefined();
    expect(idTextProblem(`/subscriptions/${SUB}/resourceGroups/rg-app_(eu).1`)).toBeUndefined();
    expect(idTextProblem("/providers/Microsoft.Management/managementGroups/corp")).toBeUndefined();
    expect(
      idTextProblem(
        `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/$web`,
      ),
    ).toBeUndefined();
  });

  it("refuses a secret id that climbs to another object, and says why", () => {
    const problem = idTextProblem(
      `/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/../keys/master`,
    );
    expect(problem).toBe(
      'it has a ".." segment after "secrets": URL resolution removes it, so the id would name a different resource than it spells',
    );
    // The reason is real: a URL parser turns the secret id into the vault's key.
    expect(new URL(`https://management.azure.com${vault}/secrets/../keys/master`).pathname).toBe(
      `${vault}/keys/master`,
    );
  });

  it("refuses . segments too", () => {
    expect(idTextProblem(`${vault}/./secrets/a`)).toMatch(/^it has a "\." segment after "kv"/);
    expect(idTextProblem(`/../subscriptions/${SUB}`)).toMatch(/^it has a "\.\." segment: /);
    // Dots inside a name are no segment, but no Azure name has "..": refused too.
    expect(idTextProblem(`${vault}/secrets/..a`)).toMatch(/^its segment "\.\.a" holds an interpolation/);
  });

  it.each([
    [`${vault} `, `it contains a space at index ${vault.length} (the end)`],
    [
      `/subscriptions/${SUB}/resourceGroups/my rg`,
      `it contains a space at index ${`/subscriptions/${SUB}/resourceGroups/my`.length}`,
    ],
    [`${vault}\t`, `it contains a tab (U+0009) at index ${vault.length} (the end)`],
    [`${vault}\n/secrets/a`, `it contains a line break (U+000A) at index ${vault.length}`],
    [`${vault}/secrets/a\u0000b`, `it contains a control character (U+0000) at index ${vault.length + 10}`],
    [`${vault}/secrets/a\u007f`, `it contains a control character (U+007F) at index ${vault.length + 10} (the end)`],
    [`${vault}/secrets/café`, `it contains a non-ASCII character "é" (U+00E9) at index ${vault.length + 12} (the end)`],
    [`${vault}/secrets/a\u00a0b`, `it contains non-ASCII whitespace (U+00A0) at index ${vault.length + 10}`],
    [
      `${vault}/secrets/a\u212a`,
      `it contains a non-ASCII character "\u212a" (U+212A) at index ${vault.length + 10} (the end)`,
    ],
  ])("refuses %j", (id, why) => {
    expect(idTextProblem(id)).toBe(why);
  });

  it("counts an astral character as one, and indexes in UTF-16 units like String.prototype.indexOf", () => {
    const id = `${vault}/secrets/\u{1F511}x`;
    expect(idTextProblem(id)).toBe(
      `it contains a non-ASCII character "\u{1F511}" (U+1F511) at index ${id.indexOf("\u{1F511}")}`,
    );
  });

  it.each([
    [`${vault}/secrets/a#b`, /"#" \(it ends the URL path/],
    [`${vault}/secrets/a?api-version=1`, /"\?" \(it starts a query string/],
    [`${vault}/secrets\\..\\keys\\master`, /"\\" \(URL parsers read it as "\/"\)/],
    [`${vault}/secrets/%2e%2e/keys/master`, /"%" \(percent-encoding: URL parsers read "%2e%2e" as ".."\)/],
  ])("refuses %j, which URL parsers would cut short or rewrite", (id, why) => {
    expect(idTextProblem(id)).toMatch(why);
  });

  it("is right that URL parsers rewrite \\ and %2e%2e", () => {
    expect(new URL(`https://h${vault}/secrets\\..\\keys`).pathname).toBe(`${vault}/keys`);
    expect(new URL(`https://h${vault}/secrets/%2e%2e/keys`).pathname).toBe(`${vault}/keys`);
  });
});
