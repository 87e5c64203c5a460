import { stackOf } from "../core/runtime";
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { DataPlaneScope } from "../azure/grant";
import { IdentityConfigError } from "../core/errors";
import { IManagedIdentity, IUserAssignedIdentity } from "../azure/identity";
import { DataPlaneRoleDefinition } from "../azure/role-catalog";
import { byKeys } from "../core/ordering";
import { slug } from "../core/slug";
import { ASSIGNMENT_NAMESPACE, uuidv5 } from "../core/deterministic-name";
import { resolveInStack } from "../azure/known-values";
import { DATABASE_ACCESS_KIND, userProblem } from "../estate/database-access-outputs";
import { DatabaseDialect, DatabaseUser } from "../azure/database-statements";
import { principalDisplayName } from "./principal-name";
import type { DataPlaneAssignment, OwnAuthorization } from "../azure/contract/authorization";

type DatabaseGrant = DataPlaneAssignment & { readonly dataPlane: Required<DataPlaneScope> };

interface DatabaseOutput {
  readonly output: TerraformOutput;
  readonly grants: DatabaseGrant[];
}

const byStack = new WeakMap<TerraformStack, Map<string, DatabaseOutput>>();

/**
 * The authorization of a database engine's service: its roles are users and role memberships
 * inside one database, which its dialect's statements create.
 */
export function databaseUsers(dialect: DatabaseDialect): OwnAuthorization & { readonly dialect: DatabaseDialect } {
  return {
    system: dialect.system,
    dialect,
    write: (assignment) => {
      addDatabaseGrant({ ...assignment, dataPlane: requireDatabase(assignment) }, dialect);
      return undefined;
    },
  };
}

function requireDatabase({ where, dataPlane, target }: DataPlaneAssignment): Required<DataPlaneScope> {
  if (dataPlane.database) return dataPlane as Required<DataPlaneScope>;
  throw new IdentityConfigError(where, {
    problem: `Database roles are granted in one database, not on ${target.kind} ${target.label}`,
    value: target.resourceId.id,
    fix: "grant on server.database(name): each database has its own users",
  });
}

/**
 * Records a database role for an identity: ARM cannot create a user inside a database, so the
 * stack outputs, per database, the statements its Entra administrator runs once after apply
 * (`terraform output -json`), and the estate model reads the same output for the report and diff.
 */
function addDatabaseGrant(grant: DatabaseGrant, dialect: DatabaseDialect): void {
  const { identity, target, dataPlane } = grant;
  const problem = userProblem(dialect.system, {
    name: principalDisplayName(identity),
    principalId: resolveInStack(identity, identity.principalId),
    clientId: clientIdOf(identity) && resolveInStack(identity, clientIdOf(identity)!),
    database: dataPlane.database,
  });
  if (problem) throw new IdentityConfigError(grant.where, problem);
  const stack = stackOf(identity);
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
  render(entry, dialect);
}

/** A user-assigned identity's client id: Azure SQL compares it with the user's SID. */
function clientIdOf(identity: IManagedIdentity): string | undefined {
  return identity.kind === "UserAssigned" ? (identity as IUserAssignedIdentity).clientId : undefined;
}

function render({ output, grants }: DatabaseOutput, dialect: DatabaseDialect): void {
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
  const steps = dialect.statements(database, sorted);
  const before = database.prerequisites?.length ? `. Before that, ${database.prerequisites.join("; ")}` : "";
  output.description = `${dialect.language} that creates the database users of ${database.host}/${database.name}: run once after apply, as the server's Entra administrator${before}`;
  output.value = {
    kind: DATABASE_ACCESS_KIND,
    system: dialect.system,
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
