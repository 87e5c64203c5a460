import { IConstruct } from "constructs";
import { Token } from "cdktf";
import { IdentityConfigError } from "../../errors";
import { DatabaseScope } from "../../grant";
import { DataPlaneRoleDefinition } from "../../role-catalog";
import { identityIdProblem, IdentityIdKind } from "../identity-references";

/**
 * The statements an Entra administrator runs in a database, from typed parts only: the text of a
 * statement is code in this file; every value in it (a name, a message, an object id) is a part,
 * written by exactly one quoting function per engine. Nothing here pastes a string into SQL.
 */
export type DatabaseSystem = "azure-sql" | "postgresql";

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

/** The longest name each engine keeps: sysname is 128 characters, PostgreSQL truncates past 63 bytes. */
const LIMITS = { "azure-sql": { length: 128, unit: "characters" }, postgresql: { length: 63, unit: "bytes" } } as const;

/** What a bad value is, for an IdentityConfigError or a refused output. */
export interface ValueProblem {
  readonly problem: string;
  readonly value: string | null;
  readonly fix: string;
}

/**
 * Why `name` cannot be written into a statement as a name of `what`, or undefined. Names reach the
 * statements through the quoting functions below whatever they hold; these rules keep out what no
 * database would store as written (control characters, a name PostgreSQL would silently truncate)
 * and what Terraform would rewrite inside the output (`${`, `%{`). A principal's name is also its
 * Entra display name, which Azure's naming rules limit to letters, digits, `.`, `_` and `-`
 * (and `/` between an app and its slot).
 */
export function statementNameProblem(
  system: DatabaseSystem,
  what: "identity" | "database" | "schema",
  name: unknown,
): ValueProblem | undefined {
  const { length, unit } = LIMITS[system];
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
              ? `is ${size} ${unit}, longer than the ${length} a ${system === "postgresql" ? "PostgreSQL" : "SQL"} ${what === "identity" ? (system === "postgresql" ? "role name" : "user name") : "identifier"} may be`
              : what === "identity" && !/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/.test(text)
                ? "has characters no Azure resource name has (letters, digits, `.`, `_`, `-` and `/` only)"
                : what === "identity" && isBuiltInPrincipal(system, text)
                  ? `is the name of a principal the ${system === "postgresql" ? "server" : "database"} already has (${system === "postgresql" ? "`public`, `none`, `pg_*` and Azure's own roles" : "`public`, `dbo`, `guest`, `sys`, `INFORMATION_SCHEMA` and the fixed roles"}): the statements would grant it, and everyone in it, the role`
                  : undefined;
  if (problem === undefined) return undefined;
  const subject = {
    identity: "The identity's name cannot be a database principal name",
    database: "The database name cannot be written into the statements",
    schema: "The schema name cannot be a PostgreSQL identifier",
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

/**
 * Principals every server or database has, which no Entra user may be named: PostgreSQL reads
 * `"public"` in GRANT as PUBLIC (every role), reserves `none` and `pg_*` (its predefined roles),
 * and Azure adds its administrator and superuser roles; Azure SQL has fixed principals and roles.
 * CREATE fails on such a name, DROP too, and the GRANT or ALTER ROLE after them would reach the
 * existing principal and its members. Compared case-insensitively, as Azure names and T-SQL are.
 */
const BUILT_IN_PRINCIPALS: Readonly<Record<DatabaseSystem, ReadonlySet<string>>> = {
  postgresql: new Set(["public", "none", "azure_pg_admin", "azuresu", "azure_superuser", "replication"]),
  "azure-sql": new Set([
    "public",
    "dbo",
    "guest",
    "sys",
    "information_schema",
    "dbmanager",
    "loginmanager",
    ...["owner", "accessadmin", "securityadmin", "ddladmin", "backupoperator"].map((r) => `db_${r}`),
    ...["datareader", "datawriter", "denydatareader", "denydatawriter"].map((r) => `db_${r}`),
  ]),
};

function isBuiltInPrincipal(system: DatabaseSystem, name: string): boolean {
  const lower = name.toLowerCase();
  return BUILT_IN_PRINCIPALS[system].has(lower) || (system === "postgresql" && lower.startsWith("pg_"));
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

// ---- The emitter: typed parts, one quoting function per engine and kind. ----

type Part =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "id"; readonly id: string }
  | { readonly kind: "privileges"; readonly privileges: readonly Privilege[] }
  | Statement;

interface Statement {
  readonly kind: "statement";
  readonly code: readonly string[];
  readonly parts: readonly Part[];
}

/** A statement whose literal text is code and whose holes are typed parts. */
function sql(code: TemplateStringsArray, ...parts: Part[]): Statement {
  return { kind: "statement", code, parts };
}
const name = (n: string): Part => ({ kind: "name", name: n });
const text = (t: string): Part => ({ kind: "text", text: t });
/** An object or client id, already checked by `userIdProblem`: a GUID, or a token Terraform fills with one. */
const id = (value: string): Part => ({ kind: "id", id: value });

const PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
type Privilege = (typeof PRIVILEGES)[number];

interface Quoting {
  /** A delimited identifier. */
  name(name: string): string;
  /** A string literal. */
  text(text: string): string;
}

/**
 * T-SQL: `[...]` with `]` doubled, `N'...'` with `'` doubled. PostgreSQL: `"..."` with `"`
 * doubled, `'...'` with `'` doubled (backslashes are literal: standard_conforming_strings is on,
 * the default since PostgreSQL 9.1 and on Azure).
 */
const QUOTING: Readonly<Record<DatabaseSystem, Quoting>> = {
  "azure-sql": { name: (n) => `[${n.replace(/]/g, "]]")}]`, text: (t) => `N'${t.replace(/'/g, "''")}'` },
  postgresql: { name: (n) => `"${n.replace(/"/g, '""')}"`, text: (t) => `'${t.replace(/'/g, "''")}'` },
};

function render(system: DatabaseSystem, statement: Statement): string {
  const quote = QUOTING[system];
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
        return render(system, p);
    }
  };
  return statement.code.map((code, i) => code + (i < statement.parts.length ? part(statement.parts[i]) : "")).join("");
}

/**
 * A PostgreSQL `DO` block whose dollar-quote tag does not occur in its body, so nothing in the
 * body can close it: names and messages are quoted strings or identifiers, and ids are hex
 * digits (a reference, until apply, holds no `$` either).
 */
function doBlock(body: string): string {
  let tag = "grant";
  for (let n = 1; body.includes(`$${tag}$`); n++) tag = `grant_${n}`;
  return `DO $${tag}$\nBEGIN\n${body}\nEND\n$${tag}$;`;
}

// ---- Azure SQL ----

/**
 * A same-named user that is not this identity: for a user-assigned identity, one whose SID is not
 * the identity's client id (Azure SQL stores an Entra application's SID from its client id); for a
 * system-assigned identity, whose client id azurerm does not export, one not created by these
 * statements for this object id (they record it on the user as an extended property).
 */
function sqlStaleUser(user: DatabaseUser): Statement {
  return user.clientId === undefined
    ? sql`SELECT 1 FROM sys.database_principals AS p WHERE p.name = ${text(user.name)} AND NOT EXISTS (SELECT 1 FROM sys.extended_properties AS e WHERE e.class = 4 AND e.major_id = p.principal_id AND e.name = ${text(OBJECT_ID_PROPERTY)} AND CAST(e.value AS nvarchar(36)) = ${id(user.principalId)})`
    : sql`SELECT 1 FROM sys.database_principals WHERE name = ${text(user.name)} AND sid <> CAST(CAST(${id(user.clientId)} AS uniqueidentifier) AS varbinary(16))`;
}
const OBJECT_ID_PROPERTY = "entra_object_id";

/**
 * T-SQL for a contained Entra user per identity, by object id (display names are not unique in
 * Entra), and its database roles. A same-named user of another principal is reported and dropped
 * first, never granted; each statement checks first, so the script can run again.
 */
function sqlStatements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[] {
  const statements = users.flatMap((user) => {
    const who = name(user.name);
    return [
      sql`IF EXISTS (${sqlStaleUser(user)})
BEGIN
    PRINT ${text(`Replacing database user ${user.name}: it is not this identity's principal`)};
    DROP USER ${who};
END;
IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = ${text(user.name)})
BEGIN
    CREATE USER ${who} FROM EXTERNAL PROVIDER WITH OBJECT_ID = ${id(user.principalId)};
    EXEC sys.sp_addextendedproperty @name = ${text(OBJECT_ID_PROPERTY)}, @value = ${id(user.principalId)}, @level0type = N'USER', @level0name = ${text(user.name)};
END;`,
      ...user.roles.map(
        // Not while a user of another principal keeps the name (its drop failed: it owns objects,
        // or it is a role a DBA made): the role would reach that principal, or that role's members.
        (
          role,
        ) => sql`IF IS_ROLEMEMBER(${text(role.definition)}, ${text(user.name)}) = 0 AND NOT EXISTS (${sqlStaleUser(user)})
    ALTER ROLE ${name(role.definition)} ADD MEMBER ${who};`,
      ),
    ];
  });
  return [{ database: database.name, statements: statements.map((s) => render("azure-sql", s)).join("\n") }];
}

// ---- PostgreSQL ----

function privilegesOf(roles: readonly DataPlaneRoleDefinition[]): Privilege[] {
  const granted = new Set(roles.flatMap((r) => r.definition.split(", ")));
  return PRIVILEGES.filter((p) => granted.has(p));
}

/**
 * A role of that name mapped to another Entra object, or to none: Azure keeps each role's object
 * id in its `pgaadauth` security label (`aadauth,oid=<object id>,type=...`), a shared catalog
 * readable from every database.
 */
function pgStaleRole(user: DatabaseUser): Statement {
  return sql`EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = ${text(user.name)} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_shseclabel AS l WHERE l.objoid = r.oid AND l.classoid = 'pg_catalog.pg_authid'::regclass AND l.provider = 'pgaadauth' AND position(',oid=' || lower(${id(user.principalId)}) || ',' IN ',' || lower(l.label) || ',') > 0))`;
}

/**
 * PostgreSQL, in three steps. A role of the identity's name that is mapped to another Entra
 * object loses what these statements grant in the database, then is dropped in `postgres`
 * (DROP ROLE refuses while it holds privileges anywhere, and reports where). The Entra role is
 * made once per server, in `postgres`, by object id, only when missing: a SELECT, no DO block.
 * Then the privileges: on the schema's tables now and later (created by the role that runs the
 * script), and, for writers, on its sequences, which serial and identity columns draw from.
 */
function postgresStatements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[] {
  const schema = name(database.schema ?? "public");
  const db = name(database.name);
  const pg = (s: Statement) => render("postgresql", s);
  const revoke = users.map(
    (user) => sql`  IF ${pgStaleRole(user)} THEN
    RAISE NOTICE 'Role % is mapped to another Entra object: revoking its privileges here before it is replaced', ${text(user.name)};
    REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${name(user.name)};
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${name(user.name)};
    ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON TABLES FROM ${name(user.name)};
    ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} REVOKE ALL ON SEQUENCES FROM ${name(user.name)};
    REVOKE ALL ON SCHEMA ${schema} FROM ${name(user.name)};
    REVOKE ALL ON DATABASE ${db} FROM ${name(user.name)};
  END IF;`,
  );
  const drop = users.map(
    (user) => sql`  IF ${pgStaleRole(user)} THEN
    RAISE NOTICE 'Dropping role %: it is mapped to another Entra object', ${text(user.name)};
    DROP ROLE ${name(user.name)};
  END IF;`,
  );
  const create = users.map(
    (user) =>
      sql`SELECT pg_catalog.pgaadauth_create_principal_with_oid(${text(user.name)}, ${id(user.principalId)}, 'service', false, false)
  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${text(user.name)});`,
  );
  const grants = users.flatMap((user) => {
    const who = name(user.name);
    const privileges: Part = { kind: "privileges", privileges: privilegesOf(user.roles) };
    const writes = privilegesOf(user.roles).some((p) => p !== "SELECT");
    return [
      // A role of the name still mapped to another object (its drop failed) stops the block, which
      // then grants nothing to anyone: privileges never reach a principal that is not the identity.
      sql`  IF ${pgStaleRole(user)} THEN
    RAISE EXCEPTION 'Role % is mapped to another Entra object and was not replaced: nothing granted', ${text(user.name)};
  END IF;`,
      sql`  GRANT CONNECT ON DATABASE ${db} TO ${who};`,
      sql`  GRANT USAGE ON SCHEMA ${schema} TO ${who};`,
      sql`  GRANT ${privileges} ON ALL TABLES IN SCHEMA ${schema} TO ${who};`,
      sql`  ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${privileges} ON TABLES TO ${who};`,
      ...(writes
        ? [
            sql`  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${who};`,
            sql`  ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${who};`,
          ]
        : []),
    ];
  });
  return [
    { database: database.name, statements: doBlock(revoke.map(pg).join("\n")) },
    { database: "postgres", statements: [doBlock(drop.map(pg).join("\n")), ...create.map(pg)].join("\n") },
    { database: database.name, statements: doBlock(grants.map(pg).join("\n")) },
  ];
}

/** The steps for a database's users, by the engine of the grant. */
export function statementsFor(
  system: DatabaseSystem,
  database: DatabaseScope,
  users: readonly DatabaseUser[],
): StatementStep[] {
  return system === "azure-sql" ? sqlStatements(database, users) : postgresStatements(database, users);
}
