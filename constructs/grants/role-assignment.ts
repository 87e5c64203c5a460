import { IConstruct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { AbacCondition } from "../azure/abac/condition";
import { IdentityConfigError } from "../core/errors";
import { GrantScope } from "../azure/grant";
import { AzureRoleDefinition, roleDefinitionId } from "../azure/role-catalog";
import { roleAssignmentName } from "../core/deterministic-name";
import { slug } from "../core/slug";

/** One role assignment as the library writes it, whoever holds it. */
export interface AssignmentSpec {
  /** The construct the assignment is made under; its id there is `<role>-on-<target label>`. */
  readonly host: IConstruct;
  /** The construct errors name. */
  readonly where: IConstruct;
  readonly role: AzureRoleDefinition;
  readonly target: GrantScope;
  /** What `scope` is set to: the target's reference, or its literal id. */
  readonly scope: string;
  readonly principalId: string;
  /** What names the principal in the deterministic name, known before apply. */
  readonly principalKey: string;
  readonly principalType: "ServicePrincipal" | "Group";
  readonly description: string;
  readonly condition?: AbacCondition;
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Writes the assignment: role by GUID in the scope's subscription, the principal type, a name
 * from values known before apply, and an ABAC condition as version 2.0. Two targets whose label
 * would name the same construct are an error, not a silent merge.
 */
export function newRoleAssignment(spec: AssignmentSpec): RoleAssignment {
  const { host, role, target, condition } = spec;
  const id = `${slug(role.name)}-on-${target.label}`;
  if (host.node.tryFindChild(id)) {
    throw new IdentityConfigError(spec.where, {
      problem: "Two different targets share the label that names this grant",
      value: target.label,
      fix: "give one of the targets a distinct `label` when you create it",
    });
  }
  return new RoleAssignment(host, id, {
    name: roleAssignmentName(target.resourceId.id, role.guid, spec.principalKey),
    scope: spec.scope,
    roleDefinitionId: roleDefinitionId(target.resourceId.subscriptionId, role),
    principalId: spec.principalId,
    principalType: spec.principalType,
    description: spec.description,
    condition: condition?.expression,
    conditionVersion: condition ? "2.0" : undefined,
    dependsOn: spec.dependsOn && spec.dependsOn.length > 0 ? [...spec.dependsOn] : undefined,
  });
}
