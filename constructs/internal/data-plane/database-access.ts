import { Construct, IConstruct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { DataPlaneScope, GrantScope } from "../../grant";
import { IManagedIdentity } from "../../identity";
import { DataPlaneRoleDefinition } from "../../role-catalog";
import { byKeys } from "../ordering";
import { slug } from "../slug";
import { DatabaseUser, postgresStatements, requireDatabasePrincipalName, sqlStatements } from "./database-statements";
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
  const entry = existing ?? {
    output: new TerraformOutput(
      (stack.node.tryFindChild("database-access") as Construct | undefined) ?? new Construct(stack, "database-access"),
      `database-access-${slug(`${dataPlane.service.name}-${dataPlane.database.name}`)}`,
      { value: null, staticId: true, description: "" },
    ),
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
  const steps = system === "azure-sql" ? sqlStatements(database, sorted) : postgresStatements(database, sorted);
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
