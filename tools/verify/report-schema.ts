// The access report as verify accepts it: a schema checked before anything is sent to Azure, so a
// hand-edited or hostile report (an id with `..`, a URL as a resource id, a null identity, an
// object where a string belongs) is refused with the field and its value, never requested or
// crashed on. zod, not ajv: it has no dependencies (ajv has four), and its schemas infer
// TypeScript types, so the check at the end of this file ties the schema to AccessReport's
// interfaces: a field added to the report and not here fails `tsc`, and a report the schema
// accepts is an AccessReport by construction.
import { z } from "zod";
import type { AccessReport } from "../../constructs";
import { IdentityConfigError, ResourceId } from "../../constructs";
import { isGuid, MAX_CONDITION_BYTES } from "../../constructs/azure";
import { excerpt } from "../../constructs/core";
import { isWorkspaceId } from "../../constructs/estate";
import { CONVERSION_PHASES, SECRET_PHASES } from "../../constructs";

/**
 * Bounds far above what the library writes (names under 100 characters, ids under 200, queries
 * and statements under 2,000) that stop a field or a list from carrying megabytes. Azure holds at
 * most 4,000 role assignments a subscription.
 */
const TEXT_MAX = 1024;
const ID_MAX = 2048;
const LONG_TEXT_MAX = 65_536;
const ITEMS_MAX = 10_000;

// Control and invisible characters (NUL, bidirectional overrides, zero-width, lone surrogates, line
// separators) have no place in an Azure name or a Terraform address, and would reorder or hide text
// where verify prints it. Multi-line text (queries, statements) may hold line feeds and tabs.
const INVISIBLE = String.raw`\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}`;
const SINGLE_LINE = new RegExp(`^[^${INVISIBLE}]*$`, "u");
const MULTI_LINE = new RegExp(`^(?:[\\n\\t]|[^${INVISIBLE}])*$`, "u");
const INVISIBLE_CHAR = new RegExp(`[${INVISIBLE}]`, "gu");

const text = (max = TEXT_MAX) =>
  z.string().max(max).regex(SINGLE_LINE, { error: "holds a control or invisible character" });
const multiLine = (max = LONG_TEXT_MAX) =>
  z.string().max(max).regex(MULTI_LINE, { error: "holds a control or invisible character" });
const list = <T extends z.ZodType>(item: T) => z.array(item).max(ITEMS_MAX).readonly();
const guid = z.string().refine(isGuid, { error: "not a GUID" });

type IdKind = "resource" | "scope" | "workspace";

/**
 * Why `id` is not the kind of Azure id the field holds; undefined when it is. Parsed by the
 * library's own id parser, segment by segment: nothing in an id verify sends can change the
 * request (`..`, `?`, `#`, `%`, whitespace, a scheme), and the subscription is a GUID.
 */
function azureIdProblem(id: string, kind: IdKind): string | undefined {
  if (kind === "scope" && id === "/") return undefined;
  let parsed: ResourceId;
  try {
    parsed = ResourceId.parseShape("access report", id);
  } catch (e) {
    if (e instanceof IdentityConfigError) return e.problem;
    throw e;
  }
  if (kind === "resource" && parsed.level !== "resource") return `a ${parsed.level} id, not a resource's`;
  if (kind === "workspace" && !isWorkspaceId(id)) return "not a Log Analytics workspace id";
  return undefined;
}

const azureId = (kind: IdKind) =>
  z
    .string()
    .max(ID_MAX)
    .superRefine((id, ctx) => {
      const problem = azureIdProblem(id, kind);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
/** What verify reads from ARM: an identity, a compute. */
const resourceId = azureId("resource");
/** Where a grant is made: a resource, or a broader scope. */
const scopeId = azureId("scope");
/** Where --usage runs its queries. */
const workspaceId = azureId("workspace");

const condition = z
  .string()
  .regex(MULTI_LINE, { error: "holds a control or invisible character" })
  .refine((c) => new TextEncoder().encode(c).length <= MAX_CONDITION_BYTES, {
    error: `longer than the ${MAX_CONDITION_BYTES} bytes Azure accepts in a condition`,
  });

const PRINCIPAL_KINDS = [
  "UserAssigned",
  "SystemAssigned",
  "ExistingUserAssigned",
  "ServicePrincipal",
  "User",
  "Group",
  "Unknown",
] as const;
const access = z.enum(["workload", "developer"]);

const valueSet = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("any") }),
  z.strictObject({ kind: z.literal("only"), values: list(text()) }),
  z.strictObject({ kind: z.literal("anyExcept"), values: list(text()) }),
]);
const permission = z.strictObject({ roles: valueSet, principalTypes: valueSet, principalIds: valueSet });

const identity = z.strictObject({
  key: text(),
  kind: z.enum(PRINCIPAL_KINDS),
  name: text(),
  stableKey: text(),
  replaceKey: text(),
  attachedTo: list(text()),
  federatedTrusts: list(z.strictObject({ issuer: text(), subject: text() })),
  access,
  resourceId: resourceId.optional(),
  principalId: guid.optional(),
  queries: z
    .strictObject({
      tokenAcquisitions: multiLine().optional(),
      dataOperations: list(
        z.strictObject({
          target: text(),
          resourceId,
          query: multiLine(),
          identifiedBy: list(z.enum(["oid", "appId", "name"])),
        }),
      ),
    })
    .optional(),
});

const grant = z.strictObject({
  address: text(),
  system: text(),
  identity: text(),
  role: text(),
  roleGuid: text(),
  plane: text(),
  scope: text(ID_MAX),
  scopeId: scopeId.optional(),
  target: text(),
  scopeLevel: text(),
  condition: condition.optional(),
  conditionAllows: z.strictObject({ parsed: z.boolean(), assign: permission, remove: permission }).optional(),
  conditionLimits: z.boolean().optional(),
  principalKind: z.enum(PRINCIPAL_KINDS),
  access,
  audit: text().optional(),
  platformUse: text().optional(),
  description: text().optional(),
  suppressions: list(
    z.strictObject({ ruleId: z.string().regex(/^IG\d{3}$/, { error: "not a rule id (IGnnn)" }), reason: text() }),
  ),
});

const steps = list(z.strictObject({ database: text(), statements: multiLine() }));

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "not a date (YYYY-MM-DD)" });
/** A migration as the report lists it: its queries are sent as written, so they are checked like the usage queries. */
const migration = z.strictObject({
  constructPath: text(),
  kind: z.enum(["secret", "conversion"]),
  workload: text(),
  phase: z.enum([...SECRET_PHASES, ...CONVERSION_PHASES]),
  next: z.enum([...SECRET_PHASES, ...CONVERSION_PHASES]).optional(),
  expires: day,
  reason: text(),
  computes: list(text()),
  setting: text().optional(),
  secretInUse: text().optional(),
  target: z.strictObject({ address: text(), label: text(), resourceId: resourceId.optional() }).optional(),
  revoke: text().optional(),
  carriers: list(text()),
  retiring: list(text()),
  evidence: z.strictObject({
    tokenResource: z.strictObject({ appId: guid, displayName: text() }).optional(),
    keyUse: z
      .union([
        z.strictObject({ queries: list(z.strictObject({ table: text(), query: multiLine() })) }),
        z.strictObject({ gap: text() }),
      ])
      .optional(),
  }),
});

const accessReportSchema = z
  .strictObject({
    environment: text(),
    subscriptionId: guid.optional(),
    auditWorkspace: workspaceId.optional(),
    signInWorkspace: workspaceId.optional(),
    identities: list(identity),
    grants: list(grant),
    databaseUsers: list(
      z.strictObject({
        output: text(),
        system: text(),
        host: text(),
        database: text(),
        adminPath: text(),
        steps,
        stepsAsWritten: steps.optional(),
      }),
    ),
    migrations: list(migration).optional(),
    unreadableMigrations: z.number().int().min(1).optional(),
  })
  .superRefine((report, ctx) => {
    // verify keys what it reads from Azure by identity: a second identity of a key would hide the first.
    const keys = new Set<string>();
    report.identities.forEach(({ key }, i) => {
      if (keys.has(key))
        ctx.addIssue({ code: "custom", path: ["identities", i, "key"], message: "a second identity with this key" });
      keys.add(key);
    });
    report.grants.forEach((g, i) => {
      if (!keys.has(g.identity))
        ctx.addIssue({ code: "custom", path: ["grants", i, "identity"], message: "names no identity of the report" });
    });
  });

/** A field's path as JavaScript would write it: `identities[0].resourceId`, `grants[2]["odd key"]`. */
function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the report";
  return path
    .map((p, i) =>
      typeof p === "number"
        ? `[${p}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(p))
          ? `${i === 0 ? "" : "."}${String(p)}`
          : `[${JSON.stringify(String(p))}]`,
    )
    .join("");
}

/** The value at a path, reading own properties only (a `__proto__` key is data, not the prototype). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = Object.getOwnPropertyDescriptor(value, key)?.value;
  }
  return value;
}

/** A value for a message: JSON, shortened, its invisible characters written as escapes. */
function shown(value: unknown): string {
  if (value === undefined) return "missing";
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    return "(a value nested too deep to show)";
  }
  return excerpt(json, 300).replace(
    INVISIBLE_CHAR,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0").toUpperCase()}`,
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected === "object" ? "an object" : issue.expected === "array" ? "a list" : `a ${issue.expected}`}`;
    case "too_big":
      return issue.origin === "array" ? `more than ${issue.maximum} items` : `longer than ${issue.maximum} characters`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      return "matches none of the forms this field takes";
    default:
      return issue.message;
  }
}

/**
 * The report, or what makes `json` no access report verify can use: one line a problem
 * (`<path> = <value>: <why>`), in document order.
 */
export function checkAccessReport(
  json: unknown,
): { readonly report: AccessReport; readonly problems?: never } | { readonly problems: readonly string[] } {
  const result = accessReportSchema.safeParse(json);
  if (result.success) return { report: result.data };
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        return `${pathText(path)} = ${shown(valueAt(json, path))}: a field access reports do not have`;
      });
    const value = valueAt(json, issue.path);
    return [
      `${pathText(issue.path)}${value === undefined ? " is missing" : ` = ${shown(value)}: ${describeIssue(issue)}`}`,
    ];
  });
  return { problems };
}

/** Every key path of a type, through lists and unions: `identities.queries.dataOperations.query`. */
type KeyPaths<T> = T extends readonly (infer E)[]
  ? KeyPaths<E>
  : T extends object
    ? { [K in keyof T & string]-?: K | `${K}.${KeyPaths<NonNullable<T[K]>>}` }[keyof T & string]
    : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type Schema = z.output<typeof accessReportSchema>;
/** `tsc` fails here when the report gains (or loses) a field the schema does not know. */
export type ReportSchemaKnowsEveryField = Assert<Same<KeyPaths<Schema>, KeyPaths<AccessReport>>>;
/** ...and here when the schema accepts what is no AccessReport (it may be stricter: a GUID where the type says string). */
export type ReportSchemaAcceptsReportsOnly = Assert<Schema extends AccessReport ? true : false>;
