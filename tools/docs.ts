// npm run docs: rewrites the generated tables in docs/ from the code: the rule table in
// docs/guardrails.md from the rule catalogue, the service table in docs/services.md from the
// service registry. Only the text between a table's marker comments is rewritten; the prose around
// it is written by hand. __tests__/docs.test.ts fails when a checked-in table is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SHIPPED_SERVICES } from "../constructs/services";
import { RULE_CATALOGUE } from "../constructs/guardrails";
import { RUNTIMES } from "../scripts/runtimes";
import { SUPPORTED_TYPESCRIPT } from "../scripts/typescript-range";

/** A generated table: the docs file it lives in, its marker name and its rendering. */
interface GeneratedTable {
  readonly file: string;
  readonly marker: string;
  render(): string;
}

const NONE = "—";

/** A table cell: one line, pipes escaped. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");

function renderRuleTable(): string {
  return table(
    ["id", "name", "family", "default severity", "description"],
    RULE_CATALOGUE.map((r) => [r.id, r.name, r.family, r.defaultSeverity, r.description]),
  );
}

// Parts are read loosely: the service contract gains its parts one at a time, and a part not yet
// in a definition renders as "—" instead of failing the generator.
type Loose = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
const unique = (items: readonly string[]): string[] => [...new Set(items)];
const listOr = (items: readonly string[], separator = ", "): string =>
  items.length === 0 ? NONE : unique(items).join(separator);

/** A part's cell: "—" when absent, its stated reason when not applicable, else what `render` makes of it. */
function partCell(service: Loose, part: string, render: (value: Loose) => string): string {
  const value = service[part];
  if (!isObject(value)) return NONE;
  if (typeof value.notApplicable === "string") return `n/a: ${value.notApplicable}`;
  return render(value);
}

const grantableKinds = (types: Loose): string =>
  listOr(
    Object.values(types).flatMap((t) =>
      isObject(t) && Array.isArray(t.services) && typeof t.kind === "string" ? [t.kind] : [],
    ),
  );

const PLANES = ["data", "control", "platform", "privileged"];

/** Role names grouped by plane: "data: A, B; control: C". */
function rolesByPlane(roles: Loose): string {
  const named = Object.values(roles).filter(isObject);
  const groups = PLANES.flatMap((plane) => {
    const names = named.filter((r) => r.plane === plane).flatMap((r) => (typeof r.name === "string" ? [r.name] : []));
    return names.length === 0 ? [] : [`${plane}: ${unique(names).join(", ")}`];
  });
  return groups.length === 0 ? NONE : groups.join("; ");
}

const authorizer = (part: Loose): string =>
  part.system === "azure-rbac" ? "Azure RBAC" : typeof part.system === "string" ? `its own (${part.system})` : NONE;

/** One audit profile: the table naming callers, or the stated gap. */
function profileText(profile: Loose): string {
  const table = isObject(profile.log) && typeof profile.log.table === "string" ? `\`${profile.log.table}\`` : undefined;
  const gap = typeof profile.gap === "string" ? `gap: ${profile.gap}` : undefined;
  return [table, gap].filter((t) => t !== undefined).join(", ") || NONE;
}

function auditText(part: Loose): string {
  const texts = (Array.isArray(part.resources) ? part.resources : []).filter(isObject).flatMap((resource) => {
    const logs = resource.logs;
    const profiles: [label: string | undefined, profile: unknown][] = Array.isArray(logs)
      ? logs.filter(isObject).map((l) => [undefined, l.profile])
      : isObject(logs) && "premium" in logs
        ? [
            ["Premium", logs.premium],
            ["other tiers", logs.otherTiers],
          ]
        : [[undefined, logs]];
    return profiles.filter((p): p is [string | undefined, Loose] => isObject(p[1]));
  });
  const many = texts.length > 1;
  const rendered = texts.map(([label, p]) => {
    const prefix = label ?? (many && typeof p.kind === "string" ? p.kind : undefined);
    return prefix ? `${prefix}: ${profileText(p)}` : profileText(p);
  });
  if (isObject(part.workspace)) rendered.push("receives the audit logs");
  return listOr(rendered, "; ");
}

/** Where a migration off the keys reads their use: the tables, or the stated gap. */
function keyUseText(part: Loose): string {
  const uses = isObject(part.migration) ? Object.values(part.migration).filter(isObject) : [];
  return listOr(
    uses.flatMap(({ keyUse: u }) =>
      Array.isArray(u)
        ? u.filter(isObject).flatMap((log) => (typeof log.table === "string" ? [`\`${log.table}\``] : []))
        : isObject(u) && typeof u.gap === "string"
          ? [`gap: ${u.gap}`]
          : [],
    ),
    "; ",
  );
}

function privateLinkGroups(part: Loose): string {
  const targets = (Array.isArray(part.targets) ? part.targets : []).filter(isObject);
  return listOr(
    targets.flatMap((t) =>
      typeof t.privateLinkGroup === "string"
        ? [t.privateLinkGroup]
        : isObject(t.privateLinkGroup)
          ? strings(Object.values(t.privateLinkGroup))
          : [],
    ),
  );
}

function renderServiceTable(): string {
  const services: readonly Loose[] = SHIPPED_SERVICES;
  return table(
    [
      "service",
      "ARM namespaces",
      "grantable resource types",
      "roles (by plane)",
      "who authorizes data",
      "audit (caller table or gap)",
      "key use, for a migration off keys (table or gap)",
      "network path (Private Link groups)",
    ],
    services.map((s) => [
      typeof s.name === "string" ? s.name : NONE,
      listOr(strings(s.namespaces)),
      partCell(s, "resourceTypes", grantableKinds),
      partCell(s, "roles", rolesByPlane),
      partCell(s, "authorization", authorizer),
      partCell(s, "audit", auditText),
      partCell(s, "keys", keyUseText),
      partCell(s, "network", privateLinkGroups),
    ]),
  );
}

/**
 * The azurerm version a provider package's bindings were generated from (its package.json), read
 * by path: on the cdktn test run the package names resolve to cdktn's.
 */
const boundAzurerm = (provider: string): string =>
  JSON.parse(readFileSync(join(__dirname, "..", "node_modules", provider, "package.json"), "utf8")).cdktf.provider
    .version;

function renderPackageTable(): string {
  return table(
    ["package", "for", "peer dependencies", "azurerm", "Node", "TypeScript"],
    Object.values(RUNTIMES).map((r) => [
      `\`${r.library}\``,
      r.title,
      Object.entries(r.peers)
        .map(([name, range]) => `\`${name}\` ${range}`)
        .join(", "),
      boundAzurerm(r.provider),
      r.node,
      SUPPORTED_TYPESCRIPT.range,
    ]),
  );
}

const GENERATED_TABLES: readonly GeneratedTable[] = [
  { file: "docs/installing.md", marker: "packages", render: renderPackageTable },
  { file: "docs/guardrails.md", marker: "rules", render: renderRuleTable },
  { file: "docs/services.md", marker: "services", render: renderServiceTable },
];

/** `text` with what lies between the marker comments `<!-- generated:<marker>:start/end -->` replaced by `content`. */
export function replaceGenerated(text: string, marker: string, content: string, file: string): string {
  const start = `<!-- generated:${marker}:start -->`;
  const end = `<!-- generated:${marker}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from || text.indexOf(start, from + 1) >= 0) {
    throw new Error(
      `${file}: expected one "${start}" followed by one "${end}"; put them back around the generated table`,
    );
  }
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** Each generated file's path and the text it should have, read from `root`. */
export function renderDocs(root: string): { file: string; text: string }[] {
  const files = new Map<string, string>();
  for (const t of GENERATED_TABLES) {
    const current = files.get(t.file) ?? readFileSync(join(root, t.file), "utf8");
    files.set(t.file, replaceGenerated(current, t.marker, t.render(), t.file));
  }
  return [...files].map(([file, text]) => ({ file, text }));
}

if (require.main === module) {
  const root = join(__dirname, "..");
  for (const { file, text } of renderDocs(root)) {
    const path = join(root, file);
    if (readFileSync(path, "utf8") === text) continue;
    writeFileSync(path, text);
    console.log(`docs: rewrote the generated table in ${file}`);
  }
}
