import { IConstruct } from "constructs";
import { Token } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { DatabaseScope } from "./grant";
import { DataPlaneRoleDefinition } from "./role-catalog";
import { findDatabaseDialect } from "./contract/authorization";
import { identityIdProblem, IdentityIdKind } from "./identity-references";

/**
 * The statements an Entra administrator runs in a database, from typed parts only: the text of a
 * statement is code in its engine's dialect (in the engine's service module); every value in it (a
 * name, a message, an object id) is a part, written by exactly one quoting function of the
 * dialect. Nothing pastes a string into SQL.
 */
export type DatabaseSystem = DataPlaneRoleDefinition["system"];

/** One identity's roles in one database, as the statements create them. */
export interface DatabaseUser {
  /** The principal's name in the database: its Entra display name. */
  readonly name: string;
  /** Its object id: a GUID, or a reference to a managed identity's principal id (filled in at apply). */
  readonly principalId: string;
  /** A user-assigned identity's client id, which Azure SQL keeps as the user's SID. */
  readonly clientId?: string;
  readonly roles: readonly DataPlaneRoleDefinition[];
}

/** Where a step runs, and what to run there. */
export interface StatementStep {
  readonly database: string;
  readonly statements: string;
}

export interface Quoting {
  /** A delimited identifier. */
  name(name: string): string;
  /** A string literal. */
  text(text: string): string;
}

/** A database engine, as its service module states it: its names, its quoting and its statements. */
export interface DatabaseDialect {
  /** The role system of its roles, which its database-access outputs name. */
  readonly system: DatabaseSystem;
  /** How messages name the engine ("PostgreSQL"), and output descriptions its statements ("T-SQL"). */
  readonly engine: string;
  readonly language: string;
  /** The longest name it keeps, in the unit it counts. */
  readonly maxName: { readonly length: number; readonly unit: "characters" | "bytes" };
  /** What it calls a principal's name, in messages ("user name", "role name"). */
  readonly principalNoun: string;
  /**
   * Principals every server or database already has, which no Entra user may be named: CREATE
   * fails on such a name, and the grants after it would reach the existing principal and its
   * members. `holder` and `described` say where and which, in messages.
   */
  readonly builtInPrincipals: {
    readonly holder: string;
    readonly described: string;
    /** Compared case-insensitively, as Azure names are: `name` is lower case. */
    includes(name: string): boolean;
  };
  /** Set when privileges cover one schema of a database: the schema unless one is named. */
  readonly defaultSchema?: string;
  readonly quoting: Quoting;
  /** The steps that create a database's users and grant their roles. */
  statements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[];
}

/** The registered dialect of `system`; a database grant of an unregistered one is a programming error. */
function dialectOf(system: DatabaseSystem): DatabaseDialect {
  const dialect = findDatabaseDialect(system);
  if (dialect) return dialect;
  throw new IdentityConfigError("database statements", {
    problem: `No registered service writes the statements of role system "${system}"`,
    value: system,
    fix: "define the database's service with `authorization: databaseUsers(<its dialect>)` before granting its roles",
  });
}

/** What a bad value is, for an IdentityConfigError or a refused output. */
export interface ValueProblem {
  readonly problem: string;
  readonly value: string | null;
  readonly fix: string;
}

/**
 * Why `name` cannot be written into a statement as a name of `what`, or undefined. Names reach the
 * statements through the dialect's quoting functions whatever they hold; these rules keep out what
 * no database would store as written (control characters, a name PostgreSQL would silently
 * truncate) and what Terraform would rewrite inside the output (`${`, `%{`). A principal's name is
 * also its Entra display name, which Azure's naming rules limit to letters, digits, `.`, `_` and
 * `-` (and `/` between an app and its slot).
 */
export function statementNameProblem(
  system: DatabaseSystem,
  what: "identity" | "database" | "schema",
  name: unknown,
): ValueProblem | undefined {
  const dialect = dialectOf(system);
  const { length, unit } = dialect.maxName;
  const text = typeof name === "string" ? name : "";
  const size = unit === "bytes" ? Buffer.byteLength(text, "utf8") : text.length;
  const unresolved = Token.isUnresolved(text);
  const problem =
    typeof name !== "string"
      ? "is not a string"
      : unresolved
        ? "is known only to Terraform, so no statement can name it"
        : text.length === 0 || text.trim() !== text || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text)
          ? "is empty, has surrounding whitespace or control characters"
          : /[$%]\{/.test(text)
            ? "holds `${` or `%{`, which Terraform would evaluate inside the output"
            : size > length
              ? `is ${size} ${unit}, longer than the ${length} a ${dialect.engine} ${what === "identity" ? dialect.principalNoun : "identifier"} may be`
              : what === "identity" && !/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/.test(text)
                ? "has characters no Azure resource name has (letters, digits, `.`, `_`, `-` and `/` only)"
                : what === "identity" && dialect.builtInPrincipals.includes(text.toLowerCase())
                  ? `is the name of a principal the ${dialect.builtInPrincipals.holder} already has (${dialect.builtInPrincipals.described}): the statements would grant it, and everyone in it, the role`
                  : undefined;
  if (problem === undefined) return undefined;
  const subject = {
    identity: "The identity's name cannot be a database principal name",
    database: "The database name cannot be written into the statements",
    schema: `The schema name cannot be a ${dialect.engine} identifier`,
  }[what];
  return {
    problem: `${subject}: it ${problem}`,
    value: typeof name === "string" && !unresolved ? text : null,
    fix:
      what === "identity"
        ? `give the identity a literal name of at most ${length} ${unit} (the database user is named after it)`
        : `name the ${what} with at most ${length} ${unit}, as it is in the database`,
  };
}

/** Returns `name`, or refuses it with the construct path, the name and the fix. */
export function requireDatabasePrincipalName(
  where: IConstruct | string,
  system: DatabaseSystem,
  name: string,
  what: "identity" | "database" | "schema" = "identity",
): string {
  const problem = statementNameProblem(system, what, name);
  if (problem) throw new IdentityConfigError(where, problem);
  return name;
}

/** Why `written` (as the stack's JSON spells it) cannot be the user's object or client id, or undefined. */
export function userIdProblem(kind: IdentityIdKind, written: unknown): ValueProblem | undefined {
  const problem = typeof written === "string" ? identityIdProblem(kind, written) : "is not a string";
  if (problem === undefined) return undefined;
  return {
    problem: `The identity's ${kind.replace("user-assigned ", "")} ${problem}: a database statement would carry it as it is`,
    value: typeof written === "string" ? written : null,
    fix: `pass the identity's ${kind.replace("user-assigned ", "")} as Azure shows it (\`az identity show --query ${kind === "client id" ? "clientId" : "principalId"}\`), or the identity construct's own attribute`,
  };
}

// ---- The emitter: typed parts, rendered by the dialect's quoting functions. ----

type Part =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "id"; readonly id: string }
  | { readonly kind: "privileges"; readonly privileges: readonly Privilege[] }
  | Statement;

export interface Statement {
  readonly kind: "statement";
  readonly code: readonly string[];
  readonly parts: readonly Part[];
}

/** A statement whose literal text is code and whose holes are typed parts. */
export function sql(code: TemplateStringsArray, ...parts: Part[]): Statement {
  return { kind: "statement", code, parts };
}
export const name = (n: string): Part => ({ kind: "name", name: n });
export const text = (t: string): Part => ({ kind: "text", text: t });
/** An object or client id, already checked by `userIdProblem`: a GUID, or a token Terraform fills with one. */
export const id = (value: string): Part => ({ kind: "id", id: value });

/** The table privileges a statement may grant, in the order it lists them. */
export const PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
type Privilege = (typeof PRIVILEGES)[number];
export const privileges = (list: readonly Privilege[]): Part => ({ kind: "privileges", privileges: list });

export function render(dialect: DatabaseDialect, statement: Statement): string {
  const quote = dialect.quoting;
  const part = (p: Part): string => {
    switch (p.kind) {
      case "name":
        return quote.name(p.name);
      case "text":
        return quote.text(p.text);
      case "id":
        // Hex digits and hyphens, or a reference: no quote can occur. Lower-cased so a literal
        // compares with what Azure stores; a reference stays as Terraform spells it.
        return `'${p.id.includes("${") ? p.id : p.id.toLowerCase()}'`;
      case "privileges":
        return p.privileges.join(", ");
      case "statement":
        return render(dialect, p);
    }
  };
  return statement.code.map((code, i) => code + (i < statement.parts.length ? part(statement.parts[i]) : "")).join("");
}

/** The steps for a database's users, by the engine of the grant. */
export function statementsFor(
  system: DatabaseSystem,
  database: DatabaseScope,
  users: readonly DatabaseUser[],
): StatementStep[] {
  return dialectOf(system).statements(database, users);
}
