import { TerraformStack } from "cdktf";
import { RoleAssignment, RoleAssignmentConfig } from "@cdktf/provider-azurerm/lib/role-assignment";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { FederatedIdentityCredential } from "@cdktf/provider-azurerm/lib/federated-identity-credential";
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import {
  AppServiceCompute,
  Identity,
  KeyVaultTarget,
  onlyAssignRoles,
  Roles,
  StorageAccountTarget,
  UserAssignedIdentity,
  WorkloadIdentity,
} from "../constructs";
import { ManagedIdentityTarget } from "../constructs/services";
import { SUBSCRIPTION, TENANT, testStack, vaultId, inRg } from "./helpers";
import { evaluateGuardrails, RULE_CATALOGUE, RULES } from "../constructs/guardrails";
import { describeGuardrailCases, findings, GuardrailCase } from "./guardrail-cases";
import { accessPolicy } from "../constructs/policy";

const PRINCIPAL = "0f0f0f0f-0000-4000-8000-000000000001";
const roleId = (guid: string) =>
  `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** A hand-written assignment, correct unless `config` says otherwise. */
function raw(stack: TerraformStack, id: string, config: Partial<RoleAssignmentConfig> = {}): RoleAssignment {
  return new RoleAssignment(stack, id, {
    name: "0d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
    scope: vaultId(),
    roleDefinitionId: roleId(Roles.KeyVaultSecretsUser.guid),
    principalId: PRINCIPAL,
    principalType: "ServicePrincipal",
    ...config,
  });
}

const webApp = (stack: TerraformStack, id = "app", extra: Partial<ConstructorParameters<typeof LinuxWebApp>[2]> = {}) =>
  new LinuxWebApp(stack, id, { ...inRg, name: id, servicePlanId: "/plan", siteConfig: {}, ...extra });
const vault = (stack: TerraformStack, rbac: boolean) =>
  new KeyVault(stack, "vault", {
    ...inRg,
    name: "app-kv",
    tenantId: TENANT,
    skuName: "standard",
    rbacAuthorizationEnabled: rbac,
  });
const account = (stack: TerraformStack, sharedKeys?: boolean) =>
  new StorageAccount(stack, "account", {
    ...inRg,
    name: "acct",
    accountTier: "Standard",
    accountReplicationType: "LRS",
    sharedAccessKeyEnabled: sharedKeys,
  });

/** A deploy identity trusting GitHub Actions for the repository's prod environment, unless a test changes it. */
const deployTrust = (
  stack: TerraformStack,
  id: string,
  trust: { name?: string; issuer?: string; subject?: string } = {},
) => {
  const identity = new UserAssignedIdentity(stack, "deploy", { name: "deploy-id", ...inRg });
  new FederatedIdentityCredential(stack, id, {
    name: "gh",
    resourceGroupName: "app-rg",
    parentId: identity.id,
    audience: ["api://AzureADTokenExchange"],
    issuer: "https://token.actions.githubusercontent.com",
    subject: "repo:contoso/app:environment:prod",
    ...trust,
  });
};

const CASES: GuardrailCase[] = [
  {
    ruleId: "IG001",
    bad: (s) => raw(s, "owner", { roleDefinitionId: roleId(Roles.Owner.guid) }),
    good: (s) =>
      raw(s, "admin", {
        roleDefinitionId: roleId(Roles.RoleBasedAccessControlAdministrator.guid),
        condition: onlyAssignRoles(PRINCIPAL, [Roles.KeyVaultSecretsUser]).expression,
        conditionVersion: "2.0",
      }),
    message:
      /^privileged role Owner for 0f0f0f0f-0000-4000-8000-000000000001 on \/subscriptions\/.*\/vaults\/app-kv: it can change the resource or hand out access$/,
  },
  {
    ruleId: "IG001",
    about: "RBAC Administrator under a condition that does not limit roles",
    bad: (s) =>
      raw(s, "admin", {
        roleDefinitionId: roleId(Roles.RoleBasedAccessControlAdministrator.guid),
        condition: "(@Resource[Microsoft.Storage/storageAccounts:name] StringEquals 'x')",
        conditionVersion: "2.0",
      }),
    good: (s) =>
      raw(s, "admin", {
        roleDefinitionId: roleId(Roles.RoleBasedAccessControlAdministrator.guid),
        condition: onlyAssignRoles(PRINCIPAL, [Roles.AcrPull]).expression,
        conditionVersion: "2.0",
      }),
    message: /^privileged role Role Based Access Control Administrator for /,
  },
  {
    ruleId: "IG002",
    bad: (s) => raw(s, "owner", { roleDefinitionId: roleId(Roles.KeyVaultAdministrator.guid) }),
    good: (s) => raw(s, "user"),
    message: /^broad data role Key Vault Administrator for /,
  },
  {
    ruleId: "IG003",
    bad: (s) => raw(s, "rg", { scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg` }),
    good: (s) => raw(s, "vault"),
    message: /^Key Vault Secrets User at resourceGroup scope \/subscriptions\/.*\/resourceGroups\/app-rg$/,
  },
  {
    ruleId: "IG003",
    about: "a subscription scope built from a reference",
    bad: (s) => {
      new DataAzurermClientConfig(s, "current");
      raw(s, "sub", { scope: "/subscriptions/${data.azurerm_client_config.current.subscription_id}" });
    },
    good: (s) => raw(s, "vault"),
    message:
      /^Key Vault Secrets User at subscription scope \/subscriptions\/\$\{data\.azurerm_client_config\.current\.subscription_id\}$/,
  },
  {
    ruleId: "IG004",
    bad: (s) => raw(s, "reader", { roleDefinitionId: roleId(Roles.Reader.guid) }),
    good: (s) => {
      const kubelet = new UserAssignedIdentity(s, "kubelet", { name: "kubelet-id", ...inRg });
      const aks = new UserAssignedIdentity(s, "aks", { name: "aks-id", ...inRg });
      ManagedIdentityTarget.of(kubelet).grant(aks, Roles.ManagedIdentityOperator, { reason: "assigns kubelet" });
    },
    message: /^control-plane role Reader for .* on .*vaults\/app-kv: it manages the resource but reads no data$/,
  },
  {
    ruleId: "IG005",
    bad: (s) => raw(s, "acr", { roleDefinitionId: roleId(Roles.AcrPull.guid) }),
    good: (s) => raw(s, "user"),
    message: /^Container Registry role AcrPull for .* on .*vaults\/app-kv, a Key Vault: it grants nothing there$/,
  },
  {
    ruleId: "IG006",
    bad: (s) => raw(s, "kv", { scope: vault(s, false).id }),
    good: (s) => raw(s, "kv", { scope: vault(s, true).id }),
    message: /^Key Vault Secrets User for .* on azurerm_key_vault\.vault, but the vault uses access policies/,
  },
  {
    ruleId: "IG007",
    bad: (s) => raw(s, "blob", { scope: account(s).id, roleDefinitionId: roleId(Roles.StorageBlobDataReader.guid) }),
    good: (s) =>
      raw(s, "blob", { scope: account(s, false).id, roleDefinitionId: roleId(Roles.StorageBlobDataReader.guid) }),
    message: /on azurerm_storage_account\.account, but the account still accepts shared keys$/,
  },
  {
    ruleId: "IG008",
    bad: (s) => {
      raw(s, "first");
      raw(s, "second", {
        name: "1d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
        scope: vaultId().toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
      });
    },
    good: (s) => {
      raw(s, "first");
      raw(s, "second", {
        name: "1d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
        roleDefinitionId: roleId(Roles.KeyVaultCertificateUser.guid),
      });
    },
    message: /is also declared as azurerm_role_assignment\.first$/,
  },
  {
    ruleId: "IG009",
    bad: (s) => raw(s, "untyped", { principalType: undefined }),
    good: (s) => raw(s, "typed"),
    message: /has principal_type null$/,
  },
  {
    ruleId: "IG009",
    about: "a managed identity typed as a group",
    bad: (s) =>
      raw(s, "mistyped", {
        principalId: new UserAssignedIdentity(s, "app", { name: "app-id", ...inRg }).principalId,
        principalType: "Group",
      }),
    good: (s) => raw(s, "people", { principalType: "Group" }),
    message: /has principal_type "Group"$/,
  },
  {
    ruleId: "IG010",
    bad: (s) => raw(s, "named", { roleDefinitionId: undefined, roleDefinitionName: "Key Vault Secrets User" }),
    good: (s) => raw(s, "by-id"),
    message: /^Key Vault Secrets User for .* names its role "Key Vault Secrets User"$/,
  },
  {
    ruleId: "IG011",
    bad: (s) =>
      raw(s, "unscoped", {
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${Roles.KeyVaultSecretsUser.guid}`,
      }),
    good: (s) => raw(s, "scoped"),
    message: /writes \/providers\/Microsoft\.Authorization\/roleDefinitions\/4633458b/,
  },
  {
    ruleId: "IG011",
    about: "a role id from another subscription than the scope's",
    bad: (s) =>
      raw(s, "elsewhere", {
        roleDefinitionId: roleId(Roles.KeyVaultSecretsUser.guid).replace(
          SUBSCRIPTION,
          "99999999-8888-4777-8666-555555555555",
        ),
      }),
    good: (s) =>
      raw(s, "mg", {
        scope: "/providers/Microsoft.Management/managementGroups/corp",
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${Roles.Reader.guid}`,
      }),
    message:
      /takes its role from subscription 99999999-8888-4777-8666-555555555555, but the scope is in 11111111-2222-4333-8444-555555555555$/,
  },
  {
    ruleId: "IG012",
    about: "no name: a random one at apply",
    bad: (s) => raw(s, "random", { name: undefined }),
    good: (s) => raw(s, "stable"),
    message: /has name null$/,
  },
  {
    ruleId: "IG012",
    about: "a name hashed from the principal id",
    bad: (s) =>
      raw(s, "from-principal", { name: '${uuidv5("url", azurerm_linux_web_app.app.identity[0].principal_id)}' }),
    good: (s) =>
      raw(s, "from-names", {
        name: '${uuidv5("5353215d-7a40-49bb-a84c-5af019410666", lower(join("", ["/subscriptions/x"])))}',
      }),
    message: /has name "\$\{uuidv5\(\\"url\\", azurerm_linux_web_app\.app\.identity\[0\]\.principal_id\)\}"$/,
  },
  {
    ruleId: "IG013",
    bad: (s) =>
      new WorkloadIdentity(s, "idle", {
        identity: Identity.systemAssigned(),
        compute: [AppServiceCompute.linuxWebApp(webApp(s))],
        grants: [],
      }),
    good: (s) =>
      new WorkloadIdentity(s, "busy", {
        identity: Identity.systemAssigned(),
        compute: [AppServiceCompute.linuxWebApp(webApp(s))],
        grants: [KeyVaultTarget.fromId(s, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
      }),
    message: /^azurerm_linux_web_app\.app has a system-assigned identity that holds no role$/,
  },
  {
    ruleId: "IG014",
    bad: (s) =>
      new WorkloadIdentity(s, "preprovisioned", {
        identity: Identity.newUserAssigned({ name: "early-id", ...inRg }),
        compute: [],
        grants: [KeyVaultTarget.fromId(s, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads")],
      }),
    good: (s) =>
      new WorkloadIdentity(s, "attached", {
        identity: Identity.newUserAssigned({ name: "used-id", ...inRg }),
        compute: [AppServiceCompute.linuxWebApp(webApp(s))],
        grants: [KeyVaultTarget.fromId(s, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads")],
      }),
    message: /holds 1 role\(s\) but no resource uses it$/,
  },
  {
    ruleId: "IG014",
    about: "an identity used for a customer-managed key",
    bad: (s) => {
      const key = new UserAssignedIdentity(s, "cmk", { name: "cmk-id", ...inRg });
      KeyVaultTarget.fromId(s, vaultId())
        .key("storage")
        .grant(key, Roles.KeyVaultCryptoServiceEncryptionUser, { reason: "wraps the account key" });
    },
    good: (s) => {
      const key = new UserAssignedIdentity(s, "cmk", { name: "cmk-id", ...inRg });
      KeyVaultTarget.fromId(s, vaultId())
        .key("storage")
        .grant(key, Roles.KeyVaultCryptoServiceEncryptionUser, { reason: "wraps the account key" });
      new StorageAccount(s, "account", {
        ...inRg,
        name: "acct",
        accountTier: "Standard",
        accountReplicationType: "LRS",
        identity: { type: "UserAssigned", identityIds: [key.id] },
      });
    },
    message: /^azurerm_user_assigned_identity\.cmk_identity_[0-9A-F]+ holds 1 role\(s\) but no resource uses it$/,
  },
  {
    ruleId: "IG015",
    bad: (s) => {
      const [a, b] = ["a", "b"].map((n) => new UserAssignedIdentity(s, n, { name: `${n}-id`, ...inRg }));
      webApp(s, "app", { identity: { type: "UserAssigned", identityIds: [a.id, b.id] } });
    },
    good: (s) => {
      const [a, b] = ["a", "b"].map((n) => new UserAssignedIdentity(s, n, { name: `${n}-id`, ...inRg }));
      webApp(s, "app", {
        identity: { type: "UserAssigned", identityIds: [a.id, b.id] },
        appSettings: { AZURE_CLIENT_ID: a.clientId },
      });
    },
    message: /^azurerm_linux_web_app\.app carries 2 user-assigned identities and no AZURE_CLIENT_ID$/,
  },
  {
    ruleId: "IG016",
    bad: (s) => {
      const app = webApp(s);
      new LinuxWebAppSlot(s, "staging", { name: "staging", appServiceId: app.id, siteConfig: {} });
      new WorkloadIdentity(s, "web", {
        identity: Identity.systemAssigned(),
        compute: [AppServiceCompute.linuxWebApp(app)],
        grants: [KeyVaultTarget.fromId(s, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads")],
      });
    },
    good: (s) => {
      const app = webApp(s);
      const slot = new LinuxWebAppSlot(s, "staging", { name: "staging", appServiceId: app.id, siteConfig: {} });
      new WorkloadIdentity(s, "web", {
        identity: Identity.systemAssigned(),
        compute: [AppServiceCompute.linuxWebApp(app, { slots: [slot] })],
        grants: [KeyVaultTarget.fromId(s, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads")],
      });
    },
    message:
      /^slot azurerm_linux_web_app_slot\.staging does not carry the identities and grants of azurerm_linux_web_app\.app$/,
  },
  {
    ruleId: "IG017",
    bad: (s) => {
      const shared = new UserAssignedIdentity(s, "shared", { name: "shared-id", ...inRg });
      const vaultTarget = KeyVaultTarget.fromId(s, vaultId());
      new WorkloadIdentity(s, "orders", {
        identity: Identity.userAssigned(shared),
        compute: [AppServiceCompute.linuxWebApp(webApp(s, "orders-app"))],
        grants: [vaultTarget.allow(Roles.KeyVaultSecretsUser, "reads")],
      });
      new WorkloadIdentity(s, "billing", {
        identity: Identity.userAssigned(shared),
        compute: [AppServiceCompute.linuxWebApp(webApp(s, "billing-app"))],
        grants: [vaultTarget.allow(Roles.KeyVaultCryptoUser, "signs")],
      });
    },
    good: (s) => {
      const shared = new UserAssignedIdentity(s, "shared", { name: "shared-id", ...inRg });
      const grants = [KeyVaultTarget.fromId(s, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads")];
      new WorkloadIdentity(s, "fleet", {
        identity: Identity.userAssigned(shared),
        compute: [
          AppServiceCompute.linuxWebApp(webApp(s, "fleet-a")),
          AppServiceCompute.linuxWebApp(webApp(s, "fleet-b")),
        ],
        grants,
        workload: "fleet",
      });
    },
    message:
      /is shared by billing-app, orders-app, whose grants differ \(billing, orders asked\): each holds all of them$/,
  },
  {
    ruleId: "IG018",
    about: "a wildcard subject",
    bad: (s) => {
      deployTrust(s, "any-branch", { subject: "repo:contoso/app:ref:refs/heads/*" });
    },
    good: (s) => {
      deployTrust(s, "prod");
    },
    message: /^federated subject "repo:contoso\/app:ref:refs\/heads\/\*" is a wildcard$/,
  },
  {
    ruleId: "IG018",
    about: "an unknown issuer",
    bad: (s) => {
      deployTrust(s, "stranger", { name: "other", issuer: "https://issuer.example.com" });
    },
    good: (s) => {
      deployTrust(s, "prod");
    },
    message: /^federated issuer "https:\/\/issuer\.example\.com" is not one this estate trusts$/,
  },
  {
    ruleId: "IG019",
    bad: (s) =>
      webApp(s, "app", {
        appSettings: { STORAGE: "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc==" },
      }),
    good: (s) => webApp(s, "app", { appSettings: { STORAGE__blobServiceUri: "https://acct.blob.core.windows.net" } }),
    message:
      /^azurerm_linux_web_app\.app carries secrets in app_settings\.STORAGE \(a storage account key in a connection string\)$/,
  },
  {
    ruleId: "IG019",
    about: "connection strings: a literal one, not a Key Vault reference",
    bad: (s) =>
      webApp(s, "app", { connectionString: [{ name: "Db", type: "SQLAzure", value: "Server=db;Password=hunter2" }] }),
    good: (s) =>
      webApp(s, "app", {
        connectionString: [
          {
            name: "Db",
            type: "SQLAzure",
            value: "@Microsoft.KeyVault(SecretUri=https://app-kv.vault.azure.net/secrets/db/)",
          },
        ],
      }),
    message:
      /^azurerm_linux_web_app\.app carries secrets in connection_string\.Db \(a connection string not from Key Vault\)$/,
  },
  {
    ruleId: "IG020",
    bad: (s) => raw(s, "custom", { roleDefinitionId: roleId("11111111-0000-4000-8000-00000000beef") }),
    good: (s) => raw(s, "builtin"),
    message:
      /grants "\/subscriptions\/.*\/roleDefinitions\/11111111-0000-4000-8000-00000000beef", which is not a catalogued built-in role$/,
  },
];

describeGuardrailCases(CASES);

describe("guardrails see what is written around the constructs", () => {
  it("catches an override on a grant the constructs made (an escape hatch)", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    const grant = KeyVaultTarget.fromId(stack, vaultId()).grant(identity, Roles.KeyVaultSecretsUser, {
      reason: "reads secrets",
    });
    grant.assignment!.addOverride(
      "role_definition_id",
      `/providers/Microsoft.Authorization/roleDefinitions/${Roles.Owner.guid}`,
    );
    const ids = evaluateGuardrails(stack, { severity: "error" }).map((f) => f.ruleId);
    expect(ids).toEqual(expect.arrayContaining(["IG001", "IG011"]));
  });

  it("catches a storage account given by a construct whose shared keys are on, reached through a sub-resource", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
    StorageAccountTarget.of(account(stack))
      .container("docs")
      .grant(identity, Roles.StorageBlobDataReader, { reason: "reads docs" });
    expect(findings(stack, "IG007").map((f) => f.address)).toEqual([
      expect.stringMatching(/^azurerm_role_assignment\.app_storage-blob-data-reader-on-acct-docs_/),
    ]);
  });
});

describe("the rule catalogue", () => {
  it("names every rule once, by an id IG and three digits, in id order", () => {
    const ids = RULES.map((r) => r.id);
    for (const id of ids) expect(id).toMatch(/^IG\d{3}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(RULES.map((r) => r.name)).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(RULE_CATALOGUE.map((r) => r.id)).toEqual(ids);
  });

  it("holds every predicate of the access policy, under the id and name a refused grant cites", () => {
    const predicates = Object.values(accessPolicy).filter(
      (v): v is accessPolicy.PolicyPredicate => typeof v === "object" && v !== null && "judge" in v,
    );
    expect(predicates.length).toBeGreaterThan(0);
    const policyFamily = RULE_CATALOGUE.filter((r) => r.family === "policy");
    expect(policyFamily.map(({ id, name }) => ({ id, name }))).toEqual(
      expect.arrayContaining(predicates.map(({ id, name }) => ({ id, name }))),
    );
    expect(policyFamily).toHaveLength(predicates.length);
    for (const entry of policyFamily) expect(entry.defaultSeverity).toBe("error");
  });

  it("gives the docs each rule's id, name, family, default severity and description", () => {
    for (const entry of RULE_CATALOGUE) {
      expect(Object.keys(entry).sort()).toEqual(["defaultSeverity", "description", "family", "id", "name"]);
      expect(entry.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(entry.description.length).toBeGreaterThan(20);
    }
    expect(RULE_CATALOGUE.find((r) => r.id === "IG023")).toMatchObject({
      family: "coverage",
      defaultSeverity: "warning",
    });
  });

  it("is not loaded by a grant: the grant path asks the policy and records justifications as data", async () => {
    await jest.isolateModulesAsync(async () => {
      const refuse = () => {
        throw new Error("a grant loaded the rule engine");
      };
      // Deep paths on purpose: a mock replaces one exact module, and library files import the rule
      // catalogue and the suppressions by file, never through a layer entry; the grant module is
      // loaded by itself, since the grants entry may re-export files a grant does not load.
      // eslint-disable-next-line no-restricted-syntax -- the exact module a library file imports by file
      jest.doMock("../constructs/guardrails/rules", refuse);
      // eslint-disable-next-line no-restricted-syntax -- the exact module a library file imports by file
      jest.doMock("../constructs/guardrails/suppressions", refuse);
      // eslint-disable-next-line no-restricted-syntax -- the grant module alone, not the grants entry
      await expect(import("../constructs/grants/grants")).resolves.toHaveProperty("grantRole");
    });
  });
});
