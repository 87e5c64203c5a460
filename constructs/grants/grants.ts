import { stackOf } from "../core/runtime";
import { IConstruct } from "constructs";
import { TerraformStack } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { IManagedIdentity } from "../azure/identity";
import { catalogEntry, isAzureRole, RoleDefinition, roleKey } from "../azure/role-catalog";
import { Grant, GrantOptions, GrantScope } from "../azure/grant";
import { newRoleAssignment } from "./role-assignment";
import { typeInfoByAzureType } from "../azure/contract/resource-types";
import { justifySuppressions } from "../policy/suppression-record";
import { requireSameStack } from "../azure/known-values";
import { judgeAssignment } from "../policy/access-policy";
import { meaninglessTextProblem } from "../core/meaningful-text";
import { auditGrant } from "./diagnostics";
import { writeDataPlaneGrant } from "./data-plane-grant";

/** The least a justification must say: who needs it and why the narrow role does not do. */
const MIN_JUSTIFICATION = 20;

/** What the library's own constructs may add to a grant's options. */
export interface InternalGrantOptions extends GrantOptions {
  /**
   * For a platform role: what the compute's platform needs it for (`node subnet of AKS cluster x`).
   * Only compute constructs set it; the guardrails check it again against the compute's configuration.
   */
  readonly platformUse?: string;
  /** The construct that asked for the grant, named in errors. Defaults to the identity. */
  readonly declaredBy?: IConstruct;
}

/**
 * The options a caller of the public API asked for, and nothing else: `platformUse` and
 * `declaredBy` come only from the library's own constructs, never through an object that merely
 * carries them (TypeScript lets a variable hold more properties than its type names).
 */
export function requestedOptions(options: GrantOptions): GrantOptions {
  const { reason, workload, justification, condition } = options;
  return { reason, workload, justification, condition };
}

const grantsByStack = new WeakMap<TerraformStack, Map<string, Grant>>();

/** Every grant made so far in the stack, in declaration order. */
export function grantsIn(stack: TerraformStack): Grant[] {
  return [...(grantsByStack.get(stack)?.values() ?? [])];
}

/**
 * The one place a role assignment is made. It asks the access policy (the same one the
 * guardrails ask), refuses what it forbids unless justified, names the assignment
 * deterministically, and returns the existing grant when the same (scope, identity, role) is
 * declared again, since Azure would answer a second one with 409.
 */
export function grantRole(
  identity: IManagedIdentity,
  role: RoleDefinition,
  target: GrantScope,
  options: InternalGrantOptions,
): Grant {
  const where = options.declaredBy ?? identity;
  const byId =
    "pass it to this stack by resource id (ExistingUserAssignedIdentity, <Target>.fromId), so each stack plans on its own";
  requireSameStack(where, `Identity ${identity.node.path}`, identity, byId);
  if (target.home) requireSameStack(where, `Target ${target.label}`, target.home, byId);
  const suppressed = checkGrant(where, identity, role, target, options);

  const key = [target.resourceId.id, roleKey(role), identity.principalResourceId.id].join("|").toLowerCase();
  const stack = stackOf(identity);
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

  const workload = options.workload ?? identity.node.id;
  const description = `${workload}: ${options.reason}`;
  // An Azure role is an Azure role assignment; any other is written by the target's service.
  const { name, assignment } = isAzureRole(role)
    ? ((a) => ({ name: a.nameInput!, assignment: a }))(
        newRoleAssignment({
          host: identity,
          where,
          role,
          target,
          scope: target.scopeReference,
          principalId: identity.principalId,
          principalKey: identity.principalResourceId.id,
          principalType: "ServicePrincipal",
          description,
          condition: options.condition,
          dependsOn: target.dependsOn,
        }),
      )
    : writeDataPlaneGrant({ identity, where, role, target, description, condition: options.condition });
  if (suppressed.length > 0 && assignment) justifySuppressions(assignment, suppressed, options.justification!);
  const grant = new Grant(name, role, target, identity, assignment, { ...options, workload });
  grants.set(key, grant);
  auditGrant(grant);
  return grant;
}

/** Refuses what the policy forbids; returns the rules a justification lets through. */
function checkGrant(
  where: IConstruct,
  identity: IManagedIdentity,
  role: RoleDefinition,
  target: GrantScope,
  options: InternalGrantOptions,
): string[] {
  // The catalog's own entry, not a look-alike: every check below trusts its plane, service and breadth.
  if (!role || catalogEntry(role) !== role) {
    throw new IdentityConfigError(where, {
      problem: "Unknown role: not an entry of the role catalog",
      value: role?.name ?? role ?? null,
      fix: "pass the catalog entry itself (Roles.*), not a copy or a hand-made object; roles are referenced by GUID, never by display name",
    });
  }
  if (!options.reason || options.reason.trim().length === 0) {
    throw new IdentityConfigError(where, {
      problem: `Grant of ${role.name} on ${target.label} has no reason`,
      value: options.reason,
      fix: "say why the workload needs this access; it becomes the assignment's description",
    });
  }
  const vague =
    options.justification === undefined ? undefined : meaninglessTextProblem(options.justification, MIN_JUSTIFICATION);
  if (vague) {
    throw new IdentityConfigError(where, {
      problem: `Justification for ${role.name} on ${target.label} says nothing: ${vague}`,
      value: options.justification,
      fix: `explain in words (at least ${MIN_JUSTIFICATION} characters, three distinct words) why no narrower role or scope works`,
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
  const broken = judgeAssignment(
    {
      system: role.system,
      role,
      roleWritten: role.name,
      scope: {
        level: target.resourceId.level,
        typeInfo: target.resourceId.type ? typeInfoByAzureType(target.resourceId.type) : undefined,
        label: target.resourceId.id,
      },
      condition: options.condition?.expression,
      principal: { raw: identity.principalId, label: `workload identity ${identity.node.path}` },
      platformUse: options.platformUse,
    },
    "ManagedIdentity",
  );
  const refused = broken.find(({ predicate }) => !predicate.justifiable || options.justification === undefined);
  if (refused) {
    const { predicate, verdict } = refused;
    throw new IdentityConfigError(where, {
      problem: `${predicate.id} ${predicate.name}: ${verdict.message}`,
      value: verdict.value ?? role.name,
      fix: predicate.justifiable
        ? `${verdict.fix}; if nothing narrower works, pass a \`justification\` that says why`
        : verdict.fix,
    });
  }
  return broken.map(({ predicate }) => predicate.id);
}
