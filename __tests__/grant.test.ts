import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import {
  ContainerRegistryTarget,
  ExistingUserAssignedIdentity,
  onlyAssignRoles,
  GuardrailSuppressions,
  KeyVaultTarget,
  RoleDefinition,
  Roles,
  ScopeTarget,
  StorageAccountTarget,
  UserAssignedIdentity,
} from "../constructs";
import { roleAssignmentName } from "../constructs/core";
import { grantRole, grantsIn } from "../constructs/grants";
import {
  only,
  OTHER_SUBSCRIPTION,
  OTHER_TENANT,
  registryId,
  resourcesOf,
  SUBSCRIPTION,
  TENANT,
  testStack,
  vaultId,
} from "./helpers";

function setup() {
  const stack = testStack();
  const identity = new UserAssignedIdentity(stack, "api", {
    name: "api-id",
    resourceGroupName: "id-rg",
    location: "westeurope",
  });
  return { stack, identity };
}

describe("grant", () => {
  it("writes one assignment with a subscription-scoped role id, ServicePrincipal and a description", () => {
    const { stack, identity } = setup();
    KeyVaultTarget.fromId(stack, vaultId()).grant(identity, Roles.KeyVaultSecretsUser, {
      reason: "reads its database password",
    });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment).toEqual({
      name: roleAssignmentName(vaultId(), Roles.KeyVaultSecretsUser.guid, identity.principalResourceId.id),
      scope: vaultId(),
      role_definition_id: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${Roles.KeyVaultSecretsUser.guid}`,
      principal_id: expect.stringMatching(
        /^\$\{azurerm_user_assigned_identity\.api_identity_[0-9A-F]{8}\.principal_id\}$/,
      ),
      principal_type: "ServicePrincipal",
      description: "api: reads its database password",
    });
  });

  it("names the assignment from values known before apply, never the principal id", () => {
    const { stack, identity } = setup();
    const grant = ContainerRegistryTarget.fromId(stack, registryId()).grant(identity, Roles.AcrPull, {
      reason: "pulls images",
    });
    const builtFromNames = `/subscriptions/${SUBSCRIPTION}/resourceGroups/id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api-id`;
    expect(grant.name).toBe(roleAssignmentName(registryId(), Roles.AcrPull.guid, builtFromNames));
    expect(grant.name).not.toContain("TOKEN");
  });

  it("uses the target's subscription in the role id for a cross-subscription grant", () => {
    const { stack, identity } = setup();
    ContainerRegistryTarget.fromId(stack, registryId(OTHER_SUBSCRIPTION)).grant(identity, Roles.AcrPull, {
      reason: "pulls images",
    });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment.role_definition_id).toBe(
      `/subscriptions/${OTHER_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${Roles.AcrPull.guid}`,
    );
  });

  it("scopes a grant on a stack resource to its id reference, named from its names", () => {
    const { stack, identity } = setup();
    const vault = new KeyVault(stack, "vault", {
      name: "app-kv",
      resourceGroupName: "app-rg",
      location: "westeurope",
      tenantId: TENANT,
      skuName: "standard",
    });
    const grant = KeyVaultTarget.of(vault).grant(identity, Roles.KeyVaultSecretsUser, { reason: "reads secrets" });
    expect(grant.name).toBe(
      roleAssignmentName(vaultId(), Roles.KeyVaultSecretsUser.guid, identity.principalResourceId.id),
    );
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).scope).toBe("${azurerm_key_vault.vault.id}");
  });

  it("makes the same grant declared twice one assignment", () => {
    const { stack, identity } = setup();
    const registry = ContainerRegistryTarget.fromId(stack, registryId());
    const first = registry.grant(identity, Roles.AcrPull, { reason: "pulls images" });
    const again = ContainerRegistryTarget.fromId(
      stack,
      registryId().toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
    ).grant(identity, Roles.AcrPull, { reason: "pulls images too" });
    expect(again).toBe(first);
    expect(Object.keys(resourcesOf(stack, "azurerm_role_assignment"))).toHaveLength(1);
    expect(grantsIn(stack)).toEqual([first]);
  });

  it("treats an existing identity and the created one with the same id as one principal", () => {
    const { stack, identity } = setup();
    const sameById = new ExistingUserAssignedIdentity(stack, "same", identity.principalResourceId.id);
    const registry = ContainerRegistryTarget.fromId(stack, registryId());
    expect(registry.grant(sameById, Roles.AcrPull, { reason: "pulls" })).toBe(
      registry.grant(identity, Roles.AcrPull, { reason: "pulls" }),
    );
  });

  it("allows RBAC Administrator with an ABAC condition at resource scope", () => {
    const { stack, identity } = setup();
    ScopeTarget.fromId(stack, vaultId()).grant(identity, Roles.RoleBasedAccessControlAdministrator, {
      reason: "assigns Key Vault Secrets User to workloads",
      condition: onlyAssignRoles(identity, [Roles.KeyVaultSecretsUser]),
    });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment.condition_version).toBe("2.0");
    expect(assignment.condition).toContain("roleAssignments/write");
  });

  it("allows a privileged role or a broad scope only with a justification in code", () => {
    const { stack, identity } = setup();
    const justification = "migration job recreates the whole resource group nightly";
    ScopeTarget.fromId(stack, `/subscriptions/${SUBSCRIPTION}/resourceGroups/batch-rg`).grant(
      identity,
      Roles.Contributor,
      { reason: "rebuilds batch resources", justification },
    );
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).scope).toBe(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/batch-rg`,
    );
  });

  it("writes a management-group grant's role id unscoped: a management group has no subscription", () => {
    const { stack, identity } = setup();
    ScopeTarget.fromId(stack, "/providers/Microsoft.Management/managementGroups/corp").grant(identity, Roles.Reader, {
      reason: "inventories the estate",
      justification: "the inventory job reads every subscription under the group",
    });
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).role_definition_id).toBe(
      `/providers/Microsoft.Authorization/roleDefinitions/${Roles.Reader.guid}`,
    );
  });

  it("offers only the target's own service roles at compile time", () => {
    const { stack, identity } = setup();
    const vault = KeyVaultTarget.fromId(stack, vaultId());
    const storage = StorageAccountTarget.fromId(
      stack,
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`,
    );
    // @ts-expect-error AcrPull is a Container Registry role, not a Key Vault one
    const spec = vault.allow(Roles.AcrPull, "pull");
    expect(() => grantRole(identity, spec.role, spec.target, spec.options)).toThrow(
      /AcrPull is a Container Registry role and does nothing on Key Vault app-kv/,
    );
    // @ts-expect-error a Key Vault role on a storage account
    expect(() => storage.grant(identity, Roles.KeyVaultSecretsUser, { reason: "read" })).toThrow(
      /Key Vault Secrets User is a Key Vault role and does nothing on storage account acct/,
    );
    expect(storage.allow(Roles.StorageQueueDataMessageProcessor, "process jobs")).toEqual({
      target: storage,
      role: Roles.StorageQueueDataMessageProcessor,
      options: { reason: "process jobs" },
    });
  });
});

describe("grant refuses bad input with path, value and fix", () => {
  it.each([
    ["Owner", Roles.Owner],
    ["Contributor", Roles.Contributor],
    ["User Access Administrator", Roles.UserAccessAdministrator],
    ["Role Based Access Control Administrator", Roles.RoleBasedAccessControlAdministrator],
  ])("refuses %s for a workload", (name, role) => {
    const { stack, identity } = setup();
    const target = ScopeTarget.fromId(stack, vaultId());
    expect(() => target.grant(identity, role, { reason: "make the 403 go away" })).toThrow(
      new RegExp(
        `^\\[test/api\\] IG001 privileged-role: privileged role ${name} for workload identity test/api on /subscriptions/.*/vaults/app-kv: it can (change the resource or )?hand out access.*: "${name}"\\. Fix: `,
      ),
    );
  });

  it.each([
    ["subscription", `/subscriptions/${SUBSCRIPTION}`],
    ["resourceGroup", `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg`],
    ["managementGroup", "/providers/Microsoft.Management/managementGroups/corp"],
  ])("refuses a grant at %s scope", (level, id) => {
    const { stack, identity } = setup();
    expect(() =>
      ScopeTarget.fromId(stack, id).grant(identity, Roles.KeyVaultSecretsUser, { reason: "read every vault" }),
    ).toThrow(
      `[test/api] IG003 broad-scope: Key Vault Secrets User at ${level} scope ${id}: "Key Vault Secrets User". Fix: grant on the exact resource (or sub-resource) the workload uses; if nothing narrower works, pass a \`justification\``,
    );
  });

  it("refuses RBAC Administrator under a condition that does not limit which roles it assigns", () => {
    const { stack, identity } = setup();
    const condition = {
      expression: "(@Resource[Microsoft.Storage/storageAccounts:name] StringEquals 'x')",
      summary: "one account",
    };
    expect(() =>
      ScopeTarget.fromId(stack, vaultId()).grant(identity, Roles.RoleBasedAccessControlAdministrator, {
        reason: "assigns roles",
        condition,
      }),
    ).toThrow(
      /IG001 privileged-role: privileged role Role Based Access Control Administrator for workload identity test\/api on .*: it can hand out access, because role assignment writes may use any role: .*Fix: add a condition from onlyAssignRoles\(holder, roles\)/,
    );
  });

  it("refuses a broad data role without a justification, as the guardrails would, and records exactly the rules a justification passes", () => {
    const { stack, identity } = setup();
    const account = StorageAccountTarget.fromId(
      stack,
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`,
    );
    expect(() => account.grant(identity, Roles.StorageBlobDataOwner, { reason: "owns the account" })).toThrow(
      /^\[test\/api\] IG002 broad-data-role: broad data role Storage Blob Data Owner for workload identity test\/api on \/subscriptions\/.*\/acct: "Storage Blob Data Owner"\. Fix: grant the narrowest data role/,
    );
    const grant = account.grant(identity, Roles.StorageBlobDataOwner, {
      reason: "owns the account",
      justification: "the Functions host creates its own containers and leases",
    });
    expect(GuardrailSuppressions.on(grant.assignment!).map((s) => s.ruleId)).toEqual(["IG002"]);
  });

  it("refuses a control-plane role where the target's service has data roles, even through a plain scope", () => {
    const { stack, identity } = setup();
    expect(() =>
      ScopeTarget.fromId(stack, vaultId()).grant(identity, Roles.Reader, { reason: "reads the vault" }),
    ).toThrow(
      /IG004 control-plane-role: control-plane role Reader for workload identity test\/api on .*: it manages the resource but reads no data/,
    );
    expect(() =>
      ScopeTarget.fromId(stack, vaultId()).grant(identity, Roles.AcrPull, {
        reason: "pulls",
        justification: "there is a registry behind this vault, trust me",
      }),
    ).toThrow(
      /IG005 role-service-mismatch: Container Registry role AcrPull for workload identity test\/api on .*, a Key Vault: it grants nothing there: "AcrPull"\. Fix: grant the narrowest data role that makes the call succeed \(Key Vault Secrets User/,
    );
  });

  it.each([
    ["twenty a's", "a".repeat(20), "it is mostly one repeated character"],
    ["one word repeated", "needed needed needed needed", "it has fewer than three distinct words"],
    ["letters that are no words", "aaaa bbbb cccc dddd eeee", "it has fewer than three distinct words"],
  ])("refuses a justification of %s for Owner at subscription scope", (_, justification, why) => {
    const { stack, identity } = setup();
    expect(() =>
      ScopeTarget.fromId(stack, `/subscriptions/${SUBSCRIPTION}`).grant(identity, Roles.Owner, {
        reason: "runs everything",
        justification,
      }),
    ).toThrow(
      `[test/api] Justification for Owner on ${SUBSCRIPTION} says nothing: ${why}: ${JSON.stringify(justification)}. Fix: explain in words`,
    );
  });

  it("refuses a role that is not in the catalog", () => {
    const { stack, identity } = setup();
    const madeUp: RoleDefinition = {
      ...Roles.KeyVaultSecretsUser,
      name: "Key Vault Secret Reader",
      guid: "00000000-0000-4000-8000-000000000000",
    };
    expect(() => KeyVaultTarget.fromId(stack, vaultId()).grant(identity, madeUp as never, { reason: "read" })).toThrow(
      '[test/api] Unknown role: not an entry of the role catalog: "Key Vault Secret Reader". Fix: pass the catalog entry itself (Roles.*)',
    );
  });

  it("refuses a grant without a reason, and a justification too short to say anything", () => {
    const { stack, identity } = setup();
    const vault = KeyVaultTarget.fromId(stack, vaultId());
    expect(() => vault.grant(identity, Roles.KeyVaultSecretsUser, { reason: " " })).toThrow(/has no reason/);
    expect(() => vault.grant(identity, Roles.KeyVaultSecretsUser, { reason: "read", justification: "needed" })).toThrow(
      '[test/api] Justification for Key Vault Secrets User on app-kv says nothing: it is shorter than 20 characters: "needed". Fix: explain in words',
    );
  });

  it("refuses a target id of the wrong resource type", () => {
    const { stack } = setup();
    expect(() => KeyVaultTarget.fromId(stack, registryId())).toThrow(
      /^\[test\] Resource id is not a Key Vault \(Microsoft.KeyVault\/vaults\): ".*registries\/platformacr"\. Fix: /,
    );
  });

  it("refuses a grant on a target in another tenant", () => {
    const { stack, identity } = setup();
    const foreign = KeyVaultTarget.fromId(stack, vaultId(OTHER_SUBSCRIPTION), { tenantId: OTHER_TENANT });
    expect(() => foreign.grant(identity, Roles.KeyVaultSecretsUser, { reason: "read partner secrets" })).toThrow(
      new RegExp(
        `Key Vault app-kv is in tenant ${OTHER_TENANT}, but the identity lives in tenant ${TENANT}.*Fix: a managed identity cannot hold a role in another tenant`,
      ),
    );
  });
});
