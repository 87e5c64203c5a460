import { findDataPlaneRole, findRoleByGuid, lookupRoleByName, RoleDefinition, RoleSystem } from "../azure/role-catalog";
import {
  AssignmentDialect,
  assignmentDialects,
  AssignmentFields,
  UNREAD_AZURE_TYPES,
  UNREAD_GRANTING_TYPES,
  unreadGrants,
} from "../azure/contract/assignments";
import { databaseAccessAssignments, databaseAccessOutputs, forgedDatabaseAccess } from "./database-access-outputs";
import { Principal, readPrincipal } from "./principals";
import { readScope, Scope } from "./scopes";
import { isLiteral, TfResource } from "./terraform-json";

/**
 * The assignments of a stack, in every dialect a registered service writes them in (its
 * `assignments` part), and the database grants it outputs; and the resources that grant access
 * in a form none of them reads.
 */
export interface Assignment {
  /** What makes it: a role assignment, a Cosmos DB SQL role assignment, a Redis access policy assignment, or a database-access output. */
  readonly resource: TfResource;
  /** Who authorizes it: Azure RBAC, or the service's own data plane. */
  readonly system: RoleSystem;
  readonly scope: Scope;
  readonly principal: Principal;
  readonly role?: RoleDefinition;
  /** The role as written: id or name. */
  readonly roleWritten: string;
  /** False when the role is a value only Terraform knows (a variable, a data source...). */
  readonly roleVerifiable: boolean;
  readonly usesRoleName: boolean;
  readonly unscopedRoleId: boolean;
  readonly principalType?: string;
  readonly name?: unknown;
  readonly condition?: string;
  readonly description?: string;
  /** The workload that asked for it, from the description our constructs write (`workload: reason`). */
  readonly workload?: string;
  /** What a compute of the stack needs this for, when its platform identity holds it on what it uses. */
  readonly platformUse?: string;
}

/** The ARM type a generic resource (azapi) writes, when literal: lower case, without its API version. */
const writtenAzureType = (r: TfResource): string | undefined =>
  isLiteral(r.config.type) ? r.config.type.split("@")[0].toLowerCase() : undefined;

/** The dialect a resource is written in, if any. */
function dialectOf(r: TfResource): AssignmentDialect | undefined {
  return assignmentDialects().find((d) =>
    d.azureType
      ? d.azureType.genericTypes.includes(r.type) && writtenAzureType(r) === d.azureType.type.toLowerCase()
      : d.terraformTypes?.includes(r.type),
  );
}

/** Every assignment the stack's resources and database-access outputs make, in address order. */
export function readAssignments(
  resources: readonly TfResource[],
  stackJson: Readonly<Record<string, any>>,
  byAddress: ReadonlyMap<string, TfResource>,
): Assignment[] {
  const made = resources.flatMap((r) => {
    const dialect = dialectOf(r);
    return dialect ? dialect.read(r).map((f) => readAssignment(r, dialect, f, byAddress)) : [];
  });
  const outputs = databaseAccessOutputs(stackJson).flatMap((output) => {
    const { system, fields } = databaseAccessAssignments(output);
    return fields.map((f) => readAssignment(output, { system }, f, byAddress));
  });
  return [...made, ...outputs];
}

/**
 * The stack's resources and outputs that grant access in a form no dialect reads: the built-in
 * granting types and each service's own `assignments.unread`.
 */
export function readUnreadable(
  resources: readonly TfResource[],
  stackJson: Readonly<Record<string, any>>,
): TfResource[] {
  return [...resources.filter((r) => grantsUnread(r)), ...forgedDatabaseAccess(stackJson)];
}

function grantsUnread(r: TfResource): boolean {
  const dialects = assignmentDialects();
  if (dialects.some((d) => d.terraformTypes?.includes(r.type))) return false;
  const unread = unreadGrants();
  if (
    r.config.provisioner !== undefined ||
    unread.some((u) => u.blocks?.some((b) => b.terraformType === r.type && r.config[b.block] !== undefined))
  )
    return true;
  if (dialects.some((d) => d.azureType?.genericTypes.includes(r.type))) {
    const azureType = writtenAzureType(r);
    if (azureType === undefined) return true;
    return (
      !dialects.some((d) => d.azureType?.type.toLowerCase() === azureType) &&
      (UNREAD_AZURE_TYPES.test(azureType) || unread.some((u) => u.azureTypes?.test(azureType)))
    );
  }
  return UNREAD_GRANTING_TYPES.test(r.type) || unread.some((u) => u.terraformTypes?.test(r.type));
}

function readAssignment(
  resource: TfResource,
  dialect: Pick<AssignmentDialect, "system" | "roleKey">,
  f: AssignmentFields,
  byAddress: ReadonlyMap<string, TfResource>,
): Assignment {
  const roleId = typeof f.roleDefinitionId === "string" ? f.roleDefinitionId : undefined;
  const roleName = typeof f.roleDefinitionName === "string" ? f.roleDefinitionName : undefined;
  const description = typeof f.description === "string" ? f.description : undefined;
  const principalType = typeof f.principalType === "string" ? f.principalType : undefined;
  const { role, verifiable } = readRole(dialect, roleId, roleName);
  return {
    resource,
    system: dialect.system,
    scope: readScope(f.scope, byAddress),
    principal: readPrincipal(f.principalId, principalType, byAddress),
    role,
    roleWritten: roleId ?? roleName ?? "",
    roleVerifiable: verifiable,
    usesRoleName: roleName !== undefined,
    unscopedRoleId: roleId?.startsWith("/providers/") ?? false,
    principalType,
    name: f.name,
    condition:
      typeof f.condition === "string"
        ? f.condition
        : f.condition === undefined
          ? undefined
          : JSON.stringify(f.condition),
    description,
    workload: description?.includes(": ") ? description.slice(0, description.indexOf(": ")) : undefined,
  };
}

/** The catalog entry an assignment's role as written names, and whether it can be known before apply. */
function readRole(
  { system, roleKey }: Pick<AssignmentDialect, "system" | "roleKey">,
  roleId: string | undefined,
  roleName: string | undefined,
): { role?: RoleDefinition; verifiable: boolean } {
  const key = roleId === undefined ? undefined : roleKey ? roleKey(roleId) : roleId;
  if (system === "azure-rbac") {
    // The GUID names the role in every subscription: a literal GUID is verifiable whatever precedes it.
    if (key !== undefined && isLiteral(key)) return { role: findRoleByGuid(key), verifiable: true };
    return {
      role: roleName !== undefined && isLiteral(roleName) ? lookupRoleByName(roleName) : undefined,
      verifiable: roleId === undefined ? isLiteral(roleName) : isLiteral(roleId),
    };
  }
  if (key === undefined || !isLiteral(key)) return { verifiable: false };
  return { role: findDataPlaneRole(system, key), verifiable: true };
}
