import { block } from "../estate/estate-model";
import { byKeys } from "../ordering";

/** One place a secret shows in the synthesized stack. */
export interface SecretHit {
  /** Resource address (`azurerm_linux_web_app.x`, `data.x.y`), or `output.<name>`, `local.<name>`, `variable.<name>`, `provider.<name>`, `terraform`. */
  readonly address: string;
  /** Where inside it, e.g. `app_settings.DB_PASSWORD`, `value`, `container.api.secure_environment_variables.X`. */
  readonly where: string;
  /** What kind of secret, for the message. */
  readonly what: string;
}

// Credential formats, recognised wherever they appear.
const GITHUB_TOKEN = /\bgh[pousr]_[A-Za-z0-9]{36,}/;
const GITHUB_FINE_GRAINED_TOKEN = /\bgithub_pat_[A-Za-z0-9_]{22,}/;
/** `sk-proj-…` keys too: `proj-` is inside the character class. */
const OPENAI_KEY = /\bsk-[A-Za-z0-9_-]{20,}/;
const SLACK_TOKEN = /\bxox[baprs]-[A-Za-z0-9-]{10,}/;
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;
/** PKCS#8, RSA, EC, OPENSSH, ENCRYPTED...; a public key has no such header, so it never matches. */
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const STORAGE_ACCOUNT_KEY = /\bAccountKey=[^;\s]+/i;
const SHARED_ACCESS_KEY = /\bSharedAccessKey=[^;\s]+/i;
const SAS_SIGNATURE = /(?:^|[?&])sig=[^&\s]+/i;

const CREDENTIAL_FORMATS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: "a GitHub token", pattern: GITHUB_TOKEN },
  { what: "a GitHub fine-grained token", pattern: GITHUB_FINE_GRAINED_TOKEN },
  { what: "an OpenAI API key", pattern: OPENAI_KEY },
  { what: "a Slack token", pattern: SLACK_TOKEN },
  { what: "an AWS access key id", pattern: AWS_ACCESS_KEY_ID },
  { what: "a PEM private key", pattern: PEM_PRIVATE_KEY },
  { what: "a storage account key in a connection string", pattern: STORAGE_ACCOUNT_KEY },
  { what: "a shared access key in a connection string", pattern: SHARED_ACCESS_KEY },
  { what: "a SAS signature", pattern: SAS_SIGNATURE },
];

/** SQL-style connection strings carry their password inline; the other connection-string secrets are formats above. */
const CONNECTION_STRING_PASSWORD = /(?:Password|Pwd)=/i;
/**
 * Attributes whose value is a secret: referencing one copies the secret where it is referenced,
 * whether as `.x`, `["x"]` or `lookup(r, "x")`. `default_` covers Service Bus and Event Hubs
 * namespaces, `\w*password` covers `admin_password` and `administrator_login_password`.
 */
const SECRET_ATTRIBUTE =
  /(?:\.|")(?:(?:default_)?(?:primary|secondary)_(?:access_key|connection_string|blob_connection_string|sql_connection_string|key|shared_key|master_key|readonly_key)|client_secret|client_key|\w*password|kube_config_raw|kube_admin_config_raw|kube_config|kube_admin_config)\b|\brandom_password\.[^.}\s]+\.result\b|\bazurerm_key_vault_secret\.[^.}\s]+\.value\b|\bazuread_(?:application|service_principal)_password\.[^.}\s]+\.value\b|\btls_private_key\.[^.}\s]+\.private_key_pem\b|azurerm_storage_account(?:_blob_container)?_sas\.[^.}\s]+\.sas\b/;
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/;
/** Functions' identity-based connections: `<connection>__credential = managedidentity` names how to sign in, not a secret. */
const MANAGED_IDENTITY = /^managedidentity$/i;

/** Words of a setting name that say its value is a secret; two-word ones (`API_KEY`, `accessKey`) are matched joined. */
const SECRET_WORDS = new Set([
  "PASSWORD",
  "PASSWD",
  "PWD",
  "SECRET",
  "TOKEN",
  "APIKEY",
  "ACCESSKEY",
  "PRIVATEKEY",
  "CONNECTIONSTRING",
  "CONNSTR",
  "SAS",
  "CREDENTIAL",
  "CREDENTIALS",
]);
/** A last word that says the value points at or describes the secret rather than being it (`KEY_VAULT_SECRET_NAME`, `TOKEN_AUDIENCE`). */
const NOT_THE_SECRET = new Set([
  "NAME",
  "URI",
  "URL",
  "ENDPOINT",
  "ID",
  "HOST",
  "PATH",
  "FILE",
  "VERSION",
  "AUDIENCE",
  "SCOPE",
  "TYPE",
  "HEADER",
]);

/** A setting name as upper-case words: `dbPassword`, `DB_PASSWORD`, `Db.Password`, `db-password`, `Db__Password` all split alike. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2") // camelCase: dbPassword
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2") // an acronym then a word: APIKey
    .split(/[\s_.-]+/)
    .filter((w) => w !== "")
    .map((w) => w.toUpperCase());
}

function namedLikeSecret(name: string): boolean {
  const words = nameWords(name);
  if (NOT_THE_SECRET.has(words.at(-1) ?? "")) return false;
  return words.some((w, i) => SECRET_WORDS.has(w) || SECRET_WORDS.has(w + (words[i + 1] ?? "")));
}

/** A value written into the stack itself: not computed by Terraform, not fetched from Key Vault. */
const isLiteral = (value: string) => value.trim() !== "" && !value.includes("${") && !KEY_VAULT_REFERENCE.test(value);

/** Why a setting (app setting, environment variable, tag) holds a secret, if it does. */
function settingSecret(name: string, value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const attribute = SECRET_ATTRIBUTE.exec(value);
  if (attribute) return `a secret attribute (${attribute[0]})`;
  if (CONNECTION_STRING_PASSWORD.test(value)) return "a password in a connection string";
  if (isLiteral(value) && !MANAGED_IDENTITY.test(value) && namedLikeSecret(name))
    return "a literal value in a setting named like a secret";
  return undefined;
}

/** Joins the parts of a `where`, leaving out empty ones (a one-item block adds nothing). */
const at = (...parts: string[]) => parts.filter((p) => p !== "").join(".");

/** A list item in a `where`: by its name (a registry credential by its server), else by index; a one-item list is a block and adds nothing. */
function label(list: readonly unknown[], i: number): string {
  const item = list[i] as Record<string, unknown> | null | undefined;
  const name = item?.name ?? item?.server;
  return typeof name === "string" ? name : list.length === 1 ? "" : String(i);
}

/** The entries of a map, without the `//` metadata cdktf writes beside the configuration. */
const entriesOf = (value: unknown): [string, any][] =>
  Object.entries(value && typeof value === "object" ? value : {}).filter(([k]) => k !== "//");

/** The items of a block list (cdktf writes a block as an object or a list), each with its label. */
function items(value: unknown): [string, Record<string, any>][] {
  const list: unknown[] = Array.isArray(value) ? value : value && typeof value === "object" ? [value] : [];
  return list.map((item, i) => [label(list, i), (item && typeof item === "object" ? item : {}) as Record<string, any>]);
}

/** Every string under `value`, with where it is. */
function* strings(value: unknown, where: string): Generator<[string, string]> {
  if (typeof value === "string") yield [where, value];
  else if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) yield* strings(value[i], at(where, label(value, i)));
  else for (const [k, v] of entriesOf(value)) yield* strings(v, at(where, k));
}

type Found = [where: string, what: string | undefined];

/** The settings and credential arguments of a resource that hold a secret. */
function resourceSecrets(c: Record<string, any>): Found[] {
  const found: Found[] = [];
  const settings = (where: string, map: unknown) =>
    entriesOf(map).forEach(([k, v]) => found.push([at(where, k), settingSecret(k, v)]));
  settings("app_settings", c.app_settings);
  settings("tags", c.tags);
  for (const [name, cs] of items(c.connection_string)) {
    if (!KEY_VAULT_REFERENCE.test(String(cs.value ?? "")))
      found.push([at("connection_string", name), "a connection string not from Key Vault"]);
  }
  if (c.storage_account_access_key !== undefined)
    found.push(["storage_account_access_key", "a storage account access key"]);
  if (block(block(c.site_config)?.application_stack)?.docker_registry_password !== undefined) {
    found.push(["site_config.application_stack.docker_registry_password", "a container registry password"]);
  }
  for (const [server, credential] of items(c.image_registry_credential)) {
    if (credential.password !== undefined)
      found.push([at("image_registry_credential", server, "password"), "a container registry password"]);
  }
  for (const [name, container] of items(c.container)) {
    settings(at("container", name, "environment_variables"), container.environment_variables);
    // "Secure" hides the value in the portal only: it is still in the configuration and in state.
    for (const [k] of entriesOf(container.secure_environment_variables))
      found.push([at("container", name, "secure_environment_variables", k), "a secure environment variable value"]);
  }
  for (const [name, container] of items(block(c.template)?.container)) {
    for (const [env, e] of items(container.env))
      found.push([at("template.container", name, "env", env), settingSecret(String(e.name ?? ""), e.value)]);
  }
  for (const [name, s] of items(c.secret))
    if (s.value !== undefined) found.push([at("secret", name), "a container app secret value"]);
  return found;
}

/** An output or local that passes on a secret attribute. Sensitive outputs too: the value is still in state and in `terraform output -json`. */
function exposedAttributes(root: Record<string, any>): Found[] {
  const caveat =
    root.sensitive === true ? ", in an output marked sensitive (still in state and in `terraform output -json`)" : "";
  return [...strings(root.value, "value")].map(([where, text]): Found => {
    const attribute = SECRET_ATTRIBUTE.exec(text);
    return [where, attribute ? `a secret attribute (${attribute[0]})${caveat}` : undefined];
  });
}

/** Every top-level block of the stack, by address, with the check of its kind (besides the format scan all get). Locals sit under `value`, like outputs. */
function* parts(
  stack: Readonly<Record<string, any>>,
): Generator<[string, Record<string, any>, (root: Record<string, any>) => Found[]]> {
  const none = () => [];
  for (const [mode, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const) {
    for (const [type, byName] of entriesOf(stack[mode]))
      for (const [name, config] of entriesOf(byName)) yield [`${prefix}${type}.${name}`, config, resourceSecrets];
  }
  for (const [name, output] of entriesOf(stack.output)) yield [`output.${name}`, output, exposedAttributes];
  for (const [name, value] of entriesOf(stack.locals)) yield [`local.${name}`, { value }, exposedAttributes];
  for (const [name, variable] of entriesOf(stack.variable)) yield [`variable.${name}`, variable, none];
  for (const [name, provider] of entriesOf(stack.provider)) yield [`provider.${name}`, provider, none];
  if (stack.terraform !== undefined) yield ["terraform", stack.terraform, none];
}

/** Every secret in a synthesized stack's JSON. Deterministic order (by address, then where). */
export function findSecrets(stackJson: Readonly<Record<string, any>>): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const [address, root, check] of parts(stackJson)) {
    const formats: Found[] = [...strings(root, "")].map(([where, text]) => [
      where,
      CREDENTIAL_FORMATS.find((f) => f.pattern.test(text))?.what,
    ]);
    // Formats first: "a GitHub token" says more than the setting that holds it. A place already reported, or with a
    // hit inside it (`connection_string.Db` when `connection_string.Db.value` is a storage key), is not reported again.
    for (const [where, what] of [...formats, ...check(root)]) {
      if (
        what !== undefined &&
        !hits.some((h) => h.address === address && (h.where === where || h.where.startsWith(`${where}.`)))
      )
        hits.push({ address, where, what });
    }
  }
  return hits.sort(
    byKeys<SecretHit>(
      (h) => h.address,
      (h) => h.where,
    ),
  );
}
