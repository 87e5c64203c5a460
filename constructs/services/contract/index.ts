import { IdentityConfigError } from "../../errors";
import { registerService } from "./registry";

/**
 * The service module contract: everything the library knows about one Azure service, in one
 * definition. The policy, rules, estate reader, report, diff, verify and the Terraform gate read
 * services only through the registry this fills; a part a service does not have is stated with a
 * reason (`notApplicable`), never left out.
 */

/** A part a service does not have, and why. */
export interface NotApplicable {
  readonly notApplicable: string;
}

export const notApplicable = (reason: string): NotApplicable => Object.freeze({ notApplicable: reason });

export type Part<T> = T | NotApplicable;

export function isNotApplicable(part: unknown): part is NotApplicable {
  return typeof part === "object" && part !== null && typeof (part as NotApplicable).notApplicable === "string";
}

export interface ServiceDefinition {
  /** How people name it ("Key Vault"): in messages, reports and the service table. */
  readonly name: string;
  /** The Azure resource provider namespaces its resource types live in ("Microsoft.KeyVault"). */
  readonly namespaces: readonly string[];
  // @part resourceTypes
  // @part roles
  // @part authorization
  // @part assignments
  // @part keys
  // @part audit
  // @part network
  // @part mocks
}

/** Checks a definition, registers it and returns it frozen. */
export function defineService<const D extends ServiceDefinition>(definition: D): D {
  if (typeof definition?.name !== "string" || definition.name.trim() === "") {
    throw new IdentityConfigError("defineService", {
      problem: "A service definition has no name",
      value: definition?.name ?? null,
      fix: 'give the definition the service\'s name as people know it, e.g. name: "Key Vault"',
    });
  }
  return registerService(Object.freeze(definition));
}
