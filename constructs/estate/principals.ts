import { isGuid } from "../azure/azure-ids";
import { computeTypes } from "../azure/contract/assignments";
import { serviceTerraformType } from "../azure/contract/resource-types";
import { isLiteral, parseReference, TfResource } from "./terraform-json";

/**
 * Who an assignment's principal is: a managed identity of the estate (resolved through its
 * reference), a service principal, user or group by literal object id (typed by
 * `principal_type`), or `Unknown`: a reference to something that is no principal, or a value only
 * Terraform knows (a variable, a local, a module output, a function).
 */
export type PrincipalKind =
  "UserAssigned" | "SystemAssigned" | "ExistingUserAssigned" | "ServicePrincipal" | "User" | "Group" | "Unknown";

/** The kinds that are managed identities the estate declares: the only principals its workloads run as. */
export const MANAGED_IDENTITY_KINDS: ReadonlySet<PrincipalKind> = new Set([
  "UserAssigned",
  "SystemAssigned",
  "ExistingUserAssigned",
]);

export interface Principal {
  /** Stable key: the identity's address, `<compute address>#system`, or the principal id as written. */
  readonly key: string;
  readonly kind: PrincipalKind;
  /** The identity resource, or the compute whose system-assigned identity it is. */
  readonly resource?: TfResource;
  readonly label: string;
  /** The principal id as written in the assignment. */
  readonly raw: string;
  /** False when the value is one only Terraform knows, so nothing can be judged from it. */
  readonly verifiable: boolean;
}

/** Directory objects azuread can name, by the kind of principal they are. */
const DIRECTORY_KINDS: Readonly<Record<string, PrincipalKind>> = {
  azuread_user: "User",
  azuread_group: "Group",
  azuread_service_principal: "ServicePrincipal",
};

export function readPrincipal(
  value: unknown,
  principalType: string | undefined,
  byAddress: ReadonlyMap<string, TfResource>,
): Principal {
  const raw = typeof value === "string" ? value : JSON.stringify(value ?? null);
  const ref = parseReference(raw);
  if (ref && ref.suffix === "") {
    const resource = byAddress.get(ref.address);
    const kind = resource ? referencedPrincipalKind(resource, ref.attribute) : undefined;
    if (kind === "SystemAssigned")
      return {
        key: `${ref.address}#system`,
        kind,
        resource,
        label: `${ref.address} (system-assigned)`,
        raw,
        verifiable: true,
      };
    if (kind) return { key: ref.address, kind, resource, label: ref.address, raw, verifiable: true };
    // A reference to a resource that is no principal is wrong, but certain; one to a variable is not.
    return { key: raw, kind: "Unknown", resource, label: raw, raw, verifiable: resource !== undefined };
  }
  if (!isLiteral(raw)) return { key: raw, kind: "Unknown", label: raw, raw, verifiable: false };
  const typed =
    isGuid(raw) && (principalType === "ServicePrincipal" || principalType === "User" || principalType === "Group")
      ? principalType
      : "Unknown";
  return { key: raw.toLowerCase(), kind: typed, label: raw, raw, verifiable: true };
}

function referencedPrincipalKind(resource: TfResource, attribute: string): PrincipalKind | undefined {
  const identityType = serviceTerraformType("Managed Identity", "userAssignedIdentity");
  if (resource.type === identityType && attribute === ".principal_id") return "UserAssigned";
  // Read through another provider alias, it is another subscription's (another environment's) identity.
  if (resource.type === `data.${identityType}` && attribute === ".principal_id")
    return resource.config.provider === undefined ? "ExistingUserAssigned" : undefined;
  if (computeTypes().has(resource.type) && attribute === ".identity[0].principal_id") return "SystemAssigned";
  const directory = DIRECTORY_KINDS[resource.type.replace(/^data\./, "")];
  return directory && attribute === ".object_id" ? directory : undefined;
}
