import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { onlyAssignRoles } from "../azure/abac/condition";
import { FederatedTrust, GitHubSubject } from "../identities/federation";
import { GITHUB_ACTIONS_ISSUER } from "../azure/identity";
import { Grant, GrantScope, isAzureGrant } from "../azure/grant";
import { grantRole, grantsIn } from "../grants/grants";
import { IUserAssignedIdentity } from "../azure/identity";
import { AzureRoleDefinition, RoleDefinition } from "../azure/role-catalog";
import { Roles } from "../services";
import { GrantTarget, ScopeTarget } from "../grants/targets";
import { UserAssignedIdentityChoice, userAssignedIdentityOf } from "../identities/identity-choice";
import { byKeys } from "../core/ordering";

export interface GitHubDeployerProps {
  readonly identity: UserAssignedIdentityChoice;
  /** The one repository trusted, `owner/name`. */
  readonly repository: string;
  /** The one GitHub environment trusted; protect it with required reviewers for production. */
  readonly environment: string;
  /** The environment's resource group: the only scope of the deployer's broad rights. */
  readonly resourceGroup: ScopeTarget;
  /**
   * The stacks the deployer applies: it may assign exactly the roles their workloads are granted.
   * The deployer itself belongs in a stack it does not apply (a bootstrap stack an admin applies):
   * changing its own rights is not the pipeline's call.
   */
  readonly estate: readonly TerraformStack[];
  /** The Terraform state container, read and written with Entra ID. */
  readonly stateContainer?: GrantTarget<"Storage Blob">;
}

/**
 * The pipeline identity that deploys one environment: trusted by GitHub Actions for one repository
 * and one GitHub environment (no stored secret, no branch-wide trust), allowed to create resources
 * only in the environment's resource group, and to assign only the roles the estate grants, only
 * to service principals (RBAC Administrator under an ABAC condition), only where the estate grants
 * them. Create it after every workload of the estate: it reads their grants.
 */
export class GitHubDeployer extends Construct {
  readonly identity: IUserAssignedIdentity;
  readonly trust: FederatedTrust;
  readonly grants: readonly Grant[];
  /** The roles the deployer may assign. */
  readonly assignableRoles: readonly AzureRoleDefinition[];

  constructor(scope: Construct, id: string, props: GitHubDeployerProps) {
    super(scope, id);
    this.identity = userAssignedIdentityOf(this, "identity", props.identity);
    this.trust = new FederatedTrust(this, "github", {
      identity: this.identity,
      issuer: GITHUB_ACTIONS_ISSUER,
      subject: GitHubSubject.environment(this, props.repository, props.environment),
      name: `github-${props.environment}`,
    });

    const resourceGroup = props.resourceGroup;
    const estateGrants = () =>
      props.estate
        .flatMap((stack) => grantsIn(stack))
        .filter((g) => g.identity !== this.identity && g.role.plane !== "privileged");
    // Azure role assignments only: Cosmos DB and Redis assignments are writes to the resource, which Contributor makes.
    const estate = estateGrants().filter(isAzureGrant);
    this.assignableRoles = uniqueBy(
      estate.map((g) => g.role),
      (r) => r.guid,
    ).sort(byKeys((r) => r.name));
    const condition = onlyAssignRoles(this.identity, this.assignableRoles);
    const outside = uniqueBy(
      estate.map((g) => g.target).filter((t) => !resourceGroup.resourceId.contains(t.resourceId)),
      (t) => t.resourceId.id.toLowerCase(),
    );
    const covered = new Set(outside.map((t) => t.resourceId.id.toLowerCase()));

    const grant = (target: GrantScope, role: RoleDefinition, reason: string, justification?: string) =>
      grantRole(this.identity, role, target, {
        reason,
        justification,
        workload: id,
        declaredBy: this,
        condition: role === Roles.RoleBasedAccessControlAdministrator ? condition : undefined,
      });
    this.grants = [
      grant(
        resourceGroup,
        Roles.Contributor,
        "creates and updates the environment's resources",
        "the pipeline deploys every resource of the environment, and nothing outside its resource group",
      ),
      // Descriptions stay the same when the estate's roles change: every argument forces replacement.
      grant(
        resourceGroup,
        Roles.RoleBasedAccessControlAdministrator,
        "grants workload identities the estate's roles, to service principals only",
        "workload grants land on resources across the resource group; the ABAC condition limits which roles and to whom",
      ),
      ...outside.map((target) =>
        grant(
          ScopeTarget.fromId(this, target.resourceId.id),
          Roles.RoleBasedAccessControlAdministrator,
          `grants workload identities access to ${target.label}, to service principals only`,
        ),
      ),
      ...(props.stateContainer
        ? [
            grant(
              props.stateContainer,
              Roles.StorageBlobDataContributor,
              "reads, writes and locks the environment's Terraform state",
            ),
          ]
        : []),
    ];

    new TerraformOutput(this, "client-id", {
      value: this.identity.clientId,
      description: `AZURE_CLIENT_ID for the GitHub environment ${props.environment}`,
    }).overrideLogicalId("deployer-client-id");

    // A workload declared after the deployer would need rights the deployer was not given.
    this.node.addValidation({
      validate: () =>
        estateGrants()
          .filter(isAzureGrant)
          .filter(
            (g) =>
              !this.assignableRoles.includes(g.role) ||
              (!resourceGroup.resourceId.contains(g.target.resourceId) &&
                !covered.has(g.target.resourceId.id.toLowerCase())),
          )
          .map(
            (g) =>
              `[${this.node.path}] ${g.identity.node.path} is granted ${g.role.name} on ${g.target.label}, which the deployer cannot assign. Fix: create the GitHubDeployer after every workload of its estate`,
          ),
    });
  }
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
