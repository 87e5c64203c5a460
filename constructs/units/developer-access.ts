import { stackOf } from "../core/runtime";
import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { requireGuid } from "../azure/azure-ids";
import { IdentityConfigError } from "../core/errors";
import { AzureGrant, Grant, isAzureGrant } from "../azure/grant";
import { grantsIn } from "../grants/grants";
import { newRoleAssignment } from "../grants/role-assignment";
import { roleKey } from "../azure/role-catalog";
import { AzureContext } from "../azure/azure-context";
import { onStackSynthesis } from "../core/stack-synthesis";
import { readEstate } from "../estate/estate-model";
import { declareDeveloperAccess } from "../policy/developer-declarations";

export interface DeveloperAccessProps {
  /** The developers' Entra group (`az ad group show --group <name> --query id`). */
  readonly groupObjectId: string;
  /** The stacks whose workloads' data roles the group gets, on the same targets. */
  readonly estate: readonly TerraformStack[];
}

const grantKey = (g: Grant) => `${g.target.resourceId.id}|${roleKey(g.role)}`.toLowerCase();

/** A grant developers get too: a narrow data role a workload holds without an exception. */
// Azure roles only: a service's own data plane (Cosmos DB, Redis, databases) is granted to workloads alone.
const mirrored = (g: Grant): g is AzureGrant =>
  isAzureGrant(g) && g.role.plane === "data" && !g.role.broad && g.options.justification === undefined;

/**
 * Developer access for environments that allow it (never production): the group gets every
 * narrow data role the estate's workloads hold, on the same targets, so code that runs as a
 * managed identity in Azure runs as its developer with `az login` (`DefaultAzureCredential`), and
 * nothing works locally that fails in the cloud. Platform, control-plane, privileged and broad
 * roles, and grants that needed a justification, stay with the workloads.
 *
 * Put it in a stack an admin applies after the estate's first deploy: the targets must exist, and
 * the pipeline's deployer may assign roles to service principals only, never to people. Create it
 * after every workload of the estate: it reads their grants.
 */
export class DeveloperAccess extends Construct {
  readonly groupObjectId: string;
  readonly assignments: readonly RoleAssignment[];

  constructor(scope: Construct, id: string, props: DeveloperAccessProps) {
    super(scope, id);
    this.groupObjectId = requireGuid(this, "developer group object id", props.groupObjectId).toLowerCase();
    const stack = stackOf(this);
    // Read once: a getter could show the checks one estate and the mirror another.
    const estate = [...props.estate];
    if (estate.includes(stack)) {
      throw new IdentityConfigError(this, {
        problem: "DeveloperAccess mirrors the stack it is in",
        value: stack.node.id,
        fix: "put it in its own stack that an admin applies after the estate: the pipeline's deployer may assign roles to service principals only",
      });
    }
    requireNonProduction(this, stack, "DeveloperAccess is in");
    for (const s of estate) requireNonProduction(this, s, "DeveloperAccess mirrors");
    const grants = estate.flatMap((s) => grantsIn(s)).filter((g) => g.role.plane !== "privileged");
    declareDeveloperAccess(
      stack,
      this.groupObjectId,
      grants.map((g) => grantKey(g)),
    );

    const byKey = new Map<string, AzureGrant>();
    for (const g of grants.filter(mirrored)) if (!byKey.has(grantKey(g))) byKey.set(grantKey(g), g);
    this.assignments = [...byKey.values()].map((g) => this.mirror(g));
    // Stacks may be added to the app after this one: the subscriptions are judged at synth.
    const subscriptions = [
      { what: `the stack ${stack.node.id} deploys into`, id: AzureContext.of(stack).subscriptionId },
      ...[...byKey.values()].map((g) => ({
        what: `target ${g.target.label} is in`,
        id: g.target.resourceId.subscriptionId,
      })),
    ];
    onStackSynthesis(this, (json) => {
      const production = productionSubscriptions(stack);
      const fix =
        "give developers access in non-production subscriptions only; in production, people reach data through the workloads";
      const hit = subscriptions.find((s) => s.id !== "" && production.has(s.id.toLowerCase()));
      if (hit) {
        throw new IdentityConfigError(this, {
          problem: `Developer access reaches production: ${hit.what} subscription ${hit.id}, where a stack of this app declares a production environment`,
          value: hit.id,
          fix,
        });
      }
      // Grants to the group written by hand beside this construct are developer access too.
      for (const a of readEstate(json()).assignments.filter((a) => a.principal.key === this.groupObjectId)) {
        const inStack = a.scope.resource !== undefined && a.scope.resource.config.provider === undefined;
        const subscription = inStack ? AzureContext.of(stack).subscriptionId : a.scope.id?.subscriptionId;
        const grant = `${a.resource.address} grants the developer group ${a.role?.name ?? a.roleWritten} on ${a.scope.raw}`;
        if (!subscription)
          throw new IdentityConfigError(this, {
            problem: `Developer access may reach production: ${grant}, a scope in no subscription known at synth`,
            value: a.scope.raw,
            fix,
          });
        if (production.has(subscription.toLowerCase()))
          throw new IdentityConfigError(this, {
            problem: `Developer access reaches production: ${grant}, in subscription ${subscription}, where a stack of this app declares a production environment`,
            value: a.scope.raw,
            fix,
          });
      }
    });
  }

  private mirror({ role, target, options }: AzureGrant): RoleAssignment {
    // The literal id built from names: a reference would tie this stack's plan to the estate's.
    return newRoleAssignment({
      host: this,
      where: this,
      role,
      target,
      scope: target.resourceId.id,
      principalId: this.groupObjectId,
      principalKey: this.groupObjectId,
      principalType: "Group",
      description: `developer access: as ${options.workload}, ${options.reason}`,
      condition: options.condition,
    });
  }
}

/**
 * Developer access never reaches production, whoever builds the stack: the stack it is in and
 * every stack it mirrors must declare a non-production environment (configureIdentityStack's
 * `environment`). A stack that declares none counts as production: not declaring is the cheapest
 * way around the rule, so it is refused too.
 */
function requireNonProduction(access: Construct, stack: TerraformStack, relation: string): void {
  const environment = AzureContext.environmentOf(stack);
  if (environment === undefined) {
    throw new IdentityConfigError(access, {
      problem: `${relation} stack ${stack.node.id}, which declares no environment, so it may be production`,
      value: stack.node.id,
      fix: "declare environment: { name, production: false } in configureIdentityStack of every non-production stack developer access touches",
    });
  }
  if (environment.production) {
    throw new IdentityConfigError(access, {
      problem: `${relation} stack ${stack.node.id} of production environment ${environment.name}: people never hold data roles in production`,
      value: environment.name,
      fix: "remove the developer access from production; there, people reach data through the workloads",
    });
  }
}

/** The subscriptions (lower case) of the app's stacks that declare a production environment. */
function productionSubscriptions(scope: Construct): Set<string> {
  return new Set(
    scope.node.root.node
      .findAll()
      .filter(
        (c): c is TerraformStack => TerraformStack.isStack(c) && AzureContext.environmentOf(c)?.production === true,
      )
      .map((c) => AzureContext.of(c).subscriptionId.toLowerCase()),
  );
}
