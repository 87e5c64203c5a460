import { IdentityConfigError } from "../../core/errors";
import { registerService } from "./registry";
import { checkNetworkPart, type NetworkPart } from "./network";
import type { Part } from "./part";
import { checkResourceTypes, type ResourceTypesPart } from "./resource-types";
import type { AssignmentsPart } from "./assignments";
import type { AuthorizationPart } from "./authorization";
import { checkRoles, type RolesPart } from "./roles";
import { checkAuditPart, type AuditPart } from "./audit";
import { checkKeys, type KeysPart } from "./keys";
import type { MocksPart } from "./mocks";

/**
 * The service module contract: everything the library knows about one Azure service, in one
 * definition. The policy, rules, estate reader, report, diff, verify and the Terraform gate read
 * services only through the registry this fills; a part a service does not have is stated with a
 * reason (`notApplicable`), never left out.
 */

export { notApplicable } from "./part";
export type { NotApplicable, Part } from "./part";

export interface ServiceDefinition {
  /** How people name it ("Key Vault"): in messages, reports and the service table. */
  readonly name: string;
  /** The Azure resource provider namespaces its resource types live in ("Microsoft.KeyVault"). */
  readonly namespaces: readonly string[];
  readonly resourceTypes?: Part<ResourceTypesPart>;
  readonly roles?: Part<RolesPart>;
  readonly authorization?: Part<AuthorizationPart>;
  readonly assignments?: Part<AssignmentsPart>;
  readonly keys?: Part<KeysPart>;
  readonly audit?: Part<AuditPart>;
  readonly network?: Part<NetworkPart>;
  readonly mocks?: Part<MocksPart>;
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
  checkResourceTypes(definition);
  checkRoles(definition);
  checkKeys(definition);
  checkAuditPart(definition.name, definition.audit);
  checkNetworkPart(definition.name, definition.network);
  return registerService(Object.freeze(definition));
}
