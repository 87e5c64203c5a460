import { DataPlaneRoleDefinition, findDataPlaneRole, RoleSystem } from "../azure/role-catalog";
import { byKeys } from "../core/ordering";
import {
  DatabaseSystem,
  DatabaseUser,
  statementNameProblem,
  StatementStep,
  statementsFor,
  userIdProblem,
  ValueProblem,
} from "../azure/database-statements";
import { blockEntries, outputEntry, TfResource } from "./terraform-json";
import type { AssignmentFields } from "../azure/contract/assignments";
import { findDatabaseDialect } from "../azure/contract/authorization";

/**
 * How the estate reads the database grants a stack outputs (`database-access-*`): ARM cannot
 * create a user inside a database, so the grant writer outputs the statements an Entra
 * administrator runs, and this reader takes them back as assignments for the report and diff.
 * The writer builds its outputs with these definitions; nothing here depends on the writer.
 */

/** What the estate model recognises a database-access output by. */
export const DATABASE_ACCESS_KIND = "database-access";

/**
 * What the statements would carry that they must not: a name no database keeps as written, an
 * object or client id that is no GUID nor a managed identity's own. The same checks for a grant
 * being declared and for one read back from a stack's JSON.
 */
export function userProblem(
  system: DatabaseSystem,
  user: { name: unknown; principalId: unknown; clientId: unknown; database: { name: unknown; schema?: unknown } },
): ValueProblem | undefined {
  return (
    statementNameProblem(system, "identity", user.name) ??
    userIdProblem("principal id", user.principalId) ??
    (user.clientId === undefined ? undefined : userIdProblem("client id", user.clientId)) ??
    statementNameProblem(system, "database", user.database.name) ??
    schemaProblem(system, user.database.schema)
  );
}

/** Why the schema cannot be written, for an engine whose privileges cover one schema (its default unless named). */
function schemaProblem(system: DatabaseSystem, schema: unknown): ValueProblem | undefined {
  const defaultSchema = findDatabaseDialect(system)?.defaultSchema;
  return defaultSchema === undefined ? undefined : statementNameProblem(system, "schema", schema ?? defaultSchema);
}

/** A server's host name as the targets write it (`<server>.database.windows.net`): DNS labels only, nothing to render. */
const isHostName = (value: unknown): value is string =>
  typeof value === "string" && /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(value);

/**
 * The steps a database-access output's grants call for, rebuilt from the grants alone; undefined
 * when a grant names no catalogued role, or carries a value the statements must not (a name or id
 * the construct would have refused): such an output is refused (IG022), never echoed into a
 * statement. What a reviewer reads and an administrator runs must be these, not whatever the
 * output's `steps` were overridden to say.
 */
export function stepsOfGrants(value: Readonly<Record<string, unknown>>): StatementStep[] | undefined {
  // Only a registered engine's outputs are read: another system's statements are no one's to vouch for.
  const system = typeof value.system === "string" ? findDatabaseDialect(value.system)?.system : undefined;
  if (!system || !Array.isArray(value.grants) || !isHostName(value.host)) return undefined;
  const database = { name: value.database, ...(value.schema === undefined ? {} : { schema: value.schema }) };
  // The database and schema head every step, grants or none: they are judged as the grants' are.
  if (statementNameProblem(system, "database", database.name) ?? schemaProblem(system, database.schema))
    return undefined;
  const users = new Map<string, DatabaseUser & { roles: DataPlaneRoleDefinition[] }>();
  for (const g of value.grants as Record<string, unknown>[]) {
    const role = typeof g?.role === "string" ? findDataPlaneRole(system, g.role) : undefined;
    const read = { name: g?.principal_name, principalId: g?.principal_id, clientId: g?.principal_client_id, database };
    if (!role || userProblem(system, read)) return undefined;
    const [name, principalId, clientId] = [read.name, read.principalId, read.clientId] as string[];
    const user = users.get(name) ?? { name, principalId, ...(clientId === undefined ? {} : { clientId }), roles: [] };
    if (user.principalId !== principalId || user.clientId !== clientId) return undefined;
    user.roles.push(role);
    users.set(name, user);
  }
  const scope = {
    name: database.name as string,
    host: value.host,
    ...(database.schema === undefined ? {} : { schema: database.schema as string }),
  };
  return statementsFor(system, scope, [...users.values()].sort(byKeys((u) => u.name)));
}

/**
 * The database grants a stack outputs, one pseudo-resource per output: statements its Entra
 * administrator runs, read like any other assignment for the report and diff.
 */
export function databaseAccessOutputs(stackJson: Readonly<Record<string, any>>): TfResource[] {
  return blockEntries(stackJson.output)
    .filter(([, output]) => output?.value?.kind === DATABASE_ACCESS_KIND)
    .map(([name, output]) => outputEntry(name, output));
}

/**
 * Database-access outputs whose statements are not exactly those their grants call for (an
 * override, a hand-written output), or outputs named like them that do not say what they are:
 * an administrator would run SQL no rule has judged.
 */
export function forgedDatabaseAccess(stackJson: Readonly<Record<string, any>>): TfResource[] {
  return blockEntries(stackJson.output)
    .filter(([name, output]) => {
      const value = output?.value;
      if (value?.kind !== DATABASE_ACCESS_KIND) return name.startsWith("database-access");
      const steps = stepsOfGrants(value);
      return steps === undefined || JSON.stringify(steps) !== JSON.stringify(value.steps);
    })
    .map(([name, output]) => outputEntry(name, output));
}

/** The system a database-access output's grants belong to, and each grant as an assignment. */
export function databaseAccessAssignments(output: TfResource): { system: RoleSystem; fields: AssignmentFields[] } {
  const value = output.config.value as Record<string, any>;
  return {
    // An unregistered system's grants name no catalogued role (and its output is refused, IG022).
    system: String(value.system),
    fields: ((value.grants ?? []) as Record<string, unknown>[]).map((g) => ({
      scope: value.scope,
      roleDefinitionId: g.role,
      principalId: g.principal_id,
      name: g.name,
      description: g.description,
    })),
  };
}
