import { ResourceId } from "../azure/azure-ids";
import { RoleService } from "../azure/role-catalog";
import {
  AuditedResource,
  auditedResourceOf,
  AuditProfile,
  auditWorkspace,
  isPerService,
} from "../azure/contract/audit";

/** Whether a literal is a Log Analytics workspace's resource id. */
export function isWorkspaceId(value: string): boolean {
  try {
    return ResourceId.parseShape("scope", value).isOfType(auditWorkspace().type);
  } catch {
    return false;
  }
}

/** The stack local naming the workspace that receives the tenant's managed-identity sign-ins: its id, or `none`. */
export const SIGN_IN_WORKSPACE_LOCAL = "audit_sign_in_workspace";

/** Where a grant's data access is logged: the resource a diagnostic setting goes on, and its profile. */
export interface AuditPoint {
  /** The target's resource, or the storage service it uses (`<account>/blobServices/default`). */
  readonly resourceId: string;
  /** The id path from the target's own resource to `resourceId` (`/blobServices/default`, or empty). */
  readonly suffix: string;
  /** The target's own resource (the account, vault or namespace), at the top of the scope. */
  readonly rootId: string;
  /** How many id segments the scope has below its root resource. */
  readonly depthBelowRoot: number;
  readonly profile: AuditProfile;
  /** For a server that logs all its databases (Azure SQL, PostgreSQL): the grant's database, its name and id. */
  readonly database?: { readonly name: string; readonly id: string };
}

/**
 * Where a data role on `scope` is audited, or undefined for a target no profile covers. The
 * storage service comes from the scope (a container is blob) or, on the account, the role's
 * service. `premium` says whether a messaging namespace is on the Premium tier.
 */
export function auditPointOf(scope: ResourceId, service: RoleService, premium: boolean): AuditPoint | undefined {
  if (scope.level !== "resource") return undefined;
  const [namespace, rootType, childType] = scope.type.split("/");
  const audited = auditedResourceOf(`${namespace}/${rootType}`);
  const chosen = audited && loggedAt(audited, childType, service, premium);
  if (!audited || !chosen) return undefined;
  const segments = scope.id.split("/");
  const rootId = segments.slice(0, 9).join("/");
  const { profile, suffix } = chosen;
  return {
    resourceId: `${rootId}${suffix}`,
    suffix,
    rootId,
    depthBelowRoot: segments.length - 9,
    profile,
    ...(audited.databaseType && profile.log?.database && childType?.toLowerCase() === audited.databaseType.toLowerCase()
      ? { database: { name: segments[10], id: `${rootId}/${audited.databaseType}/${segments[10]}` } }
      : {}),
  };
}

/** The profile of a grant on the resource, and the id path below it its setting goes on. */
function loggedAt(
  audited: AuditedResource,
  childType: string | undefined,
  service: RoleService,
  premium: boolean,
): { readonly profile: AuditProfile; readonly suffix: string } | undefined {
  const { logs } = audited;
  if (isPerService(logs)) {
    const child = childType?.toLowerCase();
    const entry = logs.find((s) =>
      child === undefined ? s.roleService === service : s.settingOn.split("/")[1].toLowerCase() === child,
    );
    return entry && { profile: entry.profile, suffix: entry.settingOn };
  }
  const profile = "premium" in logs ? (premium ? logs.premium : logs.otherTiers) : logs;
  // A resource that logs nothing enables no categories: its gap says why.
  return {
    profile: "categories" in profile ? profile : { ...profile, categories: [] },
    suffix: audited.settingOn ?? "",
  };
}
