import { isGuid } from "../azure/azure-ids";
import { DECLARED_SUBSCRIPTION_LOCAL } from "../azure/azure-context";
import { serviceTerraformType } from "../azure/contract/resource-types";
import { Assignment, readAssignments, readUnreadable } from "./assignment-dialects";
import { Compute, readComputes } from "./computes";
import { withPlatformUses } from "./platform-uses";
import { federatedParentOf, namesTwoIdentities } from "./federated-credentials";
import { EstateMigration, readMigrations } from "./migrations";
import { block, parseReference, readModules, readResources, TfResource } from "./terraform-json";

export type { Assignment } from "./assignment-dialects";
export type { Compute } from "./computes";
export type { EstateConversion, EstateMigration, EstateSecretMigration } from "./migrations";
export { isConversion, isSecretMigration } from "./migrations";
export { MANAGED_IDENTITY_KINDS } from "./principals";
export type { Principal, PrincipalKind } from "./principals";
export type { Scope } from "./scopes";
export { block, parseReference } from "./terraform-json";
export type { Reference, TfResource } from "./terraform-json";

/**
 * A synthesized stack read back as an estate: identities, what they are attached to, and who holds
 * which role where. Built from the Terraform JSON alone, so hand-written assignments, overrides
 * and escape hatches are seen exactly as Terraform will apply them. The walk, the assignment
 * dialects, principals, scopes, computes and platform uses each have their own module; this one
 * assembles them.
 */
export interface FederatedCredential {
  readonly resource: TfResource;
  /** The identity it trusts for, as written (a reference or an id). */
  readonly parent: string;
  /** That identity's address, when the stack's own. */
  readonly identity?: string;
  readonly issuer: string;
  readonly subject: string;
}

export interface EstateModel {
  /** The stack's Terraform JSON the model was read from. */
  readonly json: Readonly<Record<string, any>>;
  readonly resources: readonly TfResource[];
  readonly byAddress: ReadonlyMap<string, TfResource>;
  readonly assignments: readonly Assignment[];
  readonly computes: readonly Compute[];
  /** Managed user-assigned identities of the stack. */
  readonly identities: readonly TfResource[];
  readonly federated: readonly FederatedCredential[];
  /** The AKS kubelet identities: attached to the cluster's nodes. */
  readonly kubeletIdentities: ReadonlySet<string>;
  /** User-assigned identities some resource uses (compute, kubelet, encryption key, federation). */
  readonly usedIdentities: ReadonlySet<string>;
  /** The subscription the stack's azurerm provider deploys into, when it says. */
  readonly subscriptionId?: string;
  /** Module calls: whatever they assign is not in this JSON, so it is not analysed. */
  readonly modules: readonly TfResource[];
  /** Resources that may make role assignments in a way that cannot be read (an azapi type only Terraform knows). */
  readonly unreadable: readonly TfResource[];
  /** The migrations the stack declares (`locals.identity_migrations`), resolved in the estate. */
  readonly migrations: readonly EstateMigration[];
  /** Migration records that cannot be read (a hand-written or hostile local): they accept nothing. */
  readonly unreadableMigrations: number;
}

const estates = new WeakMap<object, EstateModel>();

/**
 * The subscription the stack deploys into: the provider's, when it names one; else the one
 * configureIdentityStack was given (a provider reading ARM_SUBSCRIPTION_ID or a variable names none
 * Terraform knows before apply, and without it no target could be told to be the stack's own).
 */
function subscriptionOf(stackJson: Readonly<Record<string, any>>): string | undefined {
  const provider: unknown = block(stackJson.provider?.azurerm)?.subscription_id;
  if (typeof provider === "string" && isGuid(provider)) return provider;
  const declared: unknown = stackJson.locals?.[DECLARED_SUBSCRIPTION_LOCAL];
  return typeof declared === "string" && isGuid(declared) ? declared : (provider as string | undefined);
}

/** The estate of a rendered stack; the guardrails and the access report of one synth share it. */
export function readEstate(stackJson: Readonly<Record<string, any>>): EstateModel {
  const cached = estates.get(stackJson);
  if (cached) return cached;
  const estate = buildEstate(stackJson);
  estates.set(stackJson, estate);
  return estate;
}

function buildEstate(stackJson: Readonly<Record<string, any>>): EstateModel {
  const resources = readResources(stackJson);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const computes = readComputes(resources, byAddress);
  const kubeletIdentities = new Set(
    resources.flatMap((r) => {
      const ref = parseReference(block(r.config.kubelet_identity)?.user_assigned_identity_id);
      return ref ? [ref.address] : [];
    }),
  );
  const identityType = serviceTerraformType("Managed Identity", "userAssignedIdentity");
  const credentialType = serviceTerraformType("Managed Identity", "federatedCredential");
  // The type is lower-case letters and underscores: nothing in it needs escaping.
  const identityUse = new RegExp(`\\$\\{${identityType}\\.([A-Za-z0-9_-]+)\\.(id|client_id|principal_id)\\}`, "g");
  const assignments = withPlatformUses(
    readAssignments(resources, stackJson, byAddress),
    resources,
    computes,
    kubeletIdentities,
  );
  const assigning = new Set(assignments.map((a) => a.resource));
  const usedIdentities = new Set(
    resources
      .filter((r) => !assigning.has(r))
      .flatMap((r) => [...JSON.stringify(r.config).matchAll(identityUse)].map((m) => `${identityType}.${m[1]}`)),
  );
  const { migrations, unreadable: unreadableMigrations } = readMigrations(stackJson, byAddress, computes);
  return {
    json: stackJson,
    migrations,
    unreadableMigrations,
    resources,
    byAddress,
    computes,
    kubeletIdentities,
    usedIdentities,
    subscriptionId: subscriptionOf(stackJson),
    identities: resources.filter((r) => r.type === identityType),
    assignments,
    modules: readModules(stackJson),
    unreadable: [
      ...readUnreadable(resources, stackJson),
      ...resources.filter((r) => r.type === credentialType && namesTwoIdentities(r.config)),
    ],
    federated: resources
      .filter((r) => r.type === credentialType)
      .map((r) => ({
        resource: r,
        parent: federatedParentOf(r.config),
        identity: parseReference(federatedParentOf(r.config))?.address,
        issuer: String(r.config.issuer ?? ""),
        subject: String(r.config.subject ?? ""),
      })),
  };
}
