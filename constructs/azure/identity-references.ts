import { isGuid } from "./azure-ids";
import { computeTypes } from "./contract/assignments";
import { serviceTerraformType } from "./contract/resource-types";

const ADDRESS = /^\$\{((?:data\.)?[a-z0-9_]+)\.[A-Za-z0-9_-]+\.(identity\[0\]\.principal_id|principal_id|client_id)\}$/;

/** Whose id a value may be: any managed identity's object id, or a user-assigned identity's own ids. */
export type IdentityIdKind = "principal id" | "user-assigned principal id" | "client id";

/**
 * Whether `written` (a value as the synthesized JSON spells it) is exactly the id the library
 * itself puts there: a GUID, or a reference to a managed identity's `principal_id` / `client_id`
 * attribute, which Azure fills with a GUID at apply. A variable, a local, a function or any other
 * attribute could be anything, so it is no id. Returns why not, or undefined.
 */
export function identityIdProblem(kind: IdentityIdKind, written: string): string | undefined {
  if (!written.includes("${") && !written.includes("%{"))
    return isGuid(written) ? undefined : "is not a GUID (8-4-4-4-12 hexadecimal digits, no braces)";
  const match = ADDRESS.exec(written);
  const [type, attribute] = match ? [match[1], match[2]] : [];
  const identityType = serviceTerraformType("Managed Identity", "userAssignedIdentity");
  const userAssigned = type === identityType || type === `data.${identityType}`;
  const fits =
    kind === "client id"
      ? userAssigned && attribute === "client_id"
      : (userAssigned && attribute === "principal_id") ||
        (kind === "principal id" &&
          type !== undefined &&
          computeTypes().has(type) &&
          attribute === "identity[0].principal_id");
  return fits
    ? undefined
    : `is a Terraform expression that is not a managed identity's ${kind.replace("user-assigned ", "")}`;
}
