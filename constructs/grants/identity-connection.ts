import { IManagedIdentity, IUserAssignedIdentity } from "../azure/identity";
import { DatabaseScope, GrantScope } from "../azure/grant";
import { IdentityConfigError } from "../core/errors";

/**
 * What an app reads from its settings to reach a service as its identity: the endpoint and which
 * identity to use, never a connection string with a key or password. Each service's module writes
 * its own; `Connections` gathers them.
 */
export interface IdentityConnection {
  readonly name: string;
  /** A Functions trigger source: its host must be running to see events (see AppServiceCompute). */
  readonly trigger: boolean;
  /** The settings for the identity the compute runs as. */
  settings(identity: IManagedIdentity): Readonly<Record<string, string>>;
}

export const clientIdOf = (identity: IManagedIdentity) =>
  identity.kind === "UserAssigned" ? (identity as IUserAssignedIdentity).clientId : undefined;

/**
 * A Functions identity-based connection (`<name>__<property>`); a user-assigned identity must be
 * named (`credential`, `clientId`), or the SDK uses the system-assigned one.
 */
export function functionsConnection(
  name: string,
  properties: Readonly<Record<string, string>>,
  trigger = true,
): IdentityConnection {
  return {
    name,
    trigger,
    settings: (identity) => {
      const clientId = clientIdOf(identity);
      const all = clientId ? { ...properties, credential: "managedidentity", clientId } : properties;
      return Object.fromEntries(Object.entries(all).map(([key, value]) => [`${name}__${key}`, value]));
    },
  };
}

/**
 * A connection to one database of a server (its `database(...)` target): the service's settings
 * from the database's host and name and the identity's client id, if it has one.
 */
export const databaseConnection = (
  setting: string,
  database: GrantScope,
  settings: (
    db: DatabaseScope,
    identity: IManagedIdentity,
    clientId: string | undefined,
  ) => Readonly<Record<string, string>>,
): IdentityConnection => ({
  name: setting,
  trigger: false,
  settings: (identity) => settings(databaseOf(setting, database), identity, clientIdOf(identity)),
});

/** The database a connection names: a server's `database(...)` target carries it. */
function databaseOf(name: string, target: GrantScope): DatabaseScope {
  const database = target.dataPlane?.database;
  if (database) return database;
  throw new IdentityConfigError(name, {
    problem: `Connection ${name} needs a database, not ${target.kind} ${target.label}`,
    value: target.resourceId.id,
    fix: "pass server.database(name)",
  });
}
