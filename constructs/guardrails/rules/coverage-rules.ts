import { Assignment, TfResource } from "../../estate/estate-model";
import { serviceTerraformType } from "../../azure/contract/resource-types";
import { namesTwoIdentities } from "../../estate/federated-credentials";
import { hit, hitsWhere, Rule, RuleHit } from "./rule";

function isUncataloguedRole(a: Assignment): boolean {
  return !a.role && a.roleVerifiable;
}

/** What of an assignment only Terraform knows, so no rule can judge it. */
function unverifiable(a: Assignment): string[] {
  return [
    ...(a.scope.level === "unknown" ? [`scope ${JSON.stringify(a.scope.raw)}`] : []),
    ...(a.roleVerifiable ? [] : [`role ${JSON.stringify(a.roleWritten)}`]),
    ...(a.principal.verifiable ? [] : [`principal ${JSON.stringify(a.principal.raw)}`]),
  ];
}

const VERIFIABLE_FIX =
  "write a literal id, or a reference to a resource of this stack (`<resource>.id`, a managed identity's " +
  "`principal_id`): variables, locals, module outputs, functions and other data sources are known only to Terraform";

function unverifiableAssignmentHits(a: Assignment): RuleHit[] {
  const unknown = unverifiable(a);
  if (unknown.length === 0) return [];
  const message = `${a.resource.address} has ${unknown.join(", ")}, which cannot be verified at synth`;
  return [hit(a.resource, message, VERIFIABLE_FIX)];
}

function hasUnverifiableType(r: TfResource): boolean {
  return typeof r.config.type === "string" && r.config.type.includes("${");
}

function unreadableResourceHit(r: TfResource): RuleHit {
  if (r.type === serviceTerraformType("Managed Identity", "federatedCredential") && namesTwoIdentities(r.config)) {
    return hit(
      r,
      `${r.address} names two identities (user_assigned_identity_id and parent_id), so which one its issuer's tokens sign in as cannot be told`,
      "name the identity once: user_assigned_identity_id (azurerm 4.65 and later) or parent_id",
    );
  }
  if (hasUnverifiableType(r)) {
    return hit(
      r,
      `${r.address} creates a resource whose type ${JSON.stringify(r.config.type)} cannot be verified at synth: ` +
        "it may be a role assignment",
      "write the azapi resource type as a literal `Namespace/type@version`",
    );
  }
  return hit(
    r,
    `${r.address} grants access or runs commands in a way no rule reads`,
    `grant through this library's constructs (${serviceTerraformType("Resource Manager", "roleAssignment")} to a managed identity); ` +
      "keep deployments, access policies and provisioners out of the estate's stacks",
  );
}

export const unknownRoleRule: Rule = {
  id: "IG020",
  name: "unknown-role",
  description: "A role outside the catalog (custom, or given by reference) cannot be judged by any other rule.",
  defaultSeverity: "error",
  check(estate) {
    return hitsWhere(estate.assignments, isUncataloguedRole, (a) => [
      `${a.resource.address} grants ${JSON.stringify(a.roleWritten)}, which is not a catalogued built-in role`,
      "use a built-in role from the catalog by its GUID, or suppress with the reason this role is narrow",
    ]);
  },
};

export const unverifiableAssignmentRule: Rule = {
  id: "IG022",
  name: "unverifiable-assignment",
  description: "A scope, role or principal that only Terraform knows cannot be judged by any rule, so it is refused.",
  defaultSeverity: "error",
  check(estate) {
    return [...estate.assignments.flatMap(unverifiableAssignmentHits), ...estate.unreadable.map(unreadableResourceHit)];
  },
};

export const unanalysedModuleRule: Rule = {
  id: "IG023",
  name: "unanalysed-module",
  description: "A module call's role assignments are not in the stack's JSON, so no rule sees them.",
  defaultSeverity: "warning",
  check(estate) {
    return estate.modules.map((m) =>
      hit(
        m,
        `${m.address} (${String(m.config.source ?? "no source")}) is a module: its role assignments are not analysed`,
        "make its grants with the constructs of this library, or review the module's assignments by hand",
      ),
    );
  },
};
