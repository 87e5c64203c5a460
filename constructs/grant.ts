import { IConstruct } from "constructs";
import { TerraformStack } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { IdentityConfigError } from "./errors";
import { IManagedIdentity } from "./identity";
import { findRoleByGuid, RoleDefinition, roleDefinitionId } from "./role-catalog";
import { roleAssignmentName } from "./deterministic-name";
import type { GrantTarget } from "./targets";
import { GuardrailSuppressions } from "./guardrails/suppressions";
import { limitsRoles } from "./abac";

/** The least a justification must say: who needs it and why the narrow role does not do. */
const MIN_JUSTIFICATION = 20;

/** An ABAC condition on an assignment (version 2.0), e.g. to limit what RBAC Administrator may assign. */
export interface AbacCondition {
  readonly expression: string;
  /** What the condition allows, in words, for the report. */
  readonly summary: string;
}

export interface GrantOptions {
  /** Why the workload needs this access; written into the assignment's description. */
  readonly reason: string;
  /** The workload the grant serves; defaults to the identity's construct id. */
  readonly workload?: string;
  /**
   * Required for a privileged role or a scope broader than one resource: why nothing narrower
   * works. Without it such a grant is refused.
   */
  readonly justification?: string;
  readonly condition?: AbacCondition;
  /** The construct that asked for the grant, named in errors. Defaults to the identity. */
  readonly declaredBy?: IConstruct;
}

/** A typed request for access to one target, to hand to a WorkloadIdentity. */
export interface GrantSpec {
  readonly target: GrantTarget<any>;
  readonly role: RoleDefinition;
  readonly options: Omit<GrantOptions, "declaredBy" | "workload">;
}

/** One role assignment: the result of granting a role on a target to an identity. */
export class Grant {
  constructor(
    readonly name: string,
    readonly role: RoleDefinition,
    readonly target: GrantTarget<any>,
    readonly identity: IManagedIdentity,
    readonly assignment: RoleAssignment,
    readonly options: GrantOptions,
  ) {}
}

const grantsByStack = new WeakMap<TerraformStack, Map<string, Grant>>();

/** Every grant made so far in the stack, in declaration order. */
export function grantsIn(stack: TerraformStack): Grant[] {
  return [...(grantsByStack.get(stack)?.values() ?? [])];
}

/**
 * The one place a role assignment is made. It refuses what the product forbids (unknown or
 * privileged roles, another service's role, scopes above one resource) unless justified, names
 * the assignment deterministically, and returns the existing grant when the same
 * (scope, identity, role) is declared again, since Azure would answer a second one with 409.
 */
export function grantRole(identity: IManagedIdentity, role: RoleDefinition, target: GrantTarget<any>, options: GrantOptions): Grant {
  const where = options.declaredBy ?? identity;
  checkGrant(where, identity, role, target, options);

  const key = [target.resourceId.id, role.guid, identity.principalResourceId.id].join("|").toLowerCase();
  const stack = TerraformStack.of(identity);
  const grants = grantsByStack.get(stack) ?? new Map<string, Grant>();
  grantsByStack.set(stack, grants);
  const existing = grants.get(key);
  if (existing) {
    if (existing.options.condition?.expression !== options.condition?.expression) {
      throw new IdentityConfigError(where, {
        problem: `${role.name} on ${target.label} is declared twice with different conditions`,
        value: options.condition?.expression ?? null,
        fix: "Azure keeps one assignment per (scope, principal, role): declare it once, with one condition",
      });
    }
    return existing;
  }

  const name = roleAssignmentName(target.resourceId.id, role.guid, identity.principalResourceId.id);
  const workload = options.workload ?? identity.node.id;
  const assignmentId = `${slug(role.name)}-on-${target.label}`;
  if (identity.node.tryFindChild(assignmentId)) {
    throw new IdentityConfigError(where, {
      problem: "Two different targets share the label that names this grant",
      value: target.label,
      fix: "give one of the targets a distinct `label` when you create it",
    });
  }
  const assignment = new RoleAssignment(identity, assignmentId, {
    name,
    scope: target.scopeReference,
    roleDefinitionId: roleDefinitionId(target.resourceId.subscriptionId, role),
    principalId: identity.principalId,
    principalType: "ServicePrincipal",
    description: `${workload}: ${options.reason}`,
    condition: options.condition?.expression,
    conditionVersion: options.condition ? "2.0" : undefined,
    dependsOn: target.dependsOn.length > 0 ? [...target.dependsOn] : undefined,
  });
  if (options.justification) recordJustification(assignment, role, target, options);
  const grant = new Grant(name, role, target, identity, assignment, { ...options, workload });
  grants.set(key, grant);
  return grant;
}

function checkGrant(where: IConstruct, identity: IManagedIdentity, role: RoleDefinition, target: GrantTarget<any>, options: GrantOptions): void {
  const catalogued = findRoleByGuid(role.guid ?? "");
  if (!catalogued || catalogued.name !== role.name) {
    throw new IdentityConfigError(where, {
      problem: "Unknown role",
      value: role.name ?? role,
      fix: "use a built-in role from the catalog (Roles.*); roles are referenced by GUID, never by display name",
    });
  }
  if (!options.reason || options.reason.trim().length === 0) {
    throw new IdentityConfigError(where, {
      problem: `Grant of ${role.name} on ${target.label} has no reason`,
      value: options.reason,
      fix: "say why the workload needs this access; it becomes the assignment's description",
    });
  }
  const justified = (options.justification?.trim().length ?? 0) >= MIN_JUSTIFICATION;
  if (options.justification !== undefined && !justified) {
    throw new IdentityConfigError(where, {
      problem: `Justification for ${role.name} on ${target.label} is too short`,
      value: options.justification,
      fix: `explain in at least ${MIN_JUSTIFICATION} characters why no narrower role or scope works`,
    });
  }
  const conditionedAdmin = role.privilegedUnlessConditioned && limitsRoles(options.condition?.expression);
  if (role.plane === "privileged" && !conditionedAdmin && !justified) {
    throw new IdentityConfigError(where, {
      problem: `Privileged role ${role.name} requested for workload identity ${identity.node.path}`,
      value: role.name,
      fix: role.privilegedUnlessConditioned
        ? "add an ABAC `condition` that limits which roles it may assign (onlyAssignRoles), or pass a `justification`"
        : `grant the narrowest data role on the target instead (${target.services.join(", ")} roles); if the workload truly manages the resource, pass a \`justification\``,
    });
  }
  if (target.resourceId.level !== "resource" && !justified) {
    throw new IdentityConfigError(where, {
      problem: `Grant of ${role.name} at ${target.resourceId.level} scope reaches every resource below it`,
      value: target.resourceId.id,
      fix: "grant on the exact resource (or sub-resource) the workload uses; if a broad scope is truly needed, pass a `justification`",
    });
  }
  if (!target.accepts(role)) {
    throw new IdentityConfigError(where, {
      problem: `${role.name} is a ${role.service} role and does nothing on ${target.kind} ${target.label}`,
      value: role.name,
      fix: `grant a ${target.services.join(" or ")} role on this target, or grant ${role.name} on a ${role.service} target`,
    });
  }
  if (identity.tenantId.toLowerCase() !== target.tenantId.toLowerCase()) {
    throw new IdentityConfigError(where, {
      problem: `${target.kind} ${target.label} is in tenant ${target.tenantId}, but the identity lives in tenant ${identity.tenantId}`,
      value: target.resourceId.id,
      fix: "a managed identity cannot hold a role in another tenant; use a multi-tenant app registration or a federated credential in the target's tenant",
    });
  }
}

/** A justified grant carries its justification as the suppression of the guardrails it passes. */
function recordJustification(assignment: RoleAssignment, role: RoleDefinition, target: GrantTarget<any>, options: GrantOptions): void {
  const ruleIds = [
    role.plane === "privileged" && !(role.privilegedUnlessConditioned && limitsRoles(options.condition?.expression)) ? "IG001" : "",
    role.broad ? "IG002" : "",
    target.resourceId.level !== "resource" ? "IG003" : "",
  ].filter(Boolean);
  GuardrailSuppressions.add(assignment, ruleIds.map((ruleId) => ({ ruleId, reason: `justified in code: ${options.justification}` })));
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}
