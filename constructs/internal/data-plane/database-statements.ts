import { IConstruct } from "constructs";
import { Token } from "cdktf";
import { IdentityConfigError } from "../../errors";
import { DatabaseScope } from "../../grant";
import { DataPlaneRoleDefinition } from "../../role-catalog";

/** One identity's roles in one database, as the statements create them. */
export interface DatabaseUser {
  /** The principal's name in the database: its Entra display name. */
  readonly name: string;
  /** Its object id (a reference until apply). */
  readonly principalId: string;
  readonly roles: readonly DataPlaneRoleDefinition[];
}

/** Where a step runs, and what to run there. */
export interface StatementStep {
  readonly database: string;
  readonly statements: string;
}

/** The longest name each engine keeps: sysname is 128 characters, PostgreSQL truncates past 63 bytes. */
const LIMITS = { "azure-sql": { length: 128, unit: "characters" }, postgresql: { length: 63, unit: "bytes" } } as const;

/**
 * Refuses a name no database would keep as written: one only Terraform knows (the statements need
 * it now), one with control characters, or one too long (PostgreSQL would silently truncate it).
 */
export function requireDatabasePrincipalName(
  where: IConstruct | string,
  system: keyof typeof LIMITS,
  name: string,
  what: "identity" | "schema" = "identity",
): string {
  const { length, unit } = LIMITS[system];
  const size = unit === "bytes" ? Buffer.byteLength(name, "utf8") : name.length;
  const problem = Token.isUnresolved(name)
    ? "is known only to Terraform, so no statement can name it"
    : name.length === 0 || name.trim() !== name || /[\p{Cc}\p{Cf}]/u.test(name)
      ? "is empty, has surrounding whitespace or control characters"
      : size > length
        ? `is ${size} ${unit}, longer than the ${length} a ${system === "postgresql" ? "PostgreSQL role" : "SQL user"} name may be`
        : undefined;
  if (problem === undefined) return name;
  throw new IdentityConfigError(where, {
    problem:
      what === "identity"
        ? `The identity's name cannot be a database principal name: it ${problem}`
        : `The schema name cannot be a PostgreSQL identifier: it ${problem}`,
    value: Token.isUnresolved(name) ? null : name,
    fix:
      what === "identity"
        ? `give the identity a literal name of at most ${length} ${unit} (the database user is named after it)`
        : `name the schema with at most ${length} ${unit}, as it is in the database`,
  });
}

const sqlName = (name: string) => `[${name.replace(/]/g, "]]")}]`;
const sqlString = (text: string) => `N'${text.replace(/'/g, "''")}'`;
const pgName = (name: string) => `"${name.replace(/"/g, '""')}"`;
const pgString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * T-SQL for a contained Entra user per identity, by object id (display names are not unique in
 * Entra), and its database roles; each statement checks first, so the script can run again.
 */
function sqlStatements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[] {
  const lines = users.flatMap(({ name, principalId, roles }) => [
    `IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = ${sqlString(name)})`,
    `    CREATE USER ${sqlName(name)} FROM EXTERNAL PROVIDER WITH OBJECT_ID = '${principalId}';`,
    ...roles.flatMap((role) => [
      `IF IS_ROLEMEMBER(${sqlString(role.definition)}, ${sqlString(name)}) = 0`,
      `    ALTER ROLE ${sqlName(role.definition)} ADD MEMBER ${sqlName(name)};`,
    ]),
  ]);
  return [{ database: database.name, statements: lines.join("\n") }];
}

/**
 * PostgreSQL: the Entra role is made once per server, in `postgres`, by object id; the table
 * privileges are granted in the database, on the schema's tables now and on those created later
 * by the role that runs the script. GRANT is idempotent; the role is made only when missing.
 */
function postgresStatements(database: DatabaseScope, users: readonly DatabaseUser[]): StatementStep[] {
  const schema = pgName(database.schema ?? "public");
  const create = users.map(({ name, principalId }) =>
    [
      "DO $$ BEGIN",
      `  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${pgString(name)}) THEN`,
      `    PERFORM pgaadauth_create_principal_with_oid(${pgString(name)}, '${principalId}', 'service', false, false);`,
      "  END IF;",
      "END $$;",
    ].join("\n"),
  );
  const grants = users.flatMap(({ name, roles }) => {
    const privileges = [...new Set(roles.flatMap((r) => r.definition.split(", ")))].join(", ");
    return [
      `GRANT CONNECT ON DATABASE ${pgName(database.name)} TO ${pgName(name)};`,
      `GRANT USAGE ON SCHEMA ${schema} TO ${pgName(name)};`,
      `GRANT ${privileges} ON ALL TABLES IN SCHEMA ${schema} TO ${pgName(name)};`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${privileges} ON TABLES TO ${pgName(name)};`,
    ];
  });
  return [
    { database: "postgres", statements: create.join("\n") },
    { database: database.name, statements: grants.join("\n") },
  ];
}

/** The steps for a database's users, by the engine of the grant. */
export function statementsFor(
  system: "azure-sql" | "postgresql",
  database: DatabaseScope,
  users: readonly DatabaseUser[],
): StatementStep[] {
  return system === "azure-sql" ? sqlStatements(database, users) : postgresStatements(database, users);
}
