import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { MssqlDatabase } from "@cdktf/provider-azurerm/lib/mssql-database";
import { PostgresqlFlexibleServer } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server";
import { PostgresqlFlexibleServerDatabase } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-database";
import { ResourceId } from "./azure-ids";
import { knownName } from "./internal/known-values";
import { ResourceTypes } from "./internal/resource-types";
import { requireDatabasePrincipalName } from "./internal/data-plane/database-statements";
import { ChildResource, childKind, childTarget, GrantTarget, targetOfKind } from "./targets";

/** A database's own name: given, parsed from its id, or the resource's. */
function databaseName(label: string, database: string | MssqlDatabase | PostgresqlFlexibleServerDatabase): string {
  if (typeof database !== "string") return knownName(database, database.nameInput ?? "");
  return database.startsWith("/") ? ResourceId.parse(label, database).name : database;
}

const serverParent = (r: ChildResource) => ({
  id: (r as MssqlDatabase | PostgresqlFlexibleServerDatabase).serverIdInput,
});

/**
 * An Azure SQL logical server, for its databases. A database user is not an ARM resource: a grant
 * on `server.database(db)` adds the identity's `CREATE USER ... FROM EXTERNAL PROVIDER` and role
 * memberships to the stack's `database-access-<server>-<db>` output, which the server's Entra
 * administrator runs once after apply. Guardrail IG029 requires Entra-only authentication.
 */
export class SqlServerTarget extends targetOfKind<"Azure SQL", MssqlServer>(ResourceTypes.sqlServer, true) {
  get fullyQualifiedDomainName(): string {
    return `${this.resourceId.name}.database.windows.net`;
  }

  /** One database: contained users and their roles live in it. */
  database(database: string | MssqlDatabase): GrantTarget<"Azure SQL"> {
    const name = databaseName(this.label, database);
    return childTarget(
      this,
      childKind(ResourceTypes.sqlDatabase, "databases"),
      database,
      serverParent,
      this.dataPlane && { ...this.dataPlane, database: { name, host: this.fullyQualifiedDomainName } },
    );
  }
}

/**
 * A PostgreSQL flexible server, for one schema of one of its databases. Like Azure SQL, the grant
 * becomes statements in the stack's output: `pgaadauth_create_principal_with_oid` in `postgres`,
 * then the table privileges on the schema. Guardrail IG029 requires Entra authentication only.
 */
export class PostgresServerTarget extends targetOfKind<"PostgreSQL", PostgresqlFlexibleServer>(
  ResourceTypes.postgresServer,
  true,
) {
  get fqdn(): string {
    return `${this.resourceId.name}.postgres.database.azure.com`;
  }

  /** The tables of one schema (`public` unless named) of one database. */
  database(database: string | PostgresqlFlexibleServerDatabase, schema = "public"): GrantTarget<"PostgreSQL"> {
    const name = databaseName(this.label, database);
    const db = childTarget(this, childKind(ResourceTypes.postgresDatabase, "databases"), database, serverParent);
    requireDatabasePrincipalName(db.label, "postgresql", schema, "schema");
    return childTarget(
      db,
      childKind(ResourceTypes.postgresSchema, "schemas"),
      schema,
      undefined,
      this.dataPlane && { ...this.dataPlane, database: { name, host: this.fqdn, schema } },
    );
  }
}
