import { IConstruct } from "constructs";
import { IdentityConfigError } from "../core/errors";
import { resolveInStack } from "../azure/known-values";

/** The `identity` block that compute resources across azurerm share. */
export interface IdentityBlock {
  type: string;
  identityIds?: string[];
}

export interface HasIdentityBlock extends IConstruct {
  readonly identityInput?: IdentityBlock;
  putIdentity(value: IdentityBlock): void;
}

/** Adds to the resource's identities, keeping those it has: `SystemAssigned, UserAssigned` when both are on. */
export function mergeIdentity(
  resource: HasIdentityBlock,
  systemAssigned: boolean,
  identityIds: readonly string[],
): IdentityBlock {
  const current = resource.identityInput;
  const hasSystem = systemAssigned || (current?.type ?? "").includes("SystemAssigned");
  const ids = [...(current?.identityIds ?? [])];
  for (const id of identityIds) if (!ids.some((known) => sameValue(resource, known, id))) ids.push(id);
  const type = [hasSystem ? "SystemAssigned" : "", ids.length > 0 ? "UserAssigned" : ""].filter(Boolean).join(", ");
  const block = ids.length > 0 ? { type, identityIds: ids } : { type };
  resource.putIdentity(block);
  return block;
}

/** Two values that will be written the same, references included. */
export function sameValue(scope: IConstruct, a: string, b: string): boolean {
  return a === b || resolveInStack(scope, a) === resolveInStack(scope, b);
}

/**
 * Adds settings (app settings, environment variables) to those a resource has. A key that already
 * holds another value is an error: `AZURE_CLIENT_ID` can select only one identity.
 */
export function mergeSettings(
  resource: IConstruct,
  current: Readonly<Record<string, string>> | undefined,
  wanted: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(wanted)) {
    if (merged[key] !== undefined && !sameValue(resource, merged[key], value)) {
      throw new IdentityConfigError(resource, {
        problem: `setting ${key} already holds another value`,
        value: resolveInStack(resource, merged[key]),
        fix:
          key === "AZURE_CLIENT_ID"
            ? "attach one user-assigned identity per compute as its default, and share it between workloads that need the same access"
            : `remove ${key} from the resource's own settings, or give the connection another name`,
      });
    }
    merged[key] = value;
  }
  return merged;
}
