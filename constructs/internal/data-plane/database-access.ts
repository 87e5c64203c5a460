import { Construct, IConstruct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { DataPlaneScope, GrantScope } from "../../grant";
import { IManagedIdentity } from "../../identity";
import { DataPlaneRoleDefinition, findDataPlaneRole } from "../../role-catalog";
import { byKeys } from "../ordering";
import { slug } from "../slug";
import { ASSIGNMENT_NAMESPACE, uuidv5 } from "../deterministic-name";
import { DatabaseUser, requireDatabasePrincipalName, StatementStep, statementsFor } from "./database-statements";
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
  requireDatabasePrincipalName(grant.where, system, principalDisplayName(identity));
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

function render({ output, grants }: DatabaseOutput, system: "azure-sql" | "postgresql"): void {
  const { dataPlane, target } = grants[0];
  const database = dataPlane.database;
  const users = new Map<string, DatabaseUser & { roles: DataPlaneRoleDefinition[] }>();
  for (const g of grants) {
    const name = principalDisplayName(g.identity);
    const user = users.get(name) ?? { name, principalId: g.identity.principalId, roles: [] };
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
        principal_resource_id: g.identity.principalResourceId.id,
        role: g.role.definition,
        description: g.description,
      })),
    steps,
  };
}

/**
 * The steps a database-access output's grants call for, rebuilt from the grants alone; undefined
 * when a grant names no catalogued role. What a reviewer reads and an administrator runs must be
 * these, not whatever the output's `steps` were overridden to say.
 */
export function stepsOfGrants(value: Readonly<Record<string, unknown>>): StatementStep[] | undefined {
  const system = value.system === "postgresql" ? "postgresql" : value.system === "azure-sql" ? "azure-sql" : undefined;
  if (!system) return undefined;
  const users = new Map<string, DatabaseUser & { roles: DataPlaneRoleDefinition[] }>();
  const grants = Array.isArray(value.grants) ? (value.grants as Record<string, unknown>[]) : [];
  for (const g of grants) {
    const role = typeof g.role === "string" ? findDataPlaneRole(system, g.role) : undefined;
    if (!role || typeof g.principal_name !== "string" || typeof g.principal_id !== "string") return undefined;
    const user = users.get(g.principal_name) ?? { name: g.principal_name, principalId: g.principal_id, roles: [] };
    if (user.principalId !== g.principal_id) return undefined;
    user.roles.push(role);
    users.set(g.principal_name, user);
  }
  const database = {
    name: String(value.database),
    host: String(value.host),
    ...(value.schema === undefined ? {} : { schema: String(value.schema) }),
  };
  return statementsFor(system, database, [...users.values()].sort(byKeys((u) => u.name)));
}
