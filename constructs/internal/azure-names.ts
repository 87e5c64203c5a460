/**
 * Azure's naming rules for every name this library puts into a scope or resource id, so a bad
 * name is refused at synth with a rule a person can follow, not by ARM at apply (or, worse, turned
 * into an id that names something else).
 *
 * Source, unless a row says otherwise: "Naming rules and restrictions for Azure resources"
 * (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, revision of
 * 2025-03-14). Where a service's own page says more, the row cites it; where the two disagree,
 * the row follows resource-name-rules and says so.
 *
 * Everything here is ASCII only: Azure accepts Unicode in a few places (resource groups, App
 * Service names), but those names reach ids, URLs and DNS through different encodings, so this
 * library refuses them rather than guess which one each consumer uses.
 */

/** One naming rule of Azure, as people read it, and its test. */
export interface NameRule {
  readonly kind: string;
  /** e.g. "3-24 characters: letters, digits and hyphens; starts with a letter; ends with a letter or digit; no consecutive hyphens" */
  readonly rule: string;
  test(name: string): boolean;
}

interface RuleRow {
  /** `Namespace/type[/childType...]`; more than one where Azure spells the same thing two ways. */
  readonly types: readonly string[];
  readonly kind: string;
  readonly min: number;
  readonly max: number;
  /** The characters and their order; the length is checked separately, from min and max. */
  readonly pattern: RegExp;
  /** What the pattern says, in words; the "min-max characters: " prefix is added from min and max. */
  readonly text: string;
}

// Shapes that several rows share. Every pattern is anchored and lists ASCII ranges explicitly (no
// `i` or `u` flag), so no case folding lets "K" (Kelvin sign) or "ſ" pass as a Latin letter.
/** Letters, digits and hyphens; starts and ends with a letter or digit. */
const ALNUM_HYPHEN_INSIDE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** Lowercase letters, digits and single hyphens between them (a DNS label, as storage uses it). */
const LOWER_DNS_LABEL = /^[a-z0-9](?:-?[a-z0-9])*$/;
/** Letters, digits, periods, hyphens and underscores; starts and ends with a letter or digit. */
const MESSAGING_ENTITY = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** Starts with a letter, ends with a letter or digit, letters digits and hyphens between. */
const LETTER_FIRST_HYPHENS = /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

const ROWS: readonly RuleRow[] = [
  {
    types: ["Microsoft.KeyVault/vaults"],
    kind: "Key Vault",
    min: 3,
    max: 24,
    pattern: /^(?!.*--)[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    text: "letters, digits and hyphens; starts with a letter; ends with a letter or digit; no consecutive hyphens",
  },
  // Secrets are on resource-name-rules; keys and certificates are not, so all three follow the Key
  // Vault overview's "object-name" (about-keys-secrets-certificates): 1-127 of 0-9, a-z, A-Z and -.
  // Older revisions of that page and the portal quickstarts add "starting with a letter"; the
  // current overview and resource-name-rules do not, so a leading digit or hyphen is accepted here.
  ...(["secrets", "keys", "certificates"] as const).map((child) => ({
    types: [`Microsoft.KeyVault/vaults/${child}`],
    kind: `Key Vault ${child.slice(0, -1)}`,
    min: 1,
    max: 127,
    pattern: /^[A-Za-z0-9-]+$/,
    text: "letters, digits and hyphens only (no periods, slashes, underscores or spaces)",
  })),
  {
    types: ["Microsoft.Storage/storageAccounts"],
    kind: "storage account",
    min: 3,
    max: 24,
    pattern: /^[a-z0-9]+$/,
    text: "lowercase letters and digits only (no hyphens)",
  },
  {
    // resource-name-rules says "start with lowercase letter or number, no consecutive hyphens" and
    // is silent on the end; the Blob service's naming page ("Naming and Referencing Containers,
    // Blobs, and Metadata") adds that every hyphen is preceded and followed by a letter or digit,
    // so a trailing hyphen fails there. The system containers ($root, the default container;
    // $web, static websites; $logs, storage analytics) are real containers a role can be granted on.
    types: ["Microsoft.Storage/storageAccounts/blobServices/containers"],
    kind: "blob container",
    min: 3,
    max: 63,
    pattern: /^(?:[a-z0-9](?:-?[a-z0-9])*|\$root|\$web|\$logs)$/,
    text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit; no consecutive hyphens (or one of the system containers $root, $web, $logs)",
  },
  {
    types: ["Microsoft.Storage/storageAccounts/queueServices/queues"],
    kind: "storage queue",
    min: 3,
    max: 63,
    pattern: LOWER_DNS_LABEL,
    text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit; no consecutive hyphens",
  },
  {
    // "tables" is reserved per the Table service's data-model page; names are case-insensitive.
    types: ["Microsoft.Storage/storageAccounts/tableServices/tables"],
    kind: "storage table",
    min: 3,
    max: 63,
    pattern: /^(?![Tt][Aa][Bb][Ll][Ee][Ss]$)[A-Za-z][A-Za-z0-9]*$/,
    text: 'letters and digits only (no hyphens); starts with a letter; not "tables"',
  },
  {
    // ARM's type is fileServices/shares; role-assignment scopes (and azurerm's resource_manager_id)
    // spell it fileshares. Same rule either way.
    types: [
      "Microsoft.Storage/storageAccounts/fileServices/fileshares",
      "Microsoft.Storage/storageAccounts/fileServices/shares",
    ],
    kind: "file share",
    min: 3,
    max: 63,
    pattern: LOWER_DNS_LABEL,
    text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit; no consecutive hyphens",
  },
  {
    types: ["Microsoft.ContainerRegistry/registries"],
    kind: "container registry",
    min: 5,
    max: 50,
    pattern: /^[A-Za-z0-9]+$/,
    text: "letters and digits only (no hyphens)",
  },
  {
    // The "-sb"/"-mgmt" ending is from Service Bus's own create-namespace pages (portal quickstart);
    // resource-name-rules does not mention it, but does not contradict it either.
    types: ["Microsoft.ServiceBus/namespaces"],
    kind: "Service Bus namespace",
    min: 6,
    max: 50,
    pattern: /^(?!.*-(?:[Ss][Bb]|[Mm][Gg][Mm][Tt])$)[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    text: 'letters, digits and hyphens; starts with a letter; ends with a letter or digit; does not end in "-sb" or "-mgmt"',
  },
  ...(
    [
      ["queues", "Service Bus queue"],
      ["topics", "Service Bus topic"],
    ] as const
  ).map(([child, kind]) => ({
    types: [`Microsoft.ServiceBus/namespaces/${child}`],
    kind,
    min: 1,
    max: 260,
    pattern: MESSAGING_ENTITY,
    text:
      "letters, digits, periods, hyphens and underscores; starts and ends with a letter or digit " +
      "(Azure also allows / in these names, but this library refuses it: a / would change the shape of the resource id)",
  })),
  {
    types: ["Microsoft.EventHub/namespaces"],
    kind: "Event Hubs namespace",
    min: 6,
    max: 50,
    pattern: LETTER_FIRST_HYPHENS,
    text: "letters, digits and hyphens; starts with a letter; ends with a letter or digit",
  },
  {
    types: ["Microsoft.EventHub/namespaces/eventhubs"],
    kind: "event hub",
    min: 1,
    max: 256,
    pattern: MESSAGING_ENTITY,
    text: "letters, digits, periods, hyphens and underscores; starts and ends with a letter or digit",
  },
  {
    // Two hyphens in a row are allowed, three are not: "Can't contain a sequence of more than two hyphens".
    types: ["Microsoft.AppConfiguration/configurationStores"],
    kind: "App Configuration store",
    min: 5,
    max: 50,
    pattern: /^(?!.*---)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
    text: "letters, digits and hyphens; starts and ends with a letter or digit; no more than two hyphens in a row",
  },
  {
    types: ["Microsoft.CognitiveServices/accounts"],
    kind: "Cognitive Services account",
    min: 2,
    max: 64,
    pattern: ALNUM_HYPHEN_INSIDE,
    text: "letters, digits and hyphens; starts and ends with a letter or digit",
  },
  {
    types: ["Microsoft.DocumentDB/databaseAccounts"],
    kind: "Cosmos DB account",
    min: 3,
    max: 44,
    pattern: LOWER_DNS_LABEL,
    text: "lowercase letters, digits and single hyphens; starts and ends with a letter or digit",
  },
  {
    // Cosmos DB's own limits ("Azure Cosmos DB service quotas"): any character but / \ # ?, no trailing space;
    // this library also refuses spaces and non-ASCII, which reach the data-plane scope unencoded.
    types: [
      "Microsoft.DocumentDB/databaseAccounts/dbs",
      "Microsoft.DocumentDB/databaseAccounts/dbs/colls",
      "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
      "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers",
    ],
    kind: "Cosmos DB database or container",
    min: 1,
    max: 255,
    pattern: /^[A-Za-z0-9_.()-]+$/,
    text: "letters, digits, underscores, periods, hyphens and parentheses",
  },
  {
    types: ["Microsoft.Cache/redis"],
    kind: "Redis cache",
    min: 1,
    max: 63,
    pattern: /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/,
    text: "letters, digits and single hyphens; starts and ends with a letter or digit",
  },
  {
    types: ["Microsoft.Sql/servers"],
    kind: "Azure SQL server",
    min: 1,
    max: 63,
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    text: "lowercase letters, digits and hyphens; does not start or end with a hyphen",
  },
  {
    // Azure allows more (anything but <>*%&:\/? and control characters, not ending with a period or space).
    types: ["Microsoft.Sql/servers/databases"],
    kind: "Azure SQL database",
    min: 1,
    max: 128,
    pattern: /^[A-Za-z0-9_.()-]*[A-Za-z0-9_()-]$/,
    text: "letters, digits, underscores, hyphens, periods and parentheses; does not end with a period",
  },
  {
    types: ["Microsoft.DBforPostgreSQL/flexibleServers"],
    kind: "PostgreSQL flexible server",
    min: 3,
    max: 63,
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit",
  },
  {
    types: ["Microsoft.DBforPostgreSQL/flexibleServers/databases"],
    kind: "PostgreSQL database",
    min: 1,
    max: 63,
    pattern: /^[A-Za-z0-9_-]+$/,
    text: "letters, digits, hyphens and underscores",
  },
  {
    // Not an ARM resource: an identifier in the database, named in the statements the stack outputs.
    types: ["Microsoft.DBforPostgreSQL/flexibleServers/databases/schemas"],
    kind: "PostgreSQL schema",
    min: 1,
    max: 63,
    pattern: /^[A-Za-z_][A-Za-z0-9_$]*$/,
    text: "letters, digits, underscores and $; starts with a letter or underscore",
  },
  {
    // Azure allows more (anything but %&\?/ and control characters, not ending with a space or period).
    types: ["Microsoft.Insights/components"],
    kind: "Application Insights component",
    min: 1,
    max: 260,
    pattern: /^[A-Za-z0-9_.()-]*[A-Za-z0-9_()-]$/,
    text: "letters, digits, underscores, hyphens, periods and parentheses; does not end with a period",
  },
  {
    types: ["Microsoft.EventGrid/topics", "Microsoft.EventGrid/domains"],
    kind: "Event Grid topic or domain",
    min: 3,
    max: 50,
    pattern: /^[A-Za-z0-9-]+$/,
    text: "letters, digits and hyphens",
  },
  {
    types: ["Microsoft.Search/searchServices"],
    kind: "AI Search service",
    min: 2,
    max: 60,
    pattern: LOWER_DNS_LABEL,
    text: "lowercase letters, digits and single hyphens; starts and ends with a letter or digit",
  },
  {
    // Azure AI Search's naming rules: "Index, field, and indexer names".
    types: ["Microsoft.Search/searchServices/indexes"],
    kind: "search index",
    min: 2,
    max: 128,
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit",
  },
  {
    types: ["Microsoft.ContainerService/managedClusters"],
    kind: "AKS cluster",
    min: 1,
    max: 63,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/,
    text: "letters, digits, underscores and hyphens; starts and ends with a letter or digit",
  },
  {
    types: ["Microsoft.Network/virtualNetworks"],
    kind: "virtual network",
    min: 2,
    max: 64,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/,
    text: "letters, digits, underscores, periods and hyphens; starts with a letter or digit, ends with a letter, digit or underscore",
  },
  {
    types: ["Microsoft.Network/virtualNetworks/subnets"],
    kind: "subnet",
    min: 1,
    max: 80,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/,
    text: "letters, digits, underscores, periods and hyphens; starts with a letter or digit, ends with a letter, digit or underscore",
  },
  {
    // Labels of letters, digits, underscores and hyphens, separated by periods (a DNS name).
    types: ["Microsoft.Network/privateDnsZones"],
    kind: "private DNS zone",
    min: 1,
    max: 253,
    pattern:
      /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)+$/,
    text: "DNS labels of letters, digits, underscores and hyphens (at most 63 each) separated by periods",
  },
  {
    // The same rule user-assigned-identity.ts enforces: ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$.
    types: ["Microsoft.ManagedIdentity/userAssignedIdentities"],
    kind: "user-assigned identity",
    min: 3,
    max: 128,
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    text: "letters, digits, hyphens and underscores; starts with a letter or digit",
  },
  {
    // Not on resource-name-rules. Entra's workload identity federation page: 3-120 characters, URL
    // friendly, alphanumeric, dash or underscore, first character alphanumeric; the same rule
    // federation.ts enforces (^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$).
    types: ["Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"],
    kind: "federated identity credential",
    min: 3,
    max: 120,
    pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    text: "letters, digits, hyphens and underscores; starts with a letter or digit",
  },
  {
    // resource-name-rules gives the host name's rule (Linux 1-64, Windows 1-15; no spaces, control
    // characters or ~!@#$%^&*()=+_[]{}\|;:.'",<>/?; no trailing period or hyphen) and says the
    // resource name may have 64 characters. azurerm checks the host name it derives from the name
    // the same way (LinuxComputerNameFull) but lets Linux hosts have periods, so this library
    // takes letters, digits, periods and hyphens; Windows hosts are checked below.
    types: ["Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachineScaleSets"],
    kind: "virtual machine or scale set",
    min: 1,
    max: 64,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/,
    text: "letters, digits, periods and hyphens; starts and ends with a letter or digit",
  },
  {
    types: ["Microsoft.ContainerInstance/containerGroups"],
    kind: "container group",
    min: 1,
    max: 63,
    pattern: LOWER_DNS_LABEL,
    text: "lowercase letters, digits and single hyphens; starts and ends with a letter or digit",
  },
  {
    // resource-name-rules: 2-32, lowercase letters, numbers and hyphens, starts with a letter, ends
    // with an alphanumeric. Container Apps' own error for a bad name adds "cannot have '--'".
    types: ["Microsoft.App/containerApps"],
    kind: "container app",
    min: 2,
    max: 32,
    pattern: /^[a-z](?:-?[a-z0-9])*$/,
    text: "lowercase letters, digits and single hyphens; starts with a letter; ends with a letter or digit",
  },
  {
    types: ["Microsoft.Web/sites"],
    kind: "App Service app",
    min: 2,
    max: 60,
    pattern: ALNUM_HYPHEN_INSIDE,
    text:
      "letters, digits and hyphens; starts and ends with a letter or digit " +
      "(Azure also accepts Unicode that maps to Punycode; this library refuses non-ASCII)",
  },
  {
    // resource-name-rules gives slots no start/end rule, so none is added here.
    types: ["Microsoft.Web/sites/slots"],
    kind: "deployment slot",
    min: 2,
    max: 59,
    pattern: /^[A-Za-z0-9-]+$/,
    text: "letters, digits and hyphens (Azure also accepts Unicode that maps to Punycode; this library refuses non-ASCII)",
  },
  {
    // Azure accepts any Unicode letter or digit (Char.IsLetterOrDigit) in resource group names.
    types: ["Microsoft.Resources/resourceGroups"],
    kind: "resource group",
    min: 1,
    max: 90,
    pattern: /^[A-Za-z0-9_.()-]*[A-Za-z0-9_()-]$/,
    text:
      "letters, digits, underscores, hyphens, periods and parentheses; does not end with a period " +
      "(Azure also accepts non-ASCII letters and digits; this library refuses them)",
  },
];

function toRule(row: RuleRow): NameRule {
  return {
    kind: row.kind,
    rule: `${row.min}-${row.max} characters: ${row.text}`,
    test: (name) =>
      typeof name === "string" && name.length >= row.min && name.length <= row.max && row.pattern.test(name),
  };
}

const RULES = new Map<string, NameRule>(
  ROWS.flatMap((row) => row.types.map((t) => [t.toLowerCase(), toRule(row)] as const)),
);

/** The rule for names of an Azure resource type (`Namespace/type[/childType...]`, compared case-insensitively), or undefined. */
export function nameRuleFor(azureType: string): NameRule | undefined {
  return RULES.get(azureType.toLowerCase());
}

/**
 * The host name a VM takes from its resource name when `computer_name` is not set, or the prefix a
 * scale set takes when `computer_name_prefix` is not (Azure appends 6 characters). Windows:
 * resource-name-rules' 1-15, and azurerm's WindowsComputerNameFull/Prefix (letters, digits and
 * hyphens, not only digits; a prefix at most 9, a full name not ending with a hyphen). Linux:
 * azurerm's LinuxComputerNamePrefix caps a prefix at 58.
 */
export function computerNameRule(os: "windows" | "linux", prefix: boolean): NameRule {
  const max = os === "windows" ? (prefix ? 9 : 15) : prefix ? 58 : 64;
  const chars = os === "windows" ? /^[A-Za-z0-9-]+$/ : /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
  return {
    kind: `${os === "windows" ? "Windows" : "Linux"} computer name${prefix ? " prefix" : ""}`,
    rule:
      `1-${max} characters: letters, digits${os === "windows" ? " and hyphens; not only digits" : ", periods and hyphens; starts with a letter or digit; does not end with a period"}` +
      (prefix ? "" : "; does not end with a hyphen"),
    test: (name) =>
      name.length <= max &&
      chars.test(name) &&
      !(os === "windows" && /^[0-9]+$/.test(name)) &&
      !(os === "linux" && name.endsWith(".")) &&
      (prefix || !name.endsWith("-")),
  };
}

/** Resource group names: 1-90 characters/** Resource group names: 1-90 characters, ASCII letters, digits, `_-.()`, not ending with a period. */
export const RESOURCE_GROUP_NAME: NameRule = nameRuleFor("Microsoft.Resources/resourceGroups")!;

/** What `ch` is, for a message, if it may not appear in an id; undefined when it may. */
function describeBadChar(ch: string): string | undefined {
  const code = ch.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (ch === " ") return "a space";
  if (ch === "\t") return "a tab (U+0009)";
  if (ch === "\n" || ch === "\r") return `a line break (${hex})`;
  if (code < 0x20 || code === 0x7f) return `a control character (${hex})`;
  if (code > 0x7f) return /\s/u.test(ch) ? `non-ASCII whitespace (${hex})` : `a non-ASCII character "${ch}" (${hex})`;
  // ARM ids travel as URL paths. resource-name-rules warns that # breaks ARM's URL parsing; ? starts
  // a query the same way; URL parsers read \ as / and %2e%2e as .., which would get past the
  // segment check below.
  if (ch === "#") return 'a "#" (it ends the URL path: ARM would never see the rest)';
  if (ch === "?") return 'a "?" (it starts a query string: ARM would never see the rest)';
  if (ch === "\\") return 'a "\\" (URL parsers read it as "/")';
  if (ch === "%") return 'a "%" (percent-encoding: URL parsers read "%2e%2e" as "..")';
  return undefined;
}

const PLAIN_ID = /^[\x21-\x7e]*$/;
const RESHAPING = /[#?\\%]/;

/** Why `id` cannot be an Azure resource id segment-wise: `..` or `.` segments, whitespace, control characters, non-ASCII characters, or undefined when fine. */
export function idTextProblem(id: string): string | undefined {
  // A dot segment is resolved away by every URL parser (new URL, HTTP clients, proxies): the id
  // would address, and a role assignment would reach, a different resource than it spells.
  const segments = id.split("/");
  const dot = segments.findIndex((s) => s === "." || s === "..");
  if (dot >= 0) {
    const after = dot > 0 && segments[dot - 1] ? ` after "${segments[dot - 1]}"` : "";
    return `it has a "${segments[dot]}" segment${after}: URL resolution removes it, so the id would name a different resource than it spells`;
  }
  // Nearly every id is printable ASCII without a URL-reshaping character: skip the per-character scan.
  if (PLAIN_ID.test(id) && !RESHAPING.test(id)) return undefined;
  let index = 0;
  for (const ch of id) {
    const bad = describeBadChar(ch);
    if (bad) return `it contains ${bad} at index ${index}${index === id.length - ch.length ? " (the end)" : ""}`;
    index += ch.length;
  }
  return undefined;
}
