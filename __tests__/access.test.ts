import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import {
  AppServiceCompute,
  buildAccessReport,
  diffAccess,
  UserAssignedIdentity,
  FederatedTrust,
  Identity,
  KeyVaultTarget,
  onlyAssignRoles,
  RoleDefinition,
  AzureRoleDefinition,
  Roles,
  ScopeTarget,
  StorageAccountTarget,
  UserAssignedIdentityProps,
  WorkloadIdentity,
} from "../constructs";
import { renderAccessReport } from "../constructs/reports";
import { GITHUB_ACTIONS_ISSUER } from "../constructs/azure";
import { ENVIRONMENTS } from "../stacks/environment-settings";
import { EnvironmentStack } from "../stacks/environment-stack";
import { main as accessDiff } from "../tools/access-diff";
import { inRg, SUBSCRIPTION, tempDirs, testStack, vaultId, writeSynthFolder } from "./helpers";

const accountId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/acct`;

interface Variant {
  docsRole?: "reader" | "contributor-on-account";
  extraQueueGrant?: boolean;
  dropOrdersGrant?: boolean;
  renameDocsConstruct?: boolean;
  pinDocsAddress?: boolean;
  dropDocs?: boolean;
  privileged?: boolean;
  trust?: boolean;
  /** An override that moves the orders grant to a user. */
  ordersToUser?: boolean;
  /** The docs identity may assign these roles on the account, under onlyAssignRoles. */
  delegates?: readonly AzureRoleDefinition[];
}

/** A small estate, varied the way pull requests vary it. */
function estate(v: Variant = {}): TerraformStack {
  const stack = testStack("dev");
  const vault = KeyVaultTarget.fromId(stack, vaultId());
  const account = StorageAccountTarget.fromId(stack, accountId);
  const app = (name: string) =>
    new LinuxWebApp(stack, `${name}-app`, { ...inRg, name, servicePlanId: "/plan", siteConfig: {} });
  const orders = new WorkloadIdentity(stack, "orders", {
    identity: Identity.systemAssigned(),
    compute: [AppServiceCompute.linuxWebApp(app("orders"))],
    grants: v.dropOrdersGrant ? [] : [vault.allow(Roles.KeyVaultSecretsUser, "reads secrets")],
  });
  if (v.ordersToUser) {
    orders.grants[0].assignment!.addOverride("principal_type", "User");
    orders.grants[0].assignment!.addOverride("principal_id", "0f0f0f0f-0000-4000-8000-0000000000a1");
  }
  if (v.dropDocs) return stack;
  const identity: UserAssignedIdentityProps = {
    name: "docs-id",
    ...inRg,
    ...(v.pinDocsAddress ? { logicalId: "docs-id" } : {}),
  };
  const docs = new WorkloadIdentity(stack, v.renameDocsConstruct ? "documents" : "docs", {
    identity: Identity.newUserAssigned(identity),
    compute: [AppServiceCompute.linuxWebApp(app("docs"))],
    grants: [
      v.docsRole === "contributor-on-account"
        ? account.allow(Roles.StorageBlobDataContributor, "writes documents")
        : account.container("docs").allow(Roles.StorageBlobDataReader, "reads documents"),
      ...(v.extraQueueGrant ? [account.queue("jobs").allow(Roles.StorageQueueDataMessageSender, "queues jobs")] : []),
      ...(v.privileged
        ? [
            ScopeTarget.fromId(stack, `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg`).allow(
              Roles.Contributor,
              "rebuilds",
              { justification: "nightly rebuild of the data resource group" },
            ),
          ]
        : []),
    ],
  });
  if (v.delegates) {
    const holder = docs.userAssigned!;
    ScopeTarget.fromId(stack, accountId).grant(holder, Roles.RoleBasedAccessControlAdministrator, {
      reason: "hands out access to the account",
      condition: onlyAssignRoles(holder, v.delegates),
    });
  }
  if (v.trust)
    new FederatedTrust(stack, "ci", {
      identity: docs.userAssigned!,
      issuer: GITHUB_ACTIONS_ISSUER,
      subject: "repo:contoso/docs:environment:dev",
      name: "github-dev",
    });
  return stack;
}

const tempDir = tempDirs("access-diff-");

/** A synth output folder holding the stack as `cdktf synth` writes it. */
const synthFolder = (stack: TerraformStack): string => writeSynthFolder(tempDir(), stack.toTerraform());
const diff = (base: Variant, head: Variant, ...flags: string[]) =>
  accessDiff([synthFolder(estate(base)), synthFolder(estate(head)), ...flags]);

describe("access report", () => {
  it("lists each identity with its attachments and trusts, and each grant with role, GUID, scope level and reason", () => {
    const report = buildAccessReport("dev", estate({ trust: true, privileged: true }).toTerraform());
    expect(
      report.identities.map((i) => [i.name, i.kind, i.attachedTo, i.federatedTrusts.map((t) => t.subject)]),
    ).toEqual([
      ["orders", "SystemAssigned", ["azurerm_linux_web_app orders"], []],
      ["docs-id", "UserAssigned", ["azurerm_linux_web_app docs"], ["repo:contoso/docs:environment:dev"]],
    ]);
    expect(
      report.grants.map((g) => [g.role, g.roleGuid, g.target, g.scopeLevel, g.suppressions.map((s) => s.ruleId)]),
    ).toEqual([
      ["Key Vault Secrets User", Roles.KeyVaultSecretsUser.guid, "Key Vault app-kv", "resource", []],
      ["Storage Blob Data Reader", Roles.StorageBlobDataReader.guid, "blob container docs of acct", "resource", []],
      [
        "Contributor",
        Roles.Contributor.guid,
        "resourceGroup data-rg (/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/data-rg)",
        "resourceGroup",
        ["IG001", "IG003"],
      ],
    ]);
  });

  it("says, per conditioned grant, what its condition lets it assign, and to whom", () => {
    const report = buildAccessReport(
      "dev",
      estate({ delegates: [Roles.StorageBlobDataReader, Roles.AcrPull] }).toTerraform(),
    );
    const admin = report.grants.find((g) => g.role === Roles.RoleBasedAccessControlAdministrator.name)!;
    expect(admin).toMatchObject({
      conditionLimits: true,
      principalKind: "UserAssigned",
      conditionAllows: {
        parsed: true,
        assign: {
          roles: { kind: "only", values: ["AcrPull", "Storage Blob Data Reader"] },
          principalTypes: { kind: "only", values: ["ServicePrincipal"] },
          principalIds: {
            kind: "anyExcept",
            values: ["${azurerm_user_assigned_identity.docs_identity_48D272C2.principal_id}"],
          },
        },
        remove: {
          roles: { kind: "only", values: ["AcrPull", "Storage Blob Data Reader"] },
          principalTypes: { kind: "only", values: ["ServicePrincipal"] },
          principalIds: { kind: "any" },
        },
      },
    });
    expect(renderAccessReport(report)).toContain(
      "condition: may assign AcrPull, Storage Blob Data Reader to ServicePrincipal, never to ${azurerm_user_assigned_identity.docs_identity_48D272C2.principal_id}",
    );
  });

  it("names who holds each grant: a managed identity of the estate, or a user it cannot vouch for", () => {
    const kinds = (v: Variant) =>
      buildAccessReport("dev", estate(v).toTerraform()).grants.map((g) => [g.role, g.principalKind]);
    expect(kinds({})).toEqual([
      ["Key Vault Secrets User", "SystemAssigned"],
      ["Storage Blob Data Reader", "UserAssigned"],
    ]);
    expect(kinds({ ordersToUser: true })[0]).toEqual(["Key Vault Secrets User", "User"]);
  });

  it("resolves references to the resources they name", () => {
    const json = JSON.parse(Testing.synth(new EnvironmentStack(Testing.app(), ENVIRONMENTS[0])));
    json.locals = { guardrail_suppressions: [] };
    const targets = buildAccessReport("dev", json).grants.map((g) => g.target);
    expect(targets).toEqual(
      expect.arrayContaining([
        "Key Vault contoso-dev-kv",
        "storage queue jobs of contosodevdata",
        "Service Bus queue orders of contoso-dev-bus",
      ]),
    );
  });

  it("gives each identity and scope the Azure id built from its names, for verify to read", () => {
    const json = JSON.parse(Testing.synth(new EnvironmentStack(Testing.app(), ENVIRONMENTS[0])));
    const report = buildAccessReport("dev", json);
    const rg = `/subscriptions/${ENVIRONMENTS[0].subscriptionId}/resourceGroups/contoso-dev-rg/providers`;
    expect(report.subscriptionId).toBe(ENVIRONMENTS[0].subscriptionId);
    const ids = new Map(report.identities.map((i) => [i.name, i.resourceId]));
    expect(ids.get("contoso-dev-orders-web")).toBe(`${rg}/Microsoft.Web/sites/contoso-dev-orders-web`);
    expect(ids.get("contoso-dev-jobs-id")).toBe(
      `${rg}/Microsoft.ManagedIdentity/userAssignedIdentities/contoso-dev-jobs-id`,
    );
    const scopes = new Map(report.grants.map((g) => [g.target, g.scopeId]));
    expect(scopes.get("storage queue jobs of contosodevdata")).toBe(
      `${rg}/Microsoft.Storage/storageAccounts/contosodevdata/queueServices/default/queues/jobs`,
    );
    expect(scopes.get("subnet compute")).toBe(
      `${rg}/Microsoft.Network/virtualNetworks/contoso-dev-vnet/subnets/compute`,
    );
    expect(scopes.get("container registry contosoplatform")).toBe(ENVIRONMENTS[0].sharedRegistryId);
    expect(report.grants.every((g) => g.scopeId !== undefined && g.access === "workload")).toBe(true);
  });

  it("leaves the Azure id out where a name is known only to Terraform, and puts a slot's under its app", () => {
    const site = (name: string) => ({ name, resource_group_name: "app-rg", identity: [{ type: "SystemAssigned" }] });
    const slot = (app: string) => ({
      name: "blue",
      app_service_id: `\${azurerm_linux_web_app.${app}.id}`,
      identity: [{ type: "SystemAssigned" }],
    });
    const report = buildAccessReport("dev", {
      provider: { azurerm: [{ subscription_id: SUBSCRIPTION }] },
      resource: {
        azurerm_linux_web_app: { unnamed: site("${var.app_name}"), named: site("named") },
        azurerm_linux_web_app_slot: { unnamed_slot: slot("unnamed"), named_slot: slot("named") },
        azurerm_user_assigned_identity: {
          other: { name: "other", resource_group_name: "rg", provider: "azurerm.other" },
        },
      },
    });
    const ids = Object.fromEntries(report.identities.map((i) => [i.key.split(/[.#]/)[1], i.resourceId]));
    const sites = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/sites`;
    expect(ids).toEqual({
      unnamed: undefined,
      unnamed_slot: undefined,
      named: `${sites}/named`,
      named_slot: `${sites}/named/slots/blue`,
      other: undefined,
    });
  });

  it("is written beside each environment stack on synth (snapshot of dev)", () => {
    const stack = new EnvironmentStack(Testing.app(), ENVIRONMENTS[0]);
    expect(renderAccessReport(buildAccessReport("dev", stack.toTerraform()))).toMatchSnapshot();
  });
});

describe("access diff", () => {
  it("says there is no change between identical outputs, and exits 0", () => {
    const result = diff({}, {});
    expect(result).toEqual({ code: 0, output: expect.stringContaining("No access changes in dev.") });
  });

  it("lists added and removed grants without calling them broadening", () => {
    const result = diff({}, { extraQueueGrant: true, dropOrdersGrant: true });
    expect(result.code).toBe(0);
    expect(result.output).toContain(
      "| added | docs-id | Storage Queue Data Message Sender | storage queue jobs of acct |  |",
    );
    expect(result.output).toContain("| removed | orders | Key Vault Secrets User | Key Vault app-kv |  |");
  });

  it("labels a broader role on a broader scope, exits 1, and 0 with --allow-broadening", () => {
    const result = diff({}, { docsRole: "contributor-on-account" });
    expect(result.code).toBe(1);
    expect(result.output).toMatchSnapshot();
    expect(diff({}, { docsRole: "contributor-on-account" }, "--allow-broadening").code).toBe(0);
  });

  it("labels a new privileged role and a new federated trust", () => {
    const result = diff({}, { privileged: true, trust: true });
    expect(result.code).toBe(1);
    expect(result.output).toContain("**new privileged role**, **broader scope**");
    expect(result.output).toContain(
      "Federated trust added: docs-id trusts `repo:contoso/docs:environment:dev` from https://token.actions.githubusercontent.com (**new federated trust**)",
    );
  });

  it("labels a grant moved to a user as a principal outside the estate, and exits 1", () => {
    const result = diff({}, { ordersToUser: true });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "| added | 0f0f0f0f-0000-4000-8000-0000000000a1 | Key Vault Secrets User | Key Vault app-kv | **principal outside the estate**, **other principal** |",
    );
    expect(result.output).toContain("| removed | orders | Key Vault Secrets User | Key Vault app-kv |  |");
  });

  it("labels a condition that now allows another role as a wider condition, naming the role, and exits 1", () => {
    const result = diff({ delegates: [Roles.AcrPull] }, { delegates: [Roles.AcrPull, Roles.StorageBlobDataOwner] });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "| changed | docs-id | Role Based Access Control Administrator | storage account acct | **wider condition**: may assign Storage Blob Data Owner; may remove Storage Blob Data Owner |",
    );
    expect(diff({ delegates: [Roles.AcrPull, Roles.StorageBlobDataOwner] }, { delegates: [Roles.AcrPull] }).code).toBe(
      0,
    );
  });

  it("treats a condition on Owner as no limit, and a swap to a role with permissions the old one lacks as broader", () => {
    const stack = (role: RoleDefinition) => {
      const s = testStack("dev");
      const holder = new UserAssignedIdentity(s, "ops", { name: "ops-id", ...inRg });
      ScopeTarget.fromId(s, vaultId()).grant(holder, role, {
        reason: "operates the vault",
        condition: onlyAssignRoles(holder, [Roles.KeyVaultSecretsUser]),
        justification: "the operator rotates every access policy of this vault",
      });
      return s;
    };
    const escalated = diffAccess(
      "dev",
      buildAccessReport("dev", stack(Roles.RoleBasedAccessControlAdministrator).toTerraform()),
      buildAccessReport("dev", stack(Roles.Owner).toTerraform()),
    );
    expect(escalated.grants.map((g) => [g.kind, g.broadening])).toEqual([["changed", ["broader role"]]]);
    const swap = diffAccess(
      "dev",
      buildAccessReport("dev", estate({}).toTerraform()),
      buildAccessReport("dev", estate({ docsRole: "contributor-on-account" }).toTerraform()),
    );
    expect(swap.broadens).toBe(true);
    const kv = (role: RoleDefinition) => {
      const s = testStack("dev");
      KeyVaultTarget.fromId(s, vaultId()).grant(
        new UserAssignedIdentity(s, "app", { name: "app-id", ...inRg }),
        role as RoleDefinition<"Key Vault">,
        { reason: "reads the vault" },
      );
      return buildAccessReport("dev", s.toTerraform());
    };
    expect(
      diffAccess("dev", kv(Roles.KeyVaultReader), kv(Roles.KeyVaultSecretsUser)).grants.map((g) => g.broadening),
    ).toEqual([["broader role"]]);
    expect(diffAccess("dev", kv(Roles.KeyVaultSecretsUser), kv(Roles.KeyVaultCryptoUser)).broadens).toBe(true);
  });

  it("flags an identity whose address disappears on a rename: it is replaced, and its grants with it", () => {
    const result = diff({}, { renameDocsConstruct: true });
    expect(result.output).toMatchSnapshot();
    expect(result.output).toMatch(
      /Identity replaced: docs-id \(`azurerm_user_assigned_identity\.docs_identity_[0-9A-F]+`\): its Terraform address changed to `azurerm_user_assigned_identity\.documents_identity_[0-9A-F]+`/,
    );
  });

  it("keeps an identity whose address is pinned through a rename", () => {
    expect(diff({ pinDocsAddress: true }, { pinDocsAddress: true, renameDocsConstruct: true }).output).not.toContain(
      "Identity replaced: docs-id",
    );
  });

  it("tells same-named slots of different apps apart, so a broadening in one is not hidden by the other", () => {
    const slots = (broaden: boolean) => {
      const stack = testStack("dev");
      const account = StorageAccountTarget.fromId(stack, accountId);
      for (const name of ["shop", "blog"]) {
        const web = new LinuxWebApp(stack, `${name}-app`, { ...inRg, name, servicePlanId: "/plan", siteConfig: {} });
        const slot = new LinuxWebAppSlot(stack, `${name}-staging`, {
          name: "staging",
          appServiceId: web.id,
          siteConfig: {},
        });
        const role = broaden && name === "blog" ? Roles.StorageBlobDataContributor : Roles.StorageBlobDataReader;
        new WorkloadIdentity(stack, name, {
          identity: Identity.systemAssigned(),
          compute: [AppServiceCompute.linuxWebApp(web, { slots: [slot] })],
          grants: [account.container(name).allow(role, "uses documents")],
        });
      }
      return synthFolder(stack);
    };
    const result = accessDiff([slots(false), slots(true)]);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "| changed | blog/staging | Storage Blob Data Reader → Storage Blob Data Contributor | blob container blog of acct | **broader role**: adds Microsoft.Storage/storageAccounts/blobServices/containers/delete,",
    );
  });

  it("flags a destroyed identity and the grants it held", () => {
    const result = diff({}, { dropDocs: true });
    expect(result.output).toContain("Identity destroyed: docs-id");
    expect(result.output).toContain(
      "| removed | docs-id | Storage Blob Data Reader | blob container docs of acct |  |",
    );
  });

  it("refuses unusable input with exit 2 and says which", () => {
    const good = synthFolder(estate());
    expect(accessDiff([good, "/does/not/exist"])).toEqual({
      code: 2,
      output: "access-diff: head folder /does/not/exist does not exist\n",
    });
    const empty = tempDir();
    expect(accessDiff([empty, good])).toEqual({
      code: 2,
      output: expect.stringContaining(`base folder ${empty} holds no synthesized stack`),
    });
    const broken = synthFolder(estate());
    writeFileSync(join(broken, "stacks", "dev", "cdk.tf.json"), "{ not json");
    expect(accessDiff([good, broken])).toEqual({
      code: 2,
      output: expect.stringMatching(/^access-diff: head stack: .*cdk\.tf\.json is not readable JSON: /),
    });
    expect(accessDiff([good]).code).toBe(2);
  });

  it("refuses a misspelt or unknown flag with exit 2, naming it, with the usage line, instead of ignoring it", () => {
    const [base, head] = [synthFolder(estate()), synthFolder(estate({ docsRole: "contributor-on-account" }))];
    const usage = "usage: npm run access-diff -- <base synth folder> <head synth folder> [--allow-broadening]\n";
    expect(accessDiff([base, head, "--allow-broadning"])).toEqual({
      code: 2,
      output: `access-diff: unknown flag --allow-broadning\n${usage}`,
    });
    expect(accessDiff(["--verbose", base, head])).toEqual({
      code: 2,
      output: `access-diff: unknown flag --verbose\n${usage}`,
    });
    expect(accessDiff([base, head, "-a"])).toEqual({ code: 2, output: `access-diff: unknown flag -a\n${usage}` });
    expect(accessDiff([base, head, "--allow-broadening=yes"])).toEqual({
      code: 2,
      output: expect.stringMatching(/^access-diff: Option '--allow-broadening' does not take an argument\nusage: /),
    });
    // The flag is still honoured wherever it stands.
    expect(accessDiff(["--allow-broadening", base, head]).code).toBe(0);
  });

  it("refuses anything but exactly two folders with exit 2 and the usage line", () => {
    const good = synthFolder(estate());
    expect(accessDiff([])).toEqual({
      code: 2,
      output: expect.stringMatching(/^access-diff: missing the base folder\nusage: npm run access-diff -- /),
    });
    expect(accessDiff([good, "--allow-broadening"])).toEqual({
      code: 2,
      output: expect.stringMatching(/^access-diff: missing the head folder\nusage: /),
    });
    expect(accessDiff([good, good, good])).toEqual({
      code: 2,
      output: expect.stringMatching(/^access-diff: expected two folders, got 3: .*\nusage: /),
    });
  });
});
