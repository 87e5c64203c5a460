/**
 * Every way around the access policy that worked before it was one policy: each now fails the
 * prod synth with the rule that catches it, and warns in dev where the rule only warns there.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Construct } from "constructs";
import {
  App,
  TerraformStack,
  TerraformDataSource,
  TerraformLocal,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformVariable,
} from "cdktf";
import { RoleAssignment, RoleAssignmentConfig } from "@cdktf/provider-azurerm/lib/role-assignment";
import { PimActiveRoleAssignment } from "@cdktf/provider-azurerm/lib/pim-active-role-assignment";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageQueue } from "@cdktf/provider-azurerm/lib/storage-queue";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import {
  AppServiceCompute,
  DeveloperAccess,
  Identity,
  KeyVaultTarget,
  onlyAssignRoles,
  Roles,
  StorageAccountTarget,
  UserAssignedIdentity,
  WorkloadIdentity,
} from "../constructs";
import { onStackSynthesis } from "../constructs/core";
import { AzureStack } from "../stacks/azure-stack";
import { ENVIRONMENTS } from "../stacks/environment-settings";
import { inRg, NON_PRODUCTION, tempDirs, testStack } from "./helpers";
import { MssqlServer } from "@cdktf/provider-azurerm/lib/mssql-server";
import { MssqlFirewallRule } from "@cdktf/provider-azurerm/lib/mssql-firewall-rule";
import { MssqlVirtualNetworkRule } from "@cdktf/provider-azurerm/lib/mssql-virtual-network-rule";
import { NetworkPath, SqlServerTarget } from "../constructs";
import { findings } from "./guardrail-cases";
import { azureServicesRule, endpointTo, ENTRA_ONLY, network, SqlEstate, sqlEstate, subnet } from "./network-fixtures";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { AppServiceVirtualNetworkSwiftConnection } from "@cdktf/provider-azurerm/lib/app-service-virtual-network-swift-connection";

const settings = (name: string) => ({
  ...ENVIRONMENTS.find((e) => e.name === name)!,
  guardrails: { ...ENVIRONMENTS.find((e) => e.name === name)!.guardrails, today: "2026-11-22" },
});
const SUB = ENVIRONMENTS.find((e) => e.name === "prod")!.subscriptionId;
const USER = "0f0f0f0f-0000-4000-8000-0000000000a1";
const vaultId = `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.KeyVault/vaults/app-kv`;
const roleId = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** A correct hand-written assignment to a managed identity of the stack, unless `config` says otherwise. */
function raw(stack: Construct, id: string, config: Partial<RoleAssignmentConfig> = {}): RoleAssignment {
  const identity = new UserAssignedIdentity(stack, `${id}-identity`, { name: `${id}-id`, ...inRg });
  return new RoleAssignment(stack, id, {
    name: "0d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
    scope: vaultId,
    roleDefinitionId: roleId(Roles.KeyVaultSecretsUser.guid),
    principalId: identity.principalId,
    principalType: "ServicePrincipal",
    ...config,
  });
}

/** RBAC Administrator on the vault for a managed identity of the stack, under `condition(holder principal id)`. */
function rbacAdmin(stack: Construct, condition: (holder: UserAssignedIdentity) => string): void {
  const holder = new UserAssignedIdentity(stack, "deployer", { name: "deployer-id", ...inRg });
  new RoleAssignment(stack, "admin", {
    name: "1d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
    scope: vaultId,
    roleDefinitionId: roleId(Roles.RoleBasedAccessControlAdministrator.guid),
    principalId: holder.principalId,
    principalType: "ServicePrincipal",
    condition: condition(holder),
    conditionVersion: "2.0",
  });
}
const portalCondition = (holder: UserAssignedIdentity) => onlyAssignRoles(holder, [Roles.AcrPull]).expression;

/** A web app granted Key Vault Secrets User through the constructs: the assignment an override then bends. */
function workloadGrant(stack: Construct): RoleAssignment {
  const app = new LinuxWebApp(stack, "app", { ...inRg, name: "orders-web", servicePlanId: "/plan", siteConfig: {} });
  const access = new WorkloadIdentity(stack, "orders", {
    identity: Identity.newUserAssigned({ name: "orders-id", ...inRg }),
    compute: [AppServiceCompute.linuxWebApp(app)],
    grants: [KeyVaultTarget.fromId(stack, vaultId).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
  });
  return access.grants[0].assignment as RoleAssignment;
}

class AzapiProvider extends TerraformProvider {
  constructor(scope: Construct) {
    super(scope, "azapi", { terraformResourceType: "azapi", terraformGeneratorMetadata: { providerName: "azapi" } });
  }
  protected override synthesizeAttributes() {
    return {};
  }
}

/** A hand-written azapi resource of `type` (an `azapi_resource` role assignment unless told otherwise). */
function azapiOf(scope: Construct, type: string, id: string, config: Record<string, unknown>): void {
  const stack = TerraformStack.of(scope);
  const provider = (stack.node.tryFindChild("azapi") as TerraformProvider | undefined) ?? new AzapiProvider(stack);
  const resource = new TerraformResource(scope, id, {
    terraformResourceType: type,
    terraformGeneratorMetadata: { providerName: "azapi" },
    provider,
  });
  for (const [key, value] of Object.entries(config)) resource.addOverride(key, value);
}
const azapi = (scope: Construct, id: string, config: Record<string, unknown>) =>
  azapiOf(scope, "azapi_resource", id, {
    type: "Microsoft.Authorization/roleAssignments@2022-04-01",
    name: "2d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
    ...config,
  });

interface Bypass {
  readonly name: string;
  readonly build: (stack: Construct) => void;
  /** `IGxxx name at address: message` as the synth error prints it. */
  readonly error: RegExp;
}

/** A hand-written azurerm resource of any type, with its arguments as overrides. */
function anyResource(scope: Construct, type: string, id: string, config: Record<string, unknown>): TerraformResource {
  const resource = new TerraformResource(scope, id, {
    terraformResourceType: type,
    terraformGeneratorMetadata: { providerName: "azurerm" },
  });
  for (const [key, value] of Object.entries(config)) resource.addOverride(key, value);
  return resource;
}
const ownerTemplate = JSON.stringify({
  resources: [
    {
      type: "Microsoft.Authorization/roleAssignments",
      apiVersion: "2022-04-01",
      name: "[guid(subscription().id)]",
      properties: { roleDefinitionId: roleId(Roles.Owner.guid), principalId: USER, principalType: "User" },
    },
  ],
});

/** Where hand-written resources of these cases live, in Terraform's own argument names. */
const tfRg = { resource_group_name: "app-rg", location: "westeurope" };

/** A hand-written data source of any azurerm type, with its arguments as overrides. */
function anyDataSource(scope: Construct, type: string, id: string, config: Record<string, unknown>): void {
  const source = new TerraformDataSource(scope, id, {
    terraformResourceType: type,
    terraformGeneratorMetadata: { providerName: "azurerm" },
  });
  for (const [key, value] of Object.entries(config)) source.addOverride(key, value);
}

/** RBAC Administrator on the vault for the principal written as `holder`, under `condition(holder)`. */
function rbacAdminOf(stack: Construct, holder: string, condition: (holder: string) => string): RoleAssignment {
  return new RoleAssignment(stack, "admin-of", {
    name: "4d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
    scope: vaultId,
    roleDefinitionId: roleId(Roles.RoleBasedAccessControlAdministrator.guid),
    principalId: holder,
    principalType: "ServicePrincipal",
    condition: condition(holder),
    conditionVersion: "2.0",
  });
}

/** A web app whose app settings are `settings`, with nothing else a rule could find. */
function settingsApp(scope: Construct, settings: Record<string, string>): LinuxWebApp {
  return new LinuxWebApp(scope, "settings", {
    ...inRg,
    name: "settings-web",
    servicePlanId: "/plan",
    siteConfig: {},
    appSettings: settings,
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const BYPASSES: Bypass[] = [
  {
    name: "an Owner assignment inside a template deployment",
    build: (s) =>
      anyResource(s, "azurerm_subscription_template_deployment", "template", {
        name: "bootstrap",
        location: "westeurope",
        template_content: ownerTemplate,
      }),
    error:
      /IG022 unverifiable-assignment at azurerm_subscription_template_deployment\.template: azurerm_subscription_template_deployment\.template grants access or runs commands in a way no rule reads/,
  },
  {
    name: "a Key Vault access policy for a user",
    build: (s) =>
      anyResource(s, "azurerm_key_vault_access_policy", "policy", {
        key_vault_id: vaultId,
        tenant_id: ENVIRONMENTS[0].tenantId,
        object_id: USER,
        secret_permissions: ["Get", "List"],
      }),
    error:
      /IG022 unverifiable-assignment at azurerm_key_vault_access_policy\.policy: .*grants access or runs commands in a way no rule reads/,
  },
  {
    name: "a role assignment PUT through an azapi action",
    build: (s) =>
      azapiOf(s, "azapi_resource_action", "put-owner", {
        type: "Microsoft.Authorization/roleAssignments@2022-04-01",
        method: "PUT",
        resource_id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/2d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c`,
      }),
    error:
      /IG022 unverifiable-assignment at azapi_resource_action\.put-owner: .*grants access or runs commands in a way no rule reads/,
  },
  {
    name: "a provisioner that runs az role assignment create",
    build: (s) =>
      anyResource(s, "azurerm_resource_group", "rg-with-provisioner", {
        name: "side-rg",
        location: "westeurope",
        provisioner: [{ "local-exec": { command: "az role assignment create --role Owner" } }],
      }),
    error: /IG022 unverifiable-assignment at azurerm_resource_group\.rg-with-provisioner/,
  },
  {
    name: "an identity of another environment, read through another provider",
    build: (s) => {
      raw(s, "other-env", { principalId: "${data.azurerm_user_assigned_identity.dev-jobs.principal_id}" });
      TerraformStack.of(s).addOverride("data.azurerm_user_assigned_identity.dev-jobs", {
        name: "contoso-dev-jobs-id",
        resource_group_name: "contoso-dev-rg",
        provider: "azurerm.dev",
      });
    },
    error:
      /IG021 non-workload-principal at azurerm_role_assignment\.other-env: .* is held by a principal that is no managed identity of the estate/,
  },
  {
    name: "Managed Identity Contributor on a workload identity for a user",
    build: (s) =>
      raw(s, "impersonate", {
        scope: `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-id`,
        roleDefinitionId: roleId(Roles.ManagedIdentityContributor.guid),
        principalId: USER,
        principalType: "User",
      }),
    error:
      /IG021 non-workload-principal at azurerm_role_assignment\.impersonate: Managed Identity Contributor for 0f0f0f0f-0000-4000-8000-0000000000a1 .* is held by a user/,
  },
  {
    name: "RBAC Administrator under a condition that lists Owner",
    build: (s) =>
      rbacAdmin(s, (h) => portalCondition(h).replace(/7f951dda-4ed3-4680-a7ca-43fe172d538d/g, Roles.Owner.guid)),
    error:
      /IG001 privileged-role at azurerm_role_assignment\.admin: .*because role assignment writes may use the privileged Owner/,
  },
  {
    name: "RBAC Administrator under a condition that only mentions roleAssignments/write and RoleDefinitionId",
    build: (s) =>
      rbacAdmin(
        s,
        () =>
          "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] StringLike '*'))",
      ),
    error: /IG001 privileged-role at azurerm_role_assignment\.admin: .*because role assignment writes may use any role/,
  },
  {
    name: "RBAC Administrator that may assign anything but Owner",
    build: (s) =>
      rbacAdmin(
        s,
        () =>
          `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/*'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${Roles.Owner.guid}}))`,
      ),
    error:
      /IG001 privileged-role at azurerm_role_assignment\.admin: .*may use any role except 8e3af657-a8ff-443c-a75c-2fe8c4bcb635/,
  },
  {
    name: "RBAC Administrator limited on write but free to delete",
    build: (s) =>
      rbacAdmin(
        s,
        (h) => portalCondition(h).split(" AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'")[0],
      ),
    error:
      /IG001 privileged-role at azurerm_role_assignment\.admin: .*because role assignment deletes may use any role/,
  },
  {
    name: "a deployer whose condition lets it grant itself",
    build: (s) =>
      rbacAdmin(s, () => portalCondition(new UserAssignedIdentity(s, "someone-else", { name: "other-id", ...inRg }))),
    error: /IG001 privileged-role at azurerm_role_assignment\.admin: .*writes may name the holder itself/,
  },
  {
    name: "RBAC Administrator under a condition that cannot be parsed",
    build: (s) => rbacAdmin(s, (h) => `${portalCondition(h)} OR`),
    error: /IG001 privileged-role at azurerm_role_assignment\.admin: .*the condition cannot be parsed/,
  },
  {
    name: "an override that points a construct's grant at a user",
    build: (s) => {
      const assignment = workloadGrant(s);
      assignment.addOverride("principal_type", "User");
      assignment.addOverride("principal_id", USER);
    },
    error:
      /IG021 non-workload-principal at azurerm_role_assignment\.orders_identity_key-vault-secrets-user-on-app-kv_[0-9A-F]+: Key Vault Secrets User for 0f0f0f0f-0000-4000-8000-0000000000a1 on \/subscriptions\/.*\/vaults\/app-kv is held by a user/,
  },
  {
    name: "a hand-written assignment to a group",
    build: (s) => raw(s, "group", { principalId: USER, principalType: "Group" }),
    error: /IG021 non-workload-principal at azurerm_role_assignment\.group: .* is held by a group/,
  },
  {
    name: "a principal id that is an identity's client id, not its principal",
    build: (s) => {
      const identity = new UserAssignedIdentity(s, "confused", { name: "confused-id", ...inRg });
      raw(s, "client", { principalId: identity.clientId });
    },
    error:
      /IG021 non-workload-principal at azurerm_role_assignment\.client: .* is held by a principal that is no managed identity of the estate/,
  },
  {
    name: "a scope from a variable that defaults to the subscription",
    build: (s) =>
      raw(s, "var-scope", {
        scope: new TerraformVariable(s, "scope", { type: "string", default: `/subscriptions/${SUB}` }).stringValue,
      }),
    error:
      /IG022 unverifiable-assignment at azurerm_role_assignment\.var-scope: azurerm_role_assignment\.var-scope has scope "\$\{var\.scope\}", which cannot be verified at synth/,
  },
  {
    name: "a scope from a local",
    build: (s) => raw(s, "local-scope", { scope: new TerraformLocal(s, "scope", `/subscriptions/${SUB}`).asString }),
    error: /IG022 unverifiable-assignment at azurerm_role_assignment\.local-scope: .*scope "\$\{local\.scope\}"/,
  },
  {
    name: "a scope from a module output",
    build: (s) => raw(s, "module-scope", { scope: "${module.network.scope_id}" }),
    error:
      /IG022 unverifiable-assignment at azurerm_role_assignment\.module-scope: .*scope "\$\{module\.network\.scope_id\}"/,
  },
  {
    name: "a scope built by a function around a variable",
    build: (s) => raw(s, "function-scope", { scope: '${join("", ["/subscriptions/", var.sub])}' }),
    error: /IG022 unverifiable-assignment at azurerm_role_assignment\.function-scope: .*cannot be verified at synth/,
  },
  {
    name: "a literal id followed by an interpolated suffix",
    build: (s) => raw(s, "suffix-scope", { scope: `/subscriptions/${SUB}/resourceGroups/\${var.rest}` }),
    error: /IG022 unverifiable-assignment at azurerm_role_assignment\.suffix-scope/,
  },
  {
    name: "a role from a variable",
    build: (s) => raw(s, "var-role", { roleDefinitionId: "${var.role_id}" }),
    error:
      /IG022 unverifiable-assignment at azurerm_role_assignment\.var-role: .*role "\$\{var\.role_id\}", which cannot be verified/,
  },
  {
    name: "a principal from a data source of another kind",
    build: (s) => raw(s, "caller", { principalId: "${data.azurerm_client_config.current.object_id}" }),
    error:
      /IG022 unverifiable-assignment at azurerm_role_assignment\.caller: .*principal "\$\{data\.azurerm_client_config\.current\.object_id\}"/,
  },
  {
    name: "an Owner assignment to a user made through azapi",
    build: (s) =>
      azapi(s, "azapi-owner", {
        parent_id: `/subscriptions/${SUB}`,
        body: { properties: { roleDefinitionId: roleId(Roles.Owner.guid), principalId: USER, principalType: "User" } },
      }),
    error:
      /IG001 privileged-role at azapi_resource\.azapi-owner: privileged role Owner for 0f0f0f0f-0000-4000-8000-0000000000a1 on \/subscriptions\/[0-9a-f-]+: it can change/,
  },
  {
    name: "an azapi resource whose type only Terraform knows",
    build: (s) => azapi(s, "azapi-any", { type: "${var.resource_type}", parent_id: `/subscriptions/${SUB}` }),
    error:
      /IG022 unverifiable-assignment at azapi_resource\.azapi-any: azapi_resource\.azapi-any creates a resource whose type "\$\{var\.resource_type\}" cannot be verified at synth: it may be a role assignment/,
  },
  {
    name: "a PIM active assignment of Owner",
    build: (s) =>
      new PimActiveRoleAssignment(s, "pim-owner", {
        scope: `/subscriptions/${SUB}`,
        roleDefinitionId: roleId(Roles.Owner.guid),
        principalId: USER,
      }),
    error:
      /IG001 privileged-role at azurerm_pim_active_role_assignment\.pim-owner: privileged role Owner for 0f0f0f0f-0000-4000-8000-0000000000a1 on \/subscriptions\//,
  },
  {
    name: "a literal password in a setting named like a secret",
    build: (s) =>
      new LinuxWebApp(s, "legacy", {
        ...inRg,
        name: "legacy-web",
        servicePlanId: "/plan",
        siteConfig: {},
        appSettings: { DB_PASSWORD: "hunter2-but-longer" },
      }),
    error:
      /IG019 secret-in-output at azurerm_linux_web_app\.legacy: azurerm_linux_web_app\.legacy carries secrets in app_settings\.DB_PASSWORD/,
  },
  {
    name: "a GitHub token in a tag",
    build: (s) =>
      new UserAssignedIdentity(s, "tagged", { name: "tagged-id", ...inRg, tags: { note: `ghp_${"x1".repeat(18)}` } }),
    error:
      /IG019 secret-in-output at azurerm_user_assigned_identity\.tagged_identity_[0-9A-F]+: .*tags\.note \(a GitHub token\)/,
  },
  {
    name: "an output of a storage key",
    build: (s) => {
      const account = new StorageAccount(s, "account", {
        ...inRg,
        name: "legacyacct",
        accountTier: "Standard",
        accountReplicationType: "LRS",
      });
      new TerraformOutput(s, "key", { value: account.primaryAccessKey, sensitive: true }).overrideLogicalId(
        "storage_key",
      );
    },
    error: /IG019 secret-in-output at output\.storage_key: output\.storage_key carries secrets in value/,
  }, // Terraform references compare exactly: `deployer` and `Deployer` are two resources.
  {
    name: "an override that moves RBAC Administrator to `deployer` while its condition excludes `Deployer`",
    build: (s) => {
      for (const id of ["Deployer", "deployer"])
        anyResource(s, "azurerm_user_assigned_identity", id, { name: `${id}-case-id`, ...tfRg });
      rbacAdminOf(
        s,
        "${azurerm_user_assigned_identity.Deployer.principal_id}",
        (holder) => onlyAssignRoles(holder, [Roles.AcrPull]).expression,
      ).addOverride("principal_id", "${azurerm_user_assigned_identity.deployer.principal_id}");
    },
    error:
      /IG001 privileged-role at azurerm_role_assignment\.admin-of: .*writes may name the holder itself \(\$\{azurerm_user_assigned_identity\.deployer\.principal_id\}\)/,
  },
  {
    name: "RBAC Administrator read by a data source, limited to writes for one literal principal: maybe its own",
    build: (s) => {
      anyDataSource(s, "azurerm_user_assigned_identity", "existing-deployer", { name: "deployer-id", ...tfRg });
      rbacAdminOf(s, "${data.azurerm_user_assigned_identity.existing-deployer.principal_id}", (holder) =>
        onlyAssignRoles(holder, [Roles.AcrPull]).expression.replace(
          `ForAnyOfAnyValues:GuidNotEquals {${holder}}`,
          `ForAnyOfAnyValues:GuidEquals {${USER}}`,
        ),
      );
    },
    error:
      /IG001 privileged-role at azurerm_role_assignment\.admin-of: .*writes may name the holder itself .*\(it may name 0f0f0f0f-0000-4000-8000-0000000000a1, and the holder's own id is known only at apply\)/,
  },
  // Secret formats and key attributes IG019 missed.
  ...(
    [
      [
        "a SAS whose first parameter is sig, in connection-string form",
        "SharedAccessSignature=sig=c2lnbmF0dXJl&se=2030-01-01&sp=r",
        "a SAS signature",
      ],
      [
        "a Service Bus token whose first parameter is sig",
        "SharedAccessSignature sig=c2lnbmF0dXJl&se=1900000000&skn=send&sr=sb%3A%2F%2Forders",
        "a SAS signature",
      ],
      [
        "a Service Bus connection string carrying a token",
        "Endpoint=sb://orders.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sig=c2ln&se=1&skn=send",
        "a SAS signature",
      ],
      [
        "a SAS URL percent-encoded inside another URL",
        "https://proxy.example.com/?target=https%3A%2F%2Fa.blob.core.windows.net%2Fc%3Fsv%3D2022-11-02%26sig%3Dc2ln",
        "a SAS signature",
      ],
      [
        "an AI Search query key",
        "${azurerm_search_service.search.query_keys[0].key}",
        "a secret attribute (azurerm_search_service.search.query_keys[0].key)",
      ],
      [
        "an Application Insights API key",
        "${azurerm_application_insights_api_key.reader.api_key}",
        "a secret attribute (azurerm_application_insights_api_key.reader.api_key)",
      ],
      [
        "a whole storage account, keys included",
        "${jsonencode(azurerm_storage_account.legacy)}",
        "a secret attribute (azurerm_storage_account.legacy)",
      ],
      [
        "an App Configuration read key's connection string",
        "${azurerm_app_configuration.config.primary_read_key[0].connection_string}",
        "a secret attribute (azurerm_app_configuration.config.primary_read_key[0].connection_string)",
      ],
      [
        "an Event Hubs namespace's alias connection string",
        "${azurerm_eventhub_namespace.hub.default_primary_connection_string_alias}",
        "a secret attribute (azurerm_eventhub_namespace.hub.default_primary_connection_string_alias)",
      ],
      [
        "a language service's search key",
        "${azurerm_cognitive_account.language.custom_question_answering_search_service_key}",
        "a secret attribute (azurerm_cognitive_account.language.custom_question_answering_search_service_key)",
      ],
      [
        "an Application Insights connection string of a component that accepts keys",
        "${azurerm_application_insights.keyed.connection_string}",
        "a secret attribute (azurerm_application_insights.keyed.connection_string)",
      ],
    ] as const
  ).map(([name, value, what]): Bypass => ({
    name,
    build: (s) => settingsApp(s, { ENDPOINT: value }),
    error: new RegExp(
      `IG019 secret-in-output at azurerm_linux_web_app\\.settings: .*app_settings\\.ENDPOINT \\(${escapeRegExp(what)}\\)`,
    ),
  })),
  ...(
    [
      ["a literal password dressed as a Key Vault reference", "@Microsoft.KeyVault(hunter2-but-longer)"],
      ["a Key Vault reference followed by a secret", "@Microsoft.KeyVault(VaultName=orders-kv;SecretName=db) hunter2"],
      [
        "a Key Vault reference with a smuggled parameter",
        "@Microsoft.KeyVault(SecretUri=https://orders-kv.vault.azure.net/secrets/db/;Password=hunter2)",
      ],
      [
        "a Key Vault reference to a host that is no vault",
        "@Microsoft.KeyVault(SecretUri=https://evil.example.com/secrets/db/)",
      ],
      ["a Key Vault reference that names no secret", "@Microsoft.KeyVault(VaultName=orders-kv)"],
    ] as const
  ).map(([name, value]): Bypass => ({
    name,
    build: (s) => settingsApp(s, { DB_PASSWORD: value }),
    error:
      /IG019 secret-in-output at azurerm_linux_web_app\.settings: .*app_settings\.DB_PASSWORD \(a value that looks like a Key Vault reference but is none, so it is used as written\)/,
  })),
  {
    name: "a connection string block that only starts like a Key Vault reference",
    build: (s) =>
      settingsApp(s, {}).addOverride("connection_string", [
        { name: "Db", type: "SQLAzure", value: "@Microsoft.KeyVault(VaultName=orders-kv)Server=tcp:db;Pwd=hunter2" },
      ]),
    error:
      /IG019 secret-in-output at azurerm_linux_web_app\.settings: .*connection_string\.Db \(a connection string not from Key Vault\)/,
  },
];

describe("every known bypass of the access policy", () => {
  const tempDir = tempDirs("bypasses-");
  const synthesize = (environment: string, build: (stack: Construct) => void) => {
    const app = new App({ outdir: tempDir(), stackTraces: false });
    build(new AzureStack(app, environment, settings(environment), environment));
    app.synth();
    return app;
  };

  it.each(BYPASSES)("fails the prod synth: $name", ({ build, error }) => {
    expect(() => synthesize("prod", build)).toThrow(error);
  });

  it("only warns in dev, and reports each one", () => {
    const app = synthesize("dev", (stack) => {
      for (const [i, bypass] of BYPASSES.entries()) bypass.build(new Construct(stack, `case-${i}`));
    });
    const report = JSON.parse(readFileSync(join(app.outdir, "stacks", "dev", "guardrails.json"), "utf8"));
    const raised = new Set(
      report.findings
        .filter((f: { severity: string }) => f.severity === "warning")
        .map((f: { ruleId: string }) => f.ruleId),
    );
    // Besides the rules above: the cases' side effects (the same user granted twice, the overridden
    // workload's identity left with nothing, hand-written grants to identities nothing uses).
    expect([...raised].sort()).toEqual([
      "IG001",
      "IG003",
      "IG008",
      "IG009",
      "IG012",
      "IG013",
      "IG014",
      "IG019",
      "IG021",
      "IG022",
    ]);
    expect(report.findings.filter((f: { severity: string }) => f.severity !== "warning")).toEqual([]);
  });

  it("warns, even in prod, that a module's assignments are not analysed", () => {
    const app = synthesize("prod", (stack) =>
      TerraformStack.of(stack).addOverride("module.network", { source: "./modules/network" }),
    );
    const report = JSON.parse(readFileSync(join(app.outdir, "stacks", "prod", "guardrails.json"), "utf8"));
    expect(report.findings).toEqual([
      expect.objectContaining({
        ruleId: "IG023",
        severity: "warning",
        address: "module.network",
        message: "module.network (./modules/network) is a module: its role assignments are not analysed",
      }),
    ]);
  });

  it("reads resources written in Terraform's list form of JSON", () => {
    const owner = {
      scope: `/subscriptions/${SUB}`,
      role_definition_id: roleId(Roles.Owner.guid),
      principal_id: USER,
      principal_type: "User",
      name: "3d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
    };
    expect(() =>
      synthesize("prod", (stack) =>
        TerraformStack.of(stack).addOverride("resource", [{ azurerm_role_assignment: { listed: owner } }]),
      ),
    ).toThrow(/IG001 privileged-role at azurerm_role_assignment\.listed: privileged role Owner/);
  });

  it("does not read a scope segment whose referenced name would reshape the id", () => {
    expect(() =>
      synthesize("prod", (stack) => {
        anyResource(stack, "azurerm_resource_group", "dots", { name: "../../../..", location: "westeurope" });
        raw(stack, "dotted", {
          scope: `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.KeyVault/vaults/\${azurerm_resource_group.dots.name}`,
        });
      }),
    ).toThrow(/IG022 unverifiable-assignment at azurerm_role_assignment\.dotted/);
  });

  it("refuses a synthesis hook that writes a Terraform file beside the stack, which the guardrails never read", () => {
    expect(() =>
      synthesize("prod", (stack) =>
        onStackSynthesis(new Construct(stack, "extra"), () => ({ "zz-extra.tf.json": "{}" })),
      ),
    ).toThrow("[prod/extra] A synthesis hook may not write zz-extra.tf.json: Terraform would load it unchecked");
  });
});

/**
 * Ways to make IG030 believe a granted compute reaches a target that refuses it: each leaves
 * orders-web (integrated with the apps subnet) with no real path to its Azure SQL server.
 */
describe("IG030 is not fooled by a path that does not carry the compute's traffic", () => {
  const tempDir = tempDirs("network-bypasses-");
  const unreachable = (attempt: (stack: TerraformStack, e: SqlEstate) => void, message: RegExp) => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true, server: { publicNetworkAccessEnabled: false } });
    attempt(stack, e);
    const found = findings(stack, "IG030");
    expect(found.map((f) => f.message)).toEqual([expect.stringMatching(message)]);
  };
  const dns = (e: SqlEstate) => ({ virtualNetworkId: e.vnet.id });

  it("a private endpoint to another server", () =>
    unreachable((s, e) => {
      const other = new MssqlServer(s, "other", { ...inRg, name: "other-sql", version: "12.0", ...ENTRA_ONLY });
      NetworkPath.privateEndpoint(s, "p", { target: SqlServerTarget.of(other), subnet: e.endpoints, dns: dns(e) });
    }, /public network access is disabled.*no private endpoint or network rule admits the compute/));

  it("a private endpoint to the server in another virtual network", () =>
    unreachable((s, e) => {
      const elsewhere = network(s, "hub", "10.9.0.0/16");
      const far = subnet(s, elsewhere, "far", "10.9.1.0/24");
      NetworkPath.privateEndpoint(s, "p", { target: e.target, subnet: far, dns: { virtualNetworkId: elsewhere.id } });
    }, /private endpoint azurerm_private_endpoint\.p_endpoint_[0-9A-F]+ is in another virtual network/));

  it("a private endpoint to the server's wrong sub-resource", () =>
    unreachable(
      (s, e) => endpointTo(s, "p", e.server.id, e.endpoints.id, "sqlOnDemand"),
      /connects to sqlondemand, not sqlServer/,
    ));

  it("a private endpoint that is never created (count = 0)", () =>
    unreachable((s, e) => {
      endpointTo(s, "p", e.server.id, e.endpoints.id, "sqlServer").addOverride("count", 0);
    }, /no private endpoint or network rule admits the compute/));

  it("a private endpoint waiting for manual approval", () =>
    unreachable((s, e) => {
      endpointTo(s, "p", e.server.id, e.endpoints.id, "sqlServer").addOverride(
        "private_service_connection.is_manual_connection",
        true,
      );
    }, /no private endpoint or network rule admits the compute/));

  it("a private endpoint whose target is a variable", () =>
    unreachable((s, e) => {
      const id = new TerraformVariable(s, "server_id", { type: "string" });
      endpointTo(s, "p", id.stringValue, e.endpoints.id, "sqlServer");
    }, /no private endpoint or network rule admits the compute/));

  it("a private endpoint to the server in a subnet only Terraform knows", () =>
    unreachable((s, e) => {
      const id = new TerraformVariable(s, "subnet_id", { type: "string" });
      endpointTo(s, "p", e.server.id, id.stringValue, "sqlServer");
    }, /private endpoint azurerm_private_endpoint\.p is in a subnet only Terraform knows/));

  it("a private endpoint whose DNS zone is linked to another network only", () =>
    unreachable((s, e) => {
      const elsewhere = network(s, "hub", "10.9.0.0/16");
      NetworkPath.privateEndpoint(s, "p", {
        target: e.target,
        subnet: e.endpoints,
        dns: { virtualNetworkId: elsewhere.id },
      });
    }, /the DNS zone of private endpoint .* is not privatelink\.database\.windows\.net linked to its virtual network/));

  it("a virtual network rule for another subnet, with public access on", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true });
    const vms = subnet(stack, e.vnet, "vms", "10.0.1.0/24");
    NetworkPath.virtualNetworkRule(stack, "r", { target: e.target, subnet: vms });
    expect(findings(stack, "IG030").map((f) => f.message)).toEqual([
      expect.stringMatching(/its network rule admits azurerm_subnet\.vms, which the compute is not in/),
    ]);
  });

  it("a virtual network rule for the compute's subnet while public access is off", () =>
    unreachable((s, e) => {
      new MssqlVirtualNetworkRule(s, "r", { name: "apps", serverId: e.server.id, subnetId: e.apps.id });
    }, /public network access is disabled/));

  it("a virtual network rule for a subnet without the Microsoft.Sql service endpoint", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true });
    new MssqlVirtualNetworkRule(stack, "r", {
      name: "apps",
      serverId: e.server.id,
      subnetId: e.apps.id,
      ignoreMissingVnetServiceEndpoint: true,
    });
    expect(findings(stack, "IG030").map((f) => f.message)).toEqual([
      expect.stringMatching(/admits azurerm_subnet\.apps, which has no Microsoft\.Sql service endpoint/),
    ]);
  });

  it("a firewall rule for the compute's private address range", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true });
    new MssqlFirewallRule(stack, "fw", {
      name: "apps",
      serverId: e.server.id,
      startIpAddress: "10.0.2.0",
      endIpAddress: "10.0.2.63",
    });
    expect(findings(stack, "IG030").map((f) => f.message)).toEqual([
      expect.stringMatching(/its IP rules name addresses the stack does not tie to this compute/),
    ]);
  });

  it("the 'allow Azure services' rule written by hand in a production stack", () => {
    const stack = new AzureStack(new App({ outdir: tempDir() }), "prod", settings("prod"), "prod");
    const e = sqlEstate(stack);
    azureServicesRule(stack, e.server);
    expect(findings(stack, "IG030").map((f) => `${f.address}: ${f.message}`)).toEqual([
      expect.stringMatching(
        /^azurerm_mssql_firewall_rule\.azure: .*admits connections from every Azure tenant's resources/,
      ),
    ]);
  });

  it("a private endpoint in a subnet of a same-named network in another resource group", () =>
    unreachable((s, e) => {
      const elsewhere = new Subnet(s, "elsewhere", {
        name: "endpoints",
        resourceGroupName: "other-rg",
        virtualNetworkName: e.vnet.name,
        addressPrefixes: ["10.0.9.0/27"],
      });
      endpointTo(s, "p", e.server.id, elsewhere.id, "sqlServer");
    }, /private endpoint azurerm_private_endpoint\.p is in another virtual network/));

  it("a private endpoint whose DNS zone, given by id, is another zone of a look-alike name", () =>
    unreachable((s, e) => {
      endpointTo(s, "p", e.server.id, e.endpoints.id, "sqlServer").addOverride("private_dns_zone_group", {
        name: "zones",
        private_dns_zone_ids: [
          `/subscriptions/${SUB}/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/privatelink.database.windows.net.evil`,
        ],
      });
    }, /the DNS zone of private endpoint azurerm_private_endpoint\.p is not privatelink\.database\.windows\.net/));

  it("a private endpoint whose zone's link, by the zone's name, is in another resource group", () =>
    unreachable((s, e) => {
      const zone = new PrivateDnsZone(s, "zone", {
        name: "privatelink.database.windows.net",
        resourceGroupName: "app-rg",
      });
      new PrivateDnsZoneVirtualNetworkLink(s, "link", {
        name: "apps-link",
        resourceGroupName: "other-rg",
        privateDnsZoneName: zone.name,
        virtualNetworkId: e.vnet.id,
      });
      endpointTo(s, "p", e.server.id, e.endpoints.id, "sqlServer").addOverride("private_dns_zone_group", {
        name: "zones",
        private_dns_zone_ids: [zone.id],
      });
    }, /the DNS zone of private endpoint azurerm_private_endpoint\.p is not privatelink\.database\.windows\.net/));

  it("a private endpoint whose connection is a list of two", () =>
    unreachable((s, e) => {
      const connection = (resource: string) => ({
        name: "c",
        private_connection_resource_id: resource,
        subresource_names: ["sqlServer"],
        is_manual_connection: false,
      });
      endpointTo(s, "p", e.server.id, e.endpoints.id, "sqlServer").addOverride("private_service_connection", [
        connection(e.server.id),
        connection(`/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.Sql/servers/other-sql`),
      ]);
    }, /no private endpoint or network rule admits the compute/));

  it('public network access off as the string "false", which Terraform reads as false', () => {
    const stack = testStack();
    const e = sqlEstate(stack, { integrate: true, apps: { serviceEndpoints: ["Microsoft.Sql"] } });
    e.server.addOverride("public_network_access_enabled", "false");
    new MssqlVirtualNetworkRule(stack, "r", { name: "apps", serverId: e.server.id, subnetId: e.apps.id });
    expect(findings(stack, "IG030").map((f) => f.message)).toEqual([
      expect.stringMatching(/its public network access is disabled/),
    ]);
  });

  it("(no false alarm) an App Service integrated through a swift connection reaches the private endpoint", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { server: { publicNetworkAccessEnabled: false } });
    new AppServiceVirtualNetworkSwiftConnection(stack, "swift", { appServiceId: e.app.id, subnetId: e.apps.id });
    NetworkPath.privateEndpoint(stack, "p", { target: e.target, subnet: e.endpoints, dns: dns(e) });
    expect(findings(stack, "IG030")).toEqual([]);
    const unintegrated = testStack();
    const u = sqlEstate(unintegrated, { server: { publicNetworkAccessEnabled: false } });
    NetworkPath.privateEndpoint(unintegrated, "p", { target: u.target, subnet: u.endpoints, dns: dns(u) });
    expect(findings(unintegrated, "IG030").map((f) => f.message)).toEqual([
      expect.stringMatching(/the compute is in no virtual network/),
    ]);
  });

  it("an App Service integrated with a subnet of another network", () => {
    const stack = testStack();
    const e = sqlEstate(stack, { server: { publicNetworkAccessEnabled: false } });
    const elsewhere = network(stack, "hub", "10.9.0.0/16");
    e.app.virtualNetworkSubnetId = subnet(stack, elsewhere, "far", "10.9.1.0/24").id;
    NetworkPath.privateEndpoint(stack, "p", { target: e.target, subnet: e.endpoints, dns: dns(e) });
    expect(findings(stack, "IG030").map((f) => f.message)).toEqual([
      expect.stringMatching(/is in another virtual network/),
    ]);
  });
});

describe("Terraform references compare exactly, Azure ids and GUIDs in any case", () => {
  const GROUP = "5d1c7e2a-9f3b-4c6d-8e1a-2b3c4d5e6f70";
  const holderRef = "${azurerm_user_assigned_identity.deployer.principal_id}";
  /** The deployer identity `deployer` (and `Deployer`, another resource), hand-written. */
  const identities = (s: TerraformStack) => {
    for (const id of ["deployer", "Deployer"])
      anyResource(s, "azurerm_user_assigned_identity", id, { name: `${id}-case-id`, ...tfRg });
  };
  /** The portal's condition for `holder`, with its excluded principal written as `excluded`. */
  const excluding = (holder: string, excluded: string) =>
    onlyAssignRoles(holder, [Roles.AcrPull]).expression.split(`{${holder}}`).join(`{${excluded}}`);
  const ig001 = (s: TerraformStack) => findings(s, "IG001").map((f) => f.message);

  it.each([
    ["the holder's reference escaped into literal text ($${...})", holderRef, "$" + holderRef],
    [
      "another resource, differing in case and padded with spaces",
      holderRef,
      " ${ azurerm_user_assigned_identity.Deployer.principal_id } ",
    ],
    [
      "the resource of the same name, while the holder is read by a data source",
      "${data.azurerm_user_assigned_identity.deployer.principal_id}",
      holderRef,
    ],
    [
      "the data source of the same name, while the holder is the resource",
      holderRef,
      "${data.azurerm_user_assigned_identity.deployer.principal_id}",
    ],
    ["the holder's client id", holderRef, "${azurerm_user_assigned_identity.deployer.client_id}"],
    ["the holder's reference inside a larger template", holderRef, `${holderRef}0`],
    [
      "another identity's system-assigned principal by index",
      "${azurerm_linux_web_app.app.identity[0].principal_id}",
      "${azurerm_linux_web_app.App.identity[0].principal_id}",
    ],
    [
      "another identity's system-assigned principal by legacy index",
      "${azurerm_linux_web_app.app.identity[0].principal_id}",
      "${azurerm_linux_web_app.App.identity.0.principal_id}",
    ],
  ])("refuses RBAC Administrator whose condition excludes %s", (_what, holder, excluded) => {
    const s = testStack();
    identities(s);
    const read = new TerraformDataSource(s, "read-deployer", {
      terraformResourceType: "azurerm_user_assigned_identity",
      terraformGeneratorMetadata: { providerName: "azurerm" },
    });
    read.overrideLogicalId("deployer");
    read.addOverride("name", "deployer-case-id");
    read.addOverride("resource_group_name", "app-rg");
    rbacAdminOf(s, holder, (h) => excluding(h, excluded));
    // The escaped form is no value Azure could compare: the condition does not even parse.
    expect(ig001(s)).toEqual([
      expect.stringMatching(
        /writes may name the holder itself|the condition cannot be parsed \(unexpected character '\$'/,
      ),
    ]);
  });

  it("accepts RBAC Administrator whose condition excludes its literal GUID in another case, or its exact reference", () => {
    for (const [holder, excluded] of [
      [USER.toUpperCase(), USER],
      [holderRef, holderRef],
    ]) {
      const s = testStack();
      identities(s);
      rbacAdminOf(s, holder, (h) => excluding(h, excluded));
      expect(ig001(s)).toEqual([]);
    }
  });

  /** Two Key Vault Secrets User assignments for one identity, on the vaults written as `scopes`. */
  const twice = (s: TerraformStack, scopes: readonly string[]) => {
    // Two vaults (Azure names are case-insensitive, so they differ in more than case) whose
    // Terraform addresses differ only in case.
    for (const id of ["kv", "KV"])
      anyResource(s, "azurerm_key_vault", id, { name: id === "kv" ? "kv-case-kv" : "kv-other-kv", ...tfRg });
    for (const [i, scope] of scopes.entries()) raw(s, `grant-${i}`, { scope, principalId: holderRef });
  };

  it("IG008 finds one vault written as its literal id and as its resource's id, in another case too", () => {
    const s = testStack();
    new AzurermProvider(s, "azurerm", { features: [{}], subscriptionId: SUB });
    twice(s, [
      "${azurerm_key_vault.kv.id}",
      `/subscriptions/${SUB}/resourceGroups/APP-RG/providers/Microsoft.KeyVault/vaults/KV-CASE-KV`,
    ]);
    expect(findings(s, "IG008").map((f) => f.address)).toEqual(["azurerm_role_assignment.grant-1"]);
  });

  it("IG008 keeps two vaults apart whose resources differ only in case", () => {
    const s = testStack();
    twice(s, ["${azurerm_key_vault.kv.id}", "${azurerm_key_vault.KV.id}"]);
    expect(findings(s, "IG008")).toEqual([]);
  });

  it("IG025 does not count a workload's role on `KV` for the developers' on `kv`", () => {
    const s = testStack("developers", NON_PRODUCTION);
    new DeveloperAccess(s, "developers", { groupObjectId: GROUP, estate: [] });
    // Two vaults (Azure names are case-insensitive, so they differ in more than case) whose
    // Terraform addresses differ only in case.
    for (const id of ["kv", "KV"])
      anyResource(s, "azurerm_key_vault", id, { name: id === "kv" ? "kv-case-kv" : "kv-other-kv", ...tfRg });
    raw(s, "workload", { scope: "${azurerm_key_vault.KV.id}" });
    raw(s, "people", { scope: "${azurerm_key_vault.kv.id}", principalId: GROUP, principalType: "Group" });
    expect(findings(s, "IG025").map((f) => f.address)).toEqual(["azurerm_role_assignment.people"]);
  });

  it("refuses a queue of account `Acct` as a queue of account `acct`", () => {
    const s = testStack();
    const [mine, theirs] = ["acct", "Acct"].map(
      (id) =>
        new StorageAccount(s, id, {
          ...inRg,
          name: `${id.toLowerCase()}${id === "acct" ? "mine" : "theirs"}`,
          accountTier: "Standard",
          accountReplicationType: "LRS",
        }),
    );
    const queue = new StorageQueue(s, "their-queue", { name: "jobs", storageAccountId: theirs.id });
    expect(() => StorageAccountTarget.of(mine).queue(queue)).toThrow(
      '[test/their-queue] storage queue does not belong to storage account acctmine: "${azurerm_storage_account.Acct.id}"',
    );
  });

  it("IG024 does not count a cluster's use of subnet `Nodes` for Network Contributor on `nodes`", () => {
    for (const [used, held, found] of [
      ["Nodes", "nodes", ["azurerm_role_assignment.network"]],
      ["nodes", "nodes", []],
    ] as const) {
      const s = testStack();
      anyResource(s, "azurerm_user_assigned_identity", "cp", { name: "cp-id", ...tfRg });
      for (const id of ["nodes", "Nodes"])
        anyResource(s, "azurerm_subnet", id, {
          name: `${id}-case`,
          resource_group_name: "app-rg",
          virtual_network_name: "vnet",
          address_prefixes: ["10.1.0.0/24"],
        });
      anyResource(s, "azurerm_kubernetes_cluster", "aks", {
        ...tfRg,
        name: "aks",
        dns_prefix: "aks",
        identity: { type: "UserAssigned", identity_ids: ["${azurerm_user_assigned_identity.cp.id}"] },
        default_node_pool: {
          name: "system",
          vm_size: "Standard_D4ds_v5",
          node_count: 2,
          vnet_subnet_id: `\${azurerm_subnet.${used}.id}`,
        },
      });
      raw(s, "network", {
        scope: `\${azurerm_subnet.${held}.id}`,
        roleDefinitionId: roleId(Roles.NetworkContributor.guid),
        principalId: "${azurerm_user_assigned_identity.cp.principal_id}",
      });
      expect(findings(s, "IG024").map((f) => f.address)).toEqual(found);
    }
  });
});
