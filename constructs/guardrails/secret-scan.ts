import { block } from "../estate/estate-model";
import { notSecretWhen, secretAttributes } from "../azure/contract/keys";
import { byKeys } from "../core/ordering";

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

/**
 * A SAS signature in any of its written forms, found by parsing, not by a pattern: a URL's query
 * (`?sv=...&sig=...`), a connection string's `SharedAccessSignature=<query>` (whose first
 * parameter may be `sig` itself), Service Bus and Event Hubs tokens
 * (`SharedAccessSignature sr=...&sig=...&se=...&skn=...`), a bare query, and each of them
 * percent-encoded once inside another URL.
 */
function hasSasSignature(text: string): boolean {
  // Every form needs a `sig` key, written out or percent-encoded: most values have neither, so skip the parse.
  if (!text.includes("%") && !/sig/i.test(text)) return false;
  const decoded = safeDecode(text);
  return [text, ...(decoded === text ? [] : [decoded])].some((form) =>
    form.split(/[\s;?"'<>(),]+/).some((segment) =>
      segment
        .replace(/^SharedAccessSignature=/i, "")
        .split("&")
        .some((pair) => {
          const eq = pair.indexOf("=");
          return eq > 0 && pair.slice(0, eq).toLowerCase() === "sig" && eq < pair.length - 1;
        }),
    ),
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const CREDENTIAL_FORMATS: readonly { readonly what: string; readonly test: (text: string) => boolean }[] = [
  { what: "a GitHub token", test: (t) => GITHUB_TOKEN.test(t) },
  { what: "a GitHub fine-grained token", test: (t) => GITHUB_FINE_GRAINED_TOKEN.test(t) },
  { what: "an OpenAI API key", test: (t) => OPENAI_KEY.test(t) },
  { what: "a Slack token", test: (t) => SLACK_TOKEN.test(t) },
  { what: "an AWS access key id", test: (t) => AWS_ACCESS_KEY_ID.test(t) },
  { what: "a PEM private key", test: (t) => PEM_PRIVATE_KEY.test(t) },
  { what: "a storage account key in a connection string", test: (t) => STORAGE_ACCOUNT_KEY.test(t) },
  { what: "a shared access key in a connection string", test: (t) => SHARED_ACCESS_KEY.test(t) },
  { what: "a SAS signature", test: hasSasSignature },
];

/** SQL-style connection strings carry their password inline; the other connection-string secrets are formats above. */
const CONNECTION_STRING_PASSWORD = /(?:Password|Pwd)=/i;

/** A traversal inside an interpolation: `azurerm_x.name.attr[0]["k"]`, `data.azurerm_x.name`, `module.m.out`. */
const TRAVERSAL =
  /(?<![\w.$-])((?:data\.)?[A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\.\*|\[[0-9*]+\]|\["[^"]*"\])*)/g;
/** Roots whose attributes no table describes: their values come from elsewhere, so only a secret's name tells. */
const OPAQUE_ROOTS = new Set(["module", "var", "local", "each", "count", "self"]);
/** Leaf names of the table that say they are secrets: what an opaque root's attribute is judged by. */
const SECRET_NAMED = /(?:^|_)(?:key|keys|secret|password|connection_string|token|sas)$/;
let leaves: { readonly of: ReturnType<typeof secretAttributes>; readonly names: ReadonlySet<string> } | undefined;
/** Rebuilt with the table (a service registered since adds its attributes). */
function secretLeaves(): ReadonlySet<string> {
  const table = secretAttributes();
  if (leaves?.of !== table)
    leaves = {
      of: table,
      names: new Set(
        [...table.values()].flatMap((paths) => paths.map((p) => p.at(-1)!)).filter((n) => SECRET_NAMED.test(n)),
      ),
    };
  return leaves.names;
}

/**
 * A Terraform string split into its literal text and its `${...}` interpolations and `%{...}`
 * directives (a directive's expression is read like an interpolation's); `$${` and `%%{` are
 * escapes. Braces inside quoted strings of an expression do not count.
 */
function templateParts(text: string): { literals: string[]; expressions: string[] } {
  const literals: string[] = [];
  const expressions: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length - 1; i++) {
    if ((text[i] !== "$" && text[i] !== "%") || text[i + 1] !== "{") continue;
    if (i > 0 && text[i - 1] === text[i]) continue;
    const end = expressionEnd(text, i + 2);
    if (end === undefined) break;
    literals.push(text.slice(from, i));
    expressions.push(text.slice(i + 2, end - 1));
    from = end;
    i = end - 1;
  }
  literals.push(text.slice(from));
  return { literals, expressions };
}

/** Where an expression opened before `from` closes (after its `}`), skipping quoted strings. */
function expressionEnd(text: string, from: number): number | undefined {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '"') i = quotedEnd(text, i);
    else if (text[i] === "{") depth += 1;
    else if (text[i] === "}" && --depth === 0) return i + 1;
  }
  return undefined;
}

/** The index of the `"` that closes the quoted string opened at `open` (or the end of the text). */
function quotedEnd(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/**
 * An expression as its string literals (HCL escapes decoded: `\u0070` is `p`) and its code with
 * the whitespace HCL allows around `.` and `[` removed (`a . b` is `a.b`), so neither hides a
 * secret from the patterns.
 */
function readExpression(expression: string): { literals: string[]; code: string } {
  const literals: string[] = [];
  let code = "";
  let from = 0;
  for (let i = expression.indexOf('"'); i >= 0; i = expression.indexOf('"', from)) {
    const end = quotedEnd(expression, i);
    code += expression.slice(from, i);
    const raw = expression.slice(i + 1, end);
    literals.push(
      raw.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/gs, (all, u4, u8, c) =>
        u4 || u8 ? String.fromCodePoint(parseInt(u4 ?? u8, 16)) : (ESCAPES[c] ?? all),
      ),
    );
    code += `"${raw}"`;
    from = end + 1;
  }
  code += expression.slice(from);
  return { literals, code: code.replace(/\s*\.\s*/g, ".").replace(/\s+\[/g, "[") };
}

/** The interpolations of a Terraform string, as code a traversal pattern reads. */
const interpolations = (text: string): string[] => templateParts(text).expressions.map((e) => readExpression(e).code);

/** An expression's literals joined; a `format` call's arguments put into its verbs (`%s`, `%v`, `%q`, `%d`). */
function foldLiterals({ literals, code }: { literals: string[]; code: string }): string {
  if (!/^\s*format\s*\(\s*"/.test(code) || literals.length < 2) return literals.join("");
  const [pattern, ...args] = literals;
  let next = 0;
  return pattern.replace(/%%|%[-+# 0-9.]*[svqd]/g, (verb) => (verb === "%%" ? "%" : (args[next++] ?? "")));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4}){3,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The texts a string may become that its own text does not show: each interpolation replaced by
 * its string literals joined (`join("", ["gh", "p_..."])`, `${"gh\u0070_..."}`), each literal
 * that is base64 decoded (`base64decode("...")`), and percent-encoding undone up to three times.
 */
function hiddenForms(text: string): string[] {
  const { literals, expressions } = templateParts(text);
  const read = expressions.map(readExpression);
  const folded = literals.map((l, i) => l + (read[i] ? foldLiterals(read[i]) : "")).join("");
  const decoded = read
    .flatMap((r) => r.literals)
    .filter((l) => BASE64.test(l))
    .map((l) => Buffer.from(l, "base64").toString("utf8"));
  const forms = [folded, ...decoded];
  for (let round = 0, last = text; round < 3; round++) {
    const next = safeDecode(last);
    if (next === last) break;
    forms.push(next);
    last = next;
  }
  return forms.filter((f) => f !== text);
}

const segmentsOf = (path: string) =>
  [...path.matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\["([^"]*)"\]/g)].map((m) => m[1] ?? m[2]);

/**
 * The secret attribute a string copies, if any, judged from the one table of every resource
 * type's key attributes: a reference to a listed attribute, to anything inside it, or to a block
 * or whole resource that holds one (`lookup(r, "key")` and `jsonencode(r)` copy the keys too).
 */
function secretReference(text: string, stack: Readonly<Record<string, any>>): string | undefined {
  for (const expression of interpolations(text)) {
    for (const [written, root, name, rest] of expression.matchAll(TRAVERSAL)) {
      const path = segmentsOf(rest);
      if (OPAQUE_ROOTS.has(root)) {
        if ([name, ...path].some((n) => secretLeaves().has(n))) return written;
        continue;
      }
      const hit = (secretAttributes().get(root) ?? []).find((secret) =>
        secret.every((s, i) => i >= path.length || path[i] === s),
      );
      if (hit && !exempt(root, name, hit, stack)) return written;
    }
  }
  return undefined;
}

/** A sensitive attribute that the referenced resource's own configuration makes no secret. */
function exempt(type: string, name: string, path: readonly string[], stack: Readonly<Record<string, any>>): boolean {
  const rule = notSecretWhen(type);
  const config = block(stack.resource?.[type]?.[name]);
  return rule !== undefined && config !== undefined && rule.paths.includes(path.join(".")) && rule.when(config);
}

/**
 * A Key Vault reference as App Service and Functions read it, and nothing more:
 * `@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>[/<version>])` or
 * `@Microsoft.KeyVault(VaultName=<vault>;SecretName=<name>[;SecretVersion=<version>])`. A value
 * that only starts like one (text after the `)`, another parameter, no secret named) is no
 * reference: the platform uses it verbatim, so it is judged like any other value.
 */
function isKeyVaultReference(value: string): boolean {
  const inner = /^@Microsoft\.KeyVault\((.*)\)$/s.exec(value)?.[1];
  if (inner === undefined) return false;
  const parts = inner.split(";").map((p) => p.split("="));
  if (parts.some((p) => p.length !== 2)) return false;
  const params = new Map(parts.map(([k, v]) => [k.toLowerCase(), v] as const));
  if (params.size !== parts.length) return false;
  const uri = params.get("secreturi");
  if (uri !== undefined) return params.size === 1 && (isSecretUri(uri) || isSecretIdReference(uri));
  const vault = params.get("vaultname");
  const name = params.get("secretname");
  const version = params.get("secretversion");
  const known = ["vaultname", "secretname", "secretversion"];
  return (
    [...params.keys()].every((k) => known.includes(k)) &&
    vault !== undefined &&
    /^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(vault) &&
    name !== undefined &&
    SECRET_NAME.test(name) &&
    (version === undefined || SECRET_VERSION.test(version))
  );
}

const SECRET_NAME = /^[A-Za-z0-9-]{1,127}$/;
const SECRET_VERSION = /^[0-9a-f]{32}$/i;
const VAULT_HOSTS = ["vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net", "vault.microsoftazure.de"];

function isSecretUri(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const [vault, ...domain] = url.hostname.split(".");
  const [empty, secrets, name, version, ...more] = url.pathname.split("/");
  return (
    url.protocol === "https:" &&
    url.username === "" &&
    url.password === "" &&
    url.port === "" &&
    url.search === "" &&
    url.hash === "" &&
    VAULT_HOSTS.includes(domain.join(".")) &&
    /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/.test(vault) &&
    empty === "" &&
    secrets === "secrets" &&
    SECRET_NAME.test(name ?? "") &&
    (version === undefined || version === "" || SECRET_VERSION.test(version)) &&
    (more.length === 0 || (more.length === 1 && more[0] === "" && version !== ""))
  );
}

/** A secret's id from the stack (`${azurerm_key_vault_secret.x.versionless_id}`): the URI Terraform fills in. */
const isSecretIdReference = (text: string) =>
  /^\$\{(?:data\.)?azurerm_key_vault_secret\.[A-Za-z0-9_-]+\.(?:id|versionless_id)\}$/.test(text);

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
const isLiteral = (value: string) => value.trim() !== "" && !value.includes("${") && !isKeyVaultReference(value);

/** Why a setting (app setting, environment variable, tag) holds a secret, if it does. */
function settingSecret(name: string, value: unknown, stack: Readonly<Record<string, any>>): string | undefined {
  if (typeof value !== "string") return undefined;
  const attribute = secretReference(value, stack);
  if (attribute) return `a secret attribute (${attribute})`;
  if (value.startsWith("@Microsoft.KeyVault(") && !isKeyVaultReference(value))
    return "a value that looks like a Key Vault reference but is none, so it is used as written";
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
function resourceSecrets(c: Record<string, any>, stack: Readonly<Record<string, any>>): Found[] {
  const found: Found[] = [];
  const settings = (where: string, map: unknown) =>
    entriesOf(map).forEach(([k, v]) => found.push([at(where, k), settingSecret(k, v, stack)]));
  settings("app_settings", c.app_settings);
  settings("tags", c.tags);
  for (const [name, cs] of items(c.connection_string)) {
    if (!isKeyVaultReference(String(cs.value ?? "")))
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
      found.push([at("template.container", name, "env", env), settingSecret(String(e.name ?? ""), e.value, stack)]);
  }
  for (const [name, s] of items(c.secret))
    if (s.value !== undefined) found.push([at("secret", name), "a container app secret value"]);
  return found;
}

/** An output or local that passes on a secret attribute. Sensitive outputs too: the value is still in state and in `terraform output -json`. */
function exposedAttributes(root: Record<string, any>, stack: Readonly<Record<string, any>>): Found[] {
  const caveat =
    root.sensitive === true ? ", in an output marked sensitive (still in state and in `terraform output -json`)" : "";
  return [...strings(root.value, "value")].map(([where, text]): Found => {
    const attribute = secretReference(text, stack);
    return [where, attribute ? `a secret attribute (${attribute})${caveat}` : undefined];
  });
}

/** Every top-level block of the stack, by address, with the check of its kind (besides the format scan all get). Locals sit under `value`, like outputs. */
function* parts(
  stack: Readonly<Record<string, any>>,
): Generator<
  [string, Record<string, any>, (root: Record<string, any>, stack: Readonly<Record<string, any>>) => Found[]]
> {
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
    const formats: Found[] = [...strings(root, "")].map(([where, text]) => {
      const hidden = text.includes("{") || text.includes("%") ? hiddenForms(text) : [];
      return [
        where,
        CREDENTIAL_FORMATS.find((f) => f.test(text))?.what ?? CREDENTIAL_FORMATS.find((f) => hidden.some(f.test))?.what,
      ];
    });
    // Formats first: "a GitHub token" says more than the setting that holds it. A place already reported, or with a
    // hit inside it (`connection_string.Db` when `connection_string.Db.value` is a storage key), is not reported again.
    for (const [where, what] of [...formats, ...check(root, stackJson)]) {
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
