import { TerraformResource, TerraformStack } from "cdktf";
import {
  Identity,
  ContainerRegistryTarget,
  FederatedTrust,
  GitHubDeployer,
  KeyVaultTarget,
  onlyAssignRoles,
  Roles,
  ScopeTarget,
  StorageAccountTarget,
  UserAssignedIdentity,
} from "../constructs";
import { resolveInStack } from "../constructs/azure";
import { conditionLimitsRoles } from "../constructs/policy";
import { evaluateGuardrails } from "../constructs/guardrails";
import { only, registryId, resourcesOf, SUBSCRIPTION, testStack, vaultId, inRg } from "./helpers";

const rgId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg`;

describe("federated trusts", () => {
  const trust = (stack: TerraformStack, issuer: string, subject: string, name = "github-prod") =>
    new FederatedTrust(stack, "trust", {
      identity: new UserAssignedIdentity(stack, "id", { name: "deploy-id", ...inRg }),
      issuer,
      subject,
      name,
    });

  it.each(["repo:contoso/app:*", "repo:contoso/*:environment:prod", "system:serviceaccount:orders:work?r", " "])(
    "refuses the subject %j",
    (subject) => {
      expect(() => trust(testStack(), "https://token.actions.githubusercontent.com", subject)).toThrow(
        `[test/trust] Federated credential subject must name exactly one workload, without wildcards: ${JSON.stringify(subject)}. Fix: `,
      );
    },
  );

  it.each(["", "http://token.actions.githubusercontent.com", "https://*.example.com"])(
    "refuses the issuer %j",
    (issuer) => {
      expect(() => trust(testStack(), issuer, "repo:contoso/app:environment:prod")).toThrow(
        `[test/trust] Federated credential issuer must be an https URL: ${JSON.stringify(issuer)}. Fix: `,
      );
    },
  );

  it("refuses a credential name Azure would refuse", () => {
    expect(() =>
      trust(testStack(), "https://token.actions.githubusercontent.com", "repo:contoso/app:environment:prod", "gh"),
    ).toThrow(/naming rule: "gh"/);
  });
});

describe("the ABAC condition for a deployer", () => {
  const holder = "0f0f0f0f-0000-4000-8000-00000000d00d";
  it("limits writes and deletes to the listed roles and to service principals, and never its holder", () => {
    const { expression, summary } = onlyAssignRoles(holder, [Roles.KeyVaultSecretsUser, Roles.AcrPull, Roles.AcrPull]);
    expect(expression).toBe(
      "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {4633458b-17de-408a-b874-0445c86b69e6, 7f951dda-4ed3-4680-a7ca-43fe172d538d} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidNotEquals {0f0f0f0f-0000-4000-8000-00000000d00d}))" +
        " AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {4633458b-17de-408a-b874-0445c86b69e6, 7f951dda-4ed3-4680-a7ca-43fe172d538d} AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))",
    );
    expect(summary).toBe("may assign only AcrPull, Key Vault Secrets User to service principals other than itself");
    expect(conditionLimitsRoles(expression, holder)).toEqual({ limits: true });
  });

  it("refuses to delegate a privileged role, or nothing at all", () => {
    expect(() => onlyAssignRoles(holder, [Roles.AcrPull, Roles.Owner])).toThrow(
      '[onlyAssignRoles] A condition meant to limit role assignment would allow assigning a privileged role: ["Owner"]. Fix: list only the data and control roles',
    );
    expect(() => onlyAssignRoles(holder, [])).toThrow(/needs at least one role/);
  });

  it("is judged by what it allows, not by what it mentions", () => {
    const limited = onlyAssignRoles(holder, [Roles.AcrPull]).expression;
    expect(conditionLimitsRoles(limited, "11111111-0000-4000-8000-000000000000")).toEqual({
      limits: false,
      why: "role assignment writes may name the holder itself (11111111-0000-4000-8000-000000000000), so it can grant itself every role it may assign",
    });
    const mentionsOnly =
      "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] StringLike '*') OR ActionMatches{'Microsoft.Authorization/roleAssignments/write'}";
    expect(conditionLimitsRoles(mentionsOnly, holder).limits).toBe(false);
    const owner = limited.replace(/7f951dda-4ed3-4680-a7ca-43fe172d538d/g, Roles.Owner.guid);
    expect(conditionLimitsRoles(owner, holder)).toEqual({
      limits: false,
      why: "role assignment writes may use the privileged Owner",
    });
  });
});

describe("GitHubDeployer", () => {
  function estate() {
    const stack = testStack();
    const app = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    KeyVaultTarget.fromId(stack, vaultId()).grant(app, Roles.KeyVaultSecretsUser, { reason: "reads secrets" });
    ContainerRegistryTarget.fromId(stack, registryId()).grant(app, Roles.AcrPull, { reason: "pulls images" });
    return { stack, app };
  }
  const deployer = (stack: TerraformStack) =>
    new GitHubDeployer(stack, "deployer", {
      identity: Identity.newUserAssigned({ name: "deploy-id", ...inRg }),
      repository: "contoso/platform",
      environment: "prod",
      resourceGroup: ScopeTarget.fromId(stack, rgId),
      estate: [stack],
      stateContainer: StorageAccountTarget.fromId(
        stack,
        `${rgId}/providers/Microsoft.Storage/storageAccounts/tfstate`,
      ).container("state"),
    });

  it("is trusted by one repository's one GitHub environment", () => {
    const { stack } = estate();
    deployer(stack);
    expect(only(resourcesOf(stack, "azurerm_federated_identity_credential"))).toMatchObject({
      issuer: "https://token.actions.githubusercontent.com",
      subject: "repo:contoso/platform:environment:prod",
      audience: ["api://AzureADTokenExchange"],
    });
  });

  it("may create resources only in its resource group, and assign only the estate's roles to service principals where the estate grants them", () => {
    const { stack } = estate();
    const d = deployer(stack);
    const mine = Object.values(resourcesOf(stack, "azurerm_role_assignment")).filter(
      (a) => a.principal_id === resolveInStack(stack, d.identity.principalId),
    );
    const condition = onlyAssignRoles(d.identity, [Roles.AcrPull, Roles.KeyVaultSecretsUser]).expression.replace(
      d.identity.principalId,
      resolveInStack(stack, d.identity.principalId),
    );
    expect(mine.map((a) => [a.role_definition_id.split("/").pop(), a.scope, a.condition ?? null]).sort()).toEqual(
      [
        [Roles.Contributor.guid, rgId, null],
        [Roles.RoleBasedAccessControlAdministrator.guid, rgId, condition],
        [Roles.RoleBasedAccessControlAdministrator.guid, registryId(), condition],
        [
          Roles.StorageBlobDataContributor.guid,
          `${rgId}/providers/Microsoft.Storage/storageAccounts/tfstate/blobServices/default/containers/state`,
          null,
        ],
      ].sort(),
    );
    expect(d.assignableRoles).toEqual([Roles.AcrPull, Roles.KeyVaultSecretsUser]);
    // Every argument of an assignment forces replacement: the descriptions must not track the estate.
    for (const a of mine) expect(a.description).not.toMatch(/AcrPull|Key Vault Secrets User/);
  });

  it("counts a target declared twice by id as one scope it may assign on", () => {
    const { stack } = estate();
    const d = deployer(stack);
    const other = new UserAssignedIdentity(stack, "other", { name: "other-id", ...inRg });
    ContainerRegistryTarget.fromId(stack, registryId()).grant(other, Roles.AcrPull, { reason: "pulls images too" });
    expect(d.node.validate()).toEqual([]);
  });

  it("fails synth when a workload is granted access after the deployer was made", () => {
    const { stack, app } = estate();
    const d = deployer(stack);
    KeyVaultTarget.fromId(stack, vaultId()).grant(app, Roles.KeyVaultCertificateUser, { reason: "serves tls" });
    expect(d.node.validate().join("\n")).toMatch(
      /test\/app is granted Key Vault Certificate User on app-kv, which the deployer cannot assign\. Fix: create the GitHubDeployer after every workload of its estate/,
    );
  });

  it("refuses a repository that is not owner/name", () => {
    const stack = testStack();
    expect(
      () =>
        new GitHubDeployer(stack, "deployer", {
          identity: Identity.newUserAssigned({ name: "deploy-id", ...inRg }),
          repository: "contoso",
          environment: "prod",
          resourceGroup: ScopeTarget.fromId(stack, rgId),
          estate: [stack],
        }),
    ).toThrow('[test/deployer] GitHub repository must be owner/name: "contoso"');
  });
});

describe("a federated credential written by hand", () => {
  // azurerm 4.73 has both names in one schema: the JSON cannot say which identity Azure trusts.
  it("that names two identities is refused by IG022, naming both attributes", () => {
    const stack = testStack();
    const real = new UserAssignedIdentity(stack, "real", { ...inRg, name: "deployer-id" });
    const harmless = new UserAssignedIdentity(stack, "harmless", { ...inRg, name: "harmless-id" });
    const trust = new TerraformResource(stack, "trust", {
      terraformResourceType: "azurerm_federated_identity_credential",
    });
    for (const [field, value] of Object.entries({
      name: "gh",
      parent_id: real.id,
      user_assigned_identity_id: harmless.id,
      issuer: "https://token.actions.githubusercontent.com",
      subject: "repo:contoso/app:environment:prod",
      audience: ["api://AzureADTokenExchange"],
    }))
      trust.addOverride(field, value);
    const hits = evaluateGuardrails(stack, { severity: "error" }).filter((f) => f.ruleId === "IG022");
    expect(hits.map((f) => f.message)).toEqual([
      "azurerm_federated_identity_credential.trust names two identities (user_assigned_identity_id and parent_id), so which one its issuer's tokens sign in as cannot be told",
    ]);
  });
});
