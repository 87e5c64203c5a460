import { Construct, IConstruct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { DataPlaneScope, GrantScope } from "../../grant";
import { IdentityConfigError } from "../../errors";
import { IManagedIdentity, IUserAssignedIdentity } from "../../identity";
import { DataPlaneRoleDefinition, findDataPlaneRole } from "../../role-catalog";
import { byKeys } from "../ordering";
import { slug } from "../slug";
import { ASSIGNMENT_NAMESPACE, uuidv5 } from "../deterministic-name";
import { resolveInStack } from "../known-values";
import {
  DatabaseSystem,
  DatabaseUser,
  statementNameProblem,
  StatementStep,
  statementsFor,
  userIdProblem,
  ValueProblem,
} from "./database-statements";
import { principalDisplayName } from "./principal-name";

/** What the estate model recognises a database-access output by. */
export const DATABASE_ACCESS_KIND = "database-access";

interface DatabaseGrant {
  readonly identity: IManagedIdentity;
  readonly where: IConstruct;
  readonly role: DataPlaneRoleDefinition;
  readonly target: GrantScope;
  readonly dataPlane: Required<DataPlaneScope>;
  readonly description: string;
  /** The grant's deterministic name. */
  readonly name: string;
}

interface DatabaseOutput {
  readonly output: TerraformOutput;
  readonly grants: DatabaseGrant[];
}

const byStack = new WeakMap<TerraformStack, Map<string, DatabaseOutput>>();

/**
 * Records a database role for an identity: ARM cannot create a user inside a database, so the
 * stack outputs, per database, the statements its Entra administrator runs once after apply
 * (`terraform output -json`), and the estate model reads the same output for the report and diff.
 */
export function addDatabaseGrant(grant: DatabaseGrant): void {
  const { identity, role, target, dataPlane } = grant;
  const system = role.system === "azure-sql" ? "azure-sql" : "postgresql";
  const problem = userProblem(system, {
    name: principalDisplayName(identity),
    principalId: resolveInStack(identity, identity.principalId),
    clientId: clientIdOf(identity) && resolveInStack(identity, clientIdOf(identity)!),
    database: dataPlane.database,
  });
  if (problem) throw new IdentityConfigError(grant.where, problem);
  const stack = TerraformStack.of(identity);
  const outputs = byStack.get(stack) ?? new Map<string, DatabaseOutput>();
  byStack.set(stack, outputs);
  const key = target.resourceId.id.toLowerCase();
  const existing = outputs.get(key);
  const host =
    (stack.node.tryFindChild("database-access") as Construct | undefined) ?? new Construct(stack, "database-access");
  const { database } = dataPlane;
  const readable = `database-access-${slug([dataPlane.service.name, database.name, database.schema ?? ""].join("-"))}`;
  // Two databases whose names slug alike (`a-b`/`c` and `a`/`b-c`) keep apart by their id.
  const id = host.node.tryFindChild(readable)
    ? `${readable}-${uuidv5(ASSIGNMENT_NAMESPACE, key).slice(0, 8)}`
    : readable;
  const entry = existing ?? {
    output: new TerraformOutput(host, id, { value: null, staticId: true, description: "" }),
    grants: [],
  };
  outputs.set(key, entry);
  entry.grants.push(grant);
  render(entry, system);
}

/** A user-assigned identity's client id: Azure SQL compares it with the user's SID. */
function clientIdOf(identity: IManagedIdentity): string | undefined {
  return identity.kind === "UserAssigned" ? (identity as IUserAssignedIdentity).clientId : undefined;
}

/**
 * What the statements would carry that they must not: a name no database keeps as written, an
 * object or client id that is no GUID nor a managed identity's own. The same checks for a grant
 * being declared and for one read back from a stack's JSON.
 */
function userProblem(
  system: DatabaseSystem,
  user: { name: unknown; principalId: unknown; clientId: unknown; database: { name: unknown; schema?: unknown } },
): ValueProblem | undefined {
  return (
    statementNameProblem(system, "identity", user.name) ??
    userIdProblem("principal id", user.principalId) ??
    (user.clientId === undefined ? undefined : userIdProblem("client id", user.clientId)) ??
    statementNameProblem(system, "database", user.database.name) ??
    (system === "postgresql" ? statementNameProblem(system, "schema", user.database.schema ?? "public") : undefined)
  );
}

function render({ output, grants }: DatabaseOutput, system: "azure-sql" | "postgresql"): void {
  const { dataPlane, target } = grants[0];
  const database = dataPlane.database;
  const users = new Map<string, DatabaseUser & { roles: DataPlaneRoleDefinition[] }>();
  for (const g of grants) {
    const name = principalDisplayName(g.identity);
    const clientId = clientIdOf(g.identity);
    const user = users.get(name) ?? {
      name,
      principalId: g.identity.principalId,
      ...(clientId === undefined ? {} : { clientId }),
      roles: [],
    };
    user.roles.push(g.role);
    users.set(name, user);
  }
  const sorted = [...users.values()].sort(byKeys((u) => u.name));
  const steps = statementsFor(system, database, sorted);
  output.description = `${system === "azure-sql" ? "T-SQL" : "SQL"} that creates the database users of ${database.host}/${database.name}: run once after apply, as the server's Entra administrator`;
  output.value = {
    kind: DATABASE_ACCESS_KIND,
    system,
    scope: target.scopeReference,
    host: database.host,
    database: database.name,
    ...(database.schema === undefined ? {} : { schema: database.schema }),
    grants: [...grants]
      .sort(
        byKeys(
          (g) => principalDisplayName(g.identity),
          (g) => g.role.definition,
        ),
      )
      .map((g) => ({
        name: g.name,
        principal_name: principalDisplayName(g.identity),
        principal_id: g.identity.principalId,
        ...(clientIdOf(g.identity) === undefined ? {} : { principal_client_id: clientIdOf(g.identity) }),
        principal_resource_id: g.identity.principalResourceId.id,
        role: g.role.definition,
        description: g.description,
      })),
    steps,
  };
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
  const system = value.system === "postgresql" ? "postgresql" : value.system === "azure-sql" ? "azure-sql" : undefined;
  if (!system || !Array.isArray(value.grants) || !isHostName(value.host)) return undefined;
  const database = { name: value.database, ...(value.schema === undefined ? {} : { schema: value.schema }) };
  // The database and schema head every step, grants or none: they are judged as the grants' are.
  if (
    statementNameProblem(system, "database", database.name) ??
    (system === "postgresql" ? statementNameProblem(system, "schema", database.schema ?? "public") : undefined)
  )
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
