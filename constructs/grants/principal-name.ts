import { IManagedIdentity } from "../azure/identity";

/**
 * The name Entra shows for a managed identity's service principal: the user-assigned identity's
 * name, or the compute's name for a system-assigned one (`<app>/slots/<slot>` for a slot's).
 */
export function principalDisplayName(identity: IManagedIdentity): string {
  const { names, type } = identity.principalResourceId;
  const types = type.split("/").slice(1);
  return names.map((name, i) => (i === 0 ? name : `${types[i]}/${name}`)).join("/");
}
