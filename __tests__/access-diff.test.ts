import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformHclModule, TerraformResource, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import {
  buildAccessReport,
  configureIdentityStack,
  diffAccess,
  GuardrailSuppressions,
  KeyVaultTarget,
  RoleDefinition,
  Roles,
  ScopeTarget,
  ServiceBusNamespaceTarget,
  SqlServerTarget,
  UserAssignedIdentity,
  AzureRoleDefinition,
  RolePermissions,
} from "../constructs";
import { allRoles, permissionsOutside, conditionImplies } from "../constructs/azure";
import { main as accessDiff } from "../tools/access-diff";
import {
  inRg,
  OTHER_SUBSCRIPTION,
  SUBSCRIPTION,
  TENANT,
  tempDirs,
  testStack,
  vaultId,
  writeSynthFolder,
} from "./helpers";

const tempDir = tempDirs("access-diff-permissions-");
const RG = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg`;
const accountId = `${RG}/providers/Microsoft.Storage/storageAccounts/acct`;
const busId = `${RG}/providers/Microsoft.ServiceBus/namespaces/orders-bus`;
const otherVaultId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.KeyVault/vaults/other-kv`;
const sqlId = `${RG}/providers/Microsoft.Sql/servers/orders-sql`;

type Json = Record<string, any>;

/** A synth output folder with the stack's Terraform JSON, edited as a pull request might edit it. */
function folder(stack: TerraformStack, edit: (json: Json) => void = () => {}): string {
  const json = stack.toTerraform() as Json;
  edit(json);
  return writeSynthFolder(tempDir(), json);
}

/** One identity holding one role on one scope; `condition` as Terraform will apply it. */
function holder(role: RoleDefinition, scope = vaultId(), condition?: string): TerraformStack {
  const stack = testStack("dev");
  const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
  const grant = ScopeTarget.fromId(stack, scope).grant(identity, role, {
    reason: "uses the data",
    justification: "the test holds a broad role on purpose",
  });
  if (condition !== undefined) {
    grant.assignment!.addOverride("condition", condition);
    grant.assignment!.addOverride("condition_version", "2.0");
  }
  return stack;
}

const diffOf = (base: TerraformStack, head: TerraformStack, edit?: (json: Json) => void) =>
  accessDiff([folder(base), folder(head, edit)]);

/** The only role assignment of the stack's JSON, to override as a hand edit would. */
const assignmentOf = (json: Json): Json => Object.values(json.resource.azurerm_role_assignment as Json)[0];

describe("the catalog's permissions", () => {
  it("lists, for every Azure role, the actions or data actions of Microsoft's definition, frozen", () => {
    const azure = allRoles().filter((r): r is AzureRoleDefinition => r.system === "azure-rbac");
    expect(azure.length).toBeGreaterThan(40);
    for (const role of azure) {
      const p: RolePermissions = role.permissions;
      expect([role.name, p.actions.length + p.dataActions.length > 0]).toEqual([role.name, true]);
      expect(Object.isFrozen(p) && Object.isFrozen(p.actions) && Object.isFrozen(p.dataActions)).toBe(true);
      for (const op of [...p.actions, ...p.notActions, ...p.dataActions, ...p.notDataActions])
        expect(op).toMatch(/^(\*|Microsoft\.[A-Za-z]+)(\/[A-Za-z0-9.*-]+)*$/);
    }
    // Spot checks against Microsoft's JSON: what makes the swaps below differ.
    expect(Roles.ServiceBusDataSender.permissions.dataActions).toEqual(["Microsoft.ServiceBus/*/send/action"]);
    expect(Roles.ServiceBusDataReceiver.permissions.dataActions).toEqual(["Microsoft.ServiceBus/*/receive/action"]);
    expect(Roles.Contributor.permissions.notActions).toContain("Microsoft.Authorization/*/Write");
    expect(Roles.AppConfigurationDataOwner.permissions.notDataActions).toEqual([
      "Microsoft.AppConfiguration/configurationStores/useSasAuth/action",
    ]);
  });
});

describe("permission-set inclusion", () => {
  const p = (x: Partial<RolePermissions>): RolePermissions => ({
    actions: [],
    notActions: [],
    dataActions: [],
    notDataActions: [],
    ...x,
  });

  it("reads wildcards and ignores the case of operation names", () => {
    const officer = Roles.KeyVaultSecretsOfficer.permissions;
    expect(
      permissionsOutside(officer, p({ dataActions: ["microsoft.keyvault/VAULTS/secrets/getSecret/ACTION"] })),
    ).toEqual([]);
    expect(permissionsOutside(officer, p({ dataActions: ["Microsoft.KeyVault/vaults/SECRETS/*"] }))).toEqual([]);
    // A wider wildcard is not inside a narrower one, however it is spelt.
    expect(permissionsOutside(officer, p({ dataActions: ["Microsoft.KeyVault/vaults/*"] }))).toEqual([
      "data Microsoft.KeyVault/vaults/*",
    ]);
    expect(permissionsOutside(officer, p({ dataActions: ["Microsoft.KeyVault/vaults/secret*"] }))).toEqual([
      "data Microsoft.KeyVault/vaults/secret*",
    ]);
    expect(
      permissionsOutside(p({ actions: ["*/read"] }), p({ actions: ["Microsoft.Storage/storageAccounts/READ"] })),
    ).toEqual([]);
  });

  it("subtracts NotActions, whatever their case, unless the inner role subtracts them too", () => {
    const contributor = Roles.Contributor.permissions;
    expect(permissionsOutside(contributor, p({ actions: ["microsoft.authorization/roleassignments/WRITE"] }))).toEqual([
      "microsoft.authorization/roleassignments/WRITE",
    ]);
    expect(permissionsOutside(contributor, Roles.Reader.permissions)).toEqual([]);
    expect(permissionsOutside(contributor, Roles.Owner.permissions)).toEqual(["*"]);
    expect(permissionsOutside(Roles.Owner.permissions, contributor)).toEqual([]);
    expect(permissionsOutside(contributor, Roles.UserAccessAdministrator.permissions)).toEqual([
      "Microsoft.Authorization/*",
    ]);
    // Actions never cover data actions: Contributor reads no blob.
    expect(permissionsOutside(contributor, Roles.StorageBlobDataReader.permissions)).toEqual([
      "data Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    ]);
    expect(
      permissionsOutside(
        p({ actions: ["Microsoft.Storage/*"], notActions: ["Microsoft.Storage/storageAccounts/listKeys/action"] }),
        p({ actions: ["Microsoft.Storage/*"], notActions: ["microsoft.storage/storageaccounts/listkeys/action"] }),
      ),
    ).toEqual([]);
  });
});

describe("access diff by permissions", () => {
  it("calls Service Bus Data Sender to Receiver broadening, naming what the new role adds, and exits 1", () => {
    const bus = (role: RoleDefinition<"Service Bus">) => {
      const stack = testStack("dev");
      const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
      ServiceBusNamespaceTarget.fromId(stack, busId).queue("orders").grant(identity, role, {
        reason: "uses orders",
        justification: "the test holds a broad role on purpose",
      });
      return stack;
    };
    const result = diffOf(bus(Roles.ServiceBusDataSender), bus(Roles.ServiceBusDataReceiver));
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "| changed | app-id | Azure Service Bus Data Sender → Azure Service Bus Data Receiver | Service Bus queue orders of orders-bus | **broader role**: adds data Microsoft.ServiceBus/*/receive/action |",
    );
    expect(diffOf(bus(Roles.ServiceBusDataOwner), bus(Roles.ServiceBusDataSender)).code).toBe(0);
  });

  it("calls Key Vault Secrets Officer to Crypto User broadening: keys are not secrets", () => {
    const kv = (role: RoleDefinition<"Key Vault">) => {
      const stack = testStack("dev");
      const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
      KeyVaultTarget.fromId(stack, vaultId()).grant(identity, role, {
        reason: "uses the vault",
        justification: "the test holds a broad role on purpose",
      });
      return stack;
    };
    const result = diffOf(kv(Roles.KeyVaultSecretsOfficer), kv(Roles.KeyVaultCryptoUser));
    expect(result.code).toBe(1);
    expect(result.output).toContain("**broader role**: adds data Microsoft.KeyVault/vaults/keys/read");
    expect(diffOf(kv(Roles.KeyVaultSecretsOfficer), kv(Roles.KeyVaultSecretsUser)).code).toBe(0);
    expect(diffOf(kv(Roles.KeyVaultAdministrator), kv(Roles.KeyVaultCryptoUser)).code).toBe(0);
  });

  it("calls Reader to a role with data actions broadening, and Blob Data Contributor to Reader narrowing", () => {
    const toData = diffOf(holder(Roles.Reader, accountId), holder(Roles.StorageBlobDataReader, accountId));
    expect(toData.code).toBe(1);
    expect(toData.output).toContain("data Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read");
    const narrower = diffOf(
      holder(Roles.StorageBlobDataContributor, accountId),
      holder(Roles.StorageBlobDataReader, accountId),
    );
    expect(narrower.code).toBe(0);
    expect(narrower.output).toContain(
      "| changed | app-id | Storage Blob Data Contributor → Storage Blob Data Reader | storage account acct |  |",
    );
  });

  it("treats NotActions as taken away: Owner to Contributor narrows, Contributor to Owner or User Access Administrator broadens", () => {
    expect(diffOf(holder(Roles.Owner, RG), holder(Roles.Contributor, RG)).code).toBe(0);
    expect(diffOf(holder(Roles.Contributor, RG), holder(Roles.Owner, RG)).code).toBe(1);
    const uaa = diffOf(holder(Roles.Contributor, RG), holder(Roles.UserAccessAdministrator, RG));
    expect(uaa.code).toBe(1);
    expect(uaa.output).toContain("**broader role**: adds Microsoft.Authorization/*");
  });

  it("calls a role swapped for a custom role id broadening: nothing says what it permits", () => {
    const custom = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/0b5fcc6a-3b1e-4c49-9a52-8b0fe3a1c0de`;
    const result = diffOf(holder(Roles.KeyVaultSecretsUser), holder(Roles.KeyVaultSecretsUser), (json) => {
      assignmentOf(json).role_definition_id = custom;
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("**other role**");
    expect(result.output).toContain("no catalogued permissions to compare");
  });

  it("reads a role given by name like one given by id: a swap to Key Vault Administrator by name broadens", () => {
    const byName = (name: string) => (json: Json) => {
      const a = assignmentOf(json);
      delete a.role_definition_id;
      a.role_definition_name = name;
    };
    const result = diffOf(
      holder(Roles.KeyVaultSecretsUser),
      holder(Roles.KeyVaultSecretsUser),
      byName("key vault administrator"),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain("Key Vault Secrets User → Key Vault Administrator");
    expect(result.output).toContain("**broader role**");
  });

  it("calls a data-plane role swap another role: the catalog holds no permission list for it", () => {
    const sql = (role: RoleDefinition<"Azure SQL">) => {
      const stack = testStack("dev");
      const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
      SqlServerTarget.fromId(stack, sqlId).database("ordersdb").grant(identity, role, { reason: "uses orders" });
      return stack;
    };
    const result = diffOf(sql(Roles.SqlDataReader), sql(Roles.SqlDataWriter));
    expect(result.code).toBe(1);
    expect(result.output).toContain("**other role**");
  });
});

describe("access diff by scope and principal", () => {
  it("calls an assignment moved to a broader scope, or sideways to another vault, broadening", () => {
    const broader = diffOf(holder(Roles.KeyVaultSecretsUser), holder(Roles.KeyVaultSecretsUser, RG));
    expect(broader.code).toBe(1);
    expect(broader.output).toContain("**broader scope**");
    const sideways = diffOf(holder(Roles.KeyVaultSecretsUser), holder(Roles.KeyVaultSecretsUser, otherVaultId));
    expect(sideways.code).toBe(1);
    expect(sideways.output).toContain("**other scope**");
    // Down to one secret of the same vault: inside the old scope.
    expect(
      diffOf(holder(Roles.KeyVaultSecretsUser), holder(Roles.KeyVaultSecretsUser, `${vaultId()}/secrets/db-password`))
        .code,
    ).toBe(0);
  });

  it("calls the principal of an assignment changed by an override broadening, even to another identity of the estate", () => {
    const base = holder(Roles.KeyVaultSecretsUser);
    const head = holder(Roles.KeyVaultSecretsUser);
    new UserAssignedIdentity(head, "other", { name: "other-id", ...inRg });
    const result = diffOf(base, head, (json) => {
      const [address] = Object.entries(json.resource.azurerm_user_assigned_identity as Json).find(
        ([, identity]) => identity.name === "other-id",
      )!;
      assignmentOf(json).principal_id = `\${azurerm_user_assigned_identity.${address}.principal_id}`;
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "| added | other-id | Key Vault Secrets User | Key Vault app-kv | **other principal** |",
    );
  });

  it("does not let two edits cancel: a narrower role on a broader scope still broadens", () => {
    const vaultGroup = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg`;
    const result = diffOf(holder(Roles.KeyVaultSecretsOfficer), holder(Roles.KeyVaultSecretsUser, vaultGroup));
    expect(result.code).toBe(1);
    expect(result.output).toContain("| changed | app-id | Key Vault Secrets Officer → Key Vault Secrets User |");
    expect(result.output).toContain("**broader scope**");
    expect(result.output).not.toContain("**broader role**");
  });
});

const READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const CONTAINER = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]";
const storageCondition = (comparison: string) => `((!(ActionMatches{'${READ}'})) OR (${CONTAINER} ${comparison}))`;

describe("access diff by condition meaning", () => {
  const conditioned = (condition?: string) => holder(Roles.StorageBlobDataReader, accountId, condition);

  it("calls a storage condition widened from StringEquals 'docs' to StringLike '*' broadening, and exits 1", () => {
    const result = diffOf(
      conditioned(storageCondition("StringEquals 'docs'")),
      conditioned(storageCondition("StringLike '*'")),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain("**wider condition**: the new condition is not provably narrower than the old one");
    // Narrowed the other way round: proved, so nothing broadens.
    expect(
      diffOf(conditioned(storageCondition("StringLike 'do*'")), conditioned(storageCondition("StringEquals 'docs'")))
        .code,
    ).toBe(0);
  });

  it("does not call a condition reformatted but equal broadening", () => {
    const reformatted = `(  ${CONTAINER} stringequals 'docs'  ||  !( ActionMatches{'${READ.toUpperCase()}'} ) )`;
    expect(conditionImplies(reformatted, storageCondition("StringEquals 'docs'"))).toBe(true);
    expect(diffOf(conditioned(storageCondition("StringEquals 'docs'")), conditioned(reformatted)).code).toBe(0);
    // A value's case counts under a case-sensitive operator.
    expect(
      diffOf(conditioned(storageCondition("StringEquals 'docs'")), conditioned(storageCondition("StringEquals 'Docs'")))
        .code,
    ).toBe(1);
  });

  it("calls a condition with an added OR broadening", () => {
    const result = diffOf(
      conditioned(storageCondition("StringEquals 'docs'")),
      conditioned(`${storageCondition("StringEquals 'docs'")} OR (${CONTAINER} StringEquals 'payroll')`),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain("**wider condition**");
  });

  it("calls a removed condition broadening, an added one not, and an unparseable one broadening", () => {
    const removed = diffOf(conditioned(storageCondition("StringEquals 'docs'")), conditioned());
    expect(removed.code).toBe(1);
    expect(removed.output).toContain("**wider condition**: no condition any more");
    expect(diffOf(conditioned(), conditioned(storageCondition("StringEquals 'docs'"))).code).toBe(0);
    const unparseable = diffOf(
      conditioned(storageCondition("StringEquals 'docs'")),
      conditioned(`${storageCondition("StringEquals 'docs'")} OR (`),
    );
    expect(unparseable.code).toBe(1);
    expect(unparseable.output).toContain("condition cannot be parsed any more");
  });

  it("proves IgnoreCase and set inclusion, never the reverse", () => {
    const attr = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals";
    expect(conditionImplies(`${attr} {AAAA}`, `${attr} {aaaa, bbbb}`)).toBe(true);
    expect(conditionImplies(`${attr} {aaaa, cccc}`, `${attr} {aaaa, bbbb}`)).toBe(false);
    expect(conditionImplies(`${CONTAINER} StringEquals 'Docs'`, `${CONTAINER} StringEqualsIgnoreCase 'DOCS'`)).toBe(
      true,
    );
    expect(conditionImplies(`${CONTAINER} StringEqualsIgnoreCase 'docs'`, `${CONTAINER} StringEquals 'docs'`)).toBe(
      false,
    );
    expect(conditionImplies(`${CONTAINER} StringLike 'Do*'`, `${CONTAINER} StringLike 'do*'`)).toBe(false);
    // An interpolated value is opaque: only the same text is the same value.
    expect(conditionImplies(`${CONTAINER} StringEquals '\${var.c}'`, `${CONTAINER} StringLike '*'`)).toBe(false);
    // Absurd nesting proves nothing rather than throwing.
    const deep = `${"(".repeat(40_000)}${CONTAINER} StringEquals 'docs'${")".repeat(40_000)}`;
    expect(conditionImplies(deep, `${CONTAINER} StringEquals 'docs'`)).toBe(false);
  });
});

/** A stack judged by the guardrails (warnings, so the synth passes), synthesized as `cdktf synth` writes it. */
function judged(build: (stack: TerraformStack) => void = () => {}): string {
  // No provider for the hand-written azapi resource: cdktf's provider check is beside the point here.
  const app = new App({ outdir: tempDir(), stackTraces: false, skipValidation: true });
  const stack = new TerraformStack(app, "dev");
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
  configureIdentityStack(stack, {
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    guardrails: { severity: "warning", today: "2026-01-01" },
  });
  const identity = new UserAssignedIdentity(stack, "app", { name: "app-id", ...inRg });
  KeyVaultTarget.fromId(stack, vaultId()).grant(identity, Roles.KeyVaultSecretsUser, { reason: "reads secrets" });
  build(stack);
  app.synth();
  return app.outdir;
}

const raw = (stack: TerraformStack, type: string, id: string, config: Json, providerName = "azurerm") => {
  const resource = new TerraformResource(stack, id, {
    terraformResourceType: type,
    terraformGeneratorMetadata: { providerName },
  });
  for (const [key, value] of Object.entries(config)) resource.addOverride(key, value);
  return resource;
};

/** An identity that reads one Azure SQL database: the stack outputs the statements that make its user. */
function sqlReader(): TerraformStack {
  const s = testStack("dev");
  const identity = new UserAssignedIdentity(s, "app", { name: "app-id", ...inRg });
  SqlServerTarget.fromId(s, sqlId).database("ordersdb").grant(identity, Roles.SqlDataReader, { reason: "reads" });
  return s;
}

/** A Key Vault access policy written by hand: access the guardrails cannot judge (IG022). */
const accessPolicy = (s: TerraformStack) =>
  raw(s, "azurerm_key_vault_access_policy", "policy", {
    key_vault_id: vaultId(),
    tenant_id: TENANT,
    object_id: "0f0f0f0f-0000-4000-8000-0000000000a1",
    secret_permissions: ["Get"],
  });

describe("access diff of the raw output", () => {
  it("shows a database-access output edited to add ALTER ROLE db_owner as broadening, and exits 1", () => {
    const forged = "ALTER ROLE [db_owner] ADD MEMBER [app-id];";
    const edit = (json: Json) => {
      const output = Object.values(json.output as Json).find((o) => o.value?.kind === "database-access");
      output.value.steps[0].statements += `\n${forged}`;
    };
    const result = diffOf(sqlReader(), sqlReader(), edit);
    expect(result.code).toBe(1);
    expect(result.output).toContain("Database statements edited: output `database-access-orders-sql-ordersdb`");
    expect(result.output).toContain(`\n${forged}\n`);
    // The same forgery in base and head is no change; its removal narrows.
    expect(accessDiff([folder(sqlReader(), edit), folder(sqlReader(), edit)]).code).toBe(0);
    expect(accessDiff([folder(sqlReader(), edit), folder(sqlReader())]).code).toBe(0);
  });

  it("fences edited statements so backticks in them cannot break out into the comment", () => {
    const result = diffOf(sqlReader(), sqlReader(), (json) => {
      const output = Object.values(json.output as Json).find((o) => o.value?.kind === "database-access");
      output.value.steps = "```\n## No access changes";
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("````sql\n```\n## No access changes\n````");
  });

  it.each([
    ["a Key Vault access policy", accessPolicy, "IG022 at `azurerm_key_vault_access_policy.policy`"],
    [
      "a module call",
      (s: TerraformStack) =>
        new TerraformHclModule(s, "network", { source: "Azure/network/azurerm", version: "5.3.0" }),
      "IG023 at `module.network`",
    ],
    [
      "an azapi resource with an interpolated type",
      (s: TerraformStack) =>
        raw(s, "azapi_resource", "anything", { type: "${var.resource_type}", parent_id: RG, name: "x" }, "azapi"),
      "IG022 at `azapi_resource.anything`",
    ],
  ])("shows %s, which the guardrails flag, as a new guardrail finding, and exits 1", (_name, build, row) => {
    const result = accessDiff([judged(), judged(build)]);
    expect(result.code).toBe(1);
    expect(result.output).toContain(`Guardrail finding new in the head: ${row}`);
    expect(result.output).toContain("(**new guardrail finding**)");
    // Already in the base: no change.
    expect(accessDiff([judged(build), judged(build)]).code).toBe(0);
  });

  it("shows a new suppression, and the finding it silences, so a suppression cannot drop a finding unseen", () => {
    const suppressed = (s: TerraformStack) => {
      GuardrailSuppressions.add(accessPolicy(s), [
        { ruleId: "IG022", reason: "the legacy vault still uses access policies", expires: "2026-03-01" },
      ]);
    };
    const result = accessDiff([judged(), judged(suppressed)]);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "(suppressed: the legacy vault still uses access policies) (**new guardrail finding**)",
    );
    expect(result.output).toContain(
      "Suppression new in the head: IG022 on `dev/policy`: the legacy vault still uses access policies, until 2026-03-01 (**new suppression**)",
    );
  });

  it("calls a rule turned off, or guardrails gone from the head, broadening", () => {
    const base = judged();
    const off = judged();
    const file = join(off, "stacks", "dev", "guardrails.json");
    const record = JSON.parse(readFileSync(file, "utf8"));
    record.settings.rules = { IG022: "off" };
    writeFileSync(file, JSON.stringify(record));
    const result = accessDiff([base, off]);
    expect(result.code).toBe(1);
    expect(result.output).toContain("Guardrail setting turned down: IG022 set to off (**weaker guardrails**)");
    const gone = accessDiff([base, folder(holder(Roles.KeyVaultSecretsUser))]);
    expect(gone.code).toBe(1);
    expect(gone.output).toContain("(**guardrails did not run**)");
  });
});

describe("access diff on hostile input", () => {
  it("refuses a malformed guardrail report or Terraform JSON with exit 2, naming the file and the field", () => {
    const good = judged();
    const bad = judged();
    const report = join(bad, "stacks", "dev", "guardrails.json");
    writeFileSync(
      report,
      JSON.stringify({ settings: { severity: "error", rules: {} }, findings: [{ ruleId: 7 }], suppressions: [] }),
    );
    expect(accessDiff([good, bad])).toEqual({
      code: 2,
      output: expect.stringMatching(
        new RegExp(
          `^access-diff: head stack ${report.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not readable guardrail report: field \\.findings\\[0\\]\\.ruleId: `,
        ),
      ),
    });
    const terraform = folder(holder(Roles.KeyVaultSecretsUser), (json) => {
      json.resource = 5;
    });
    expect(accessDiff([folder(holder(Roles.KeyVaultSecretsUser)), terraform])).toEqual({
      code: 2,
      output: expect.stringMatching(
        /^access-diff: head stack .*cdk\.tf\.json is not readable Terraform JSON: field \.resource: /,
      ),
    });
    const suppressions = folder(holder(Roles.KeyVaultSecretsUser), (json) => {
      json.locals = { guardrail_suppressions: "all of them" };
    });
    expect(accessDiff([folder(holder(Roles.KeyVaultSecretsUser)), suppressions])).toEqual({
      code: 2,
      output: expect.stringMatching(/field \.locals\.guardrail_suppressions: /),
    });
  });

  it.each([
    ["a link to a device that never ends", (file: string) => symlinkSync("/dev/zero", file)],
    ["a FIFO, which would block the read forever", (file: string) => execFileSync("mkfifo", [file])],
  ])("refuses %s as the head's stack with exit 2, without reading it", (_, make) => {
    const head = folder(holder(Roles.KeyVaultSecretsUser));
    const file = join(head, "stacks", "dev", "cdk.tf.json");
    rmSync(file);
    make(file);
    expect(accessDiff([folder(holder(Roles.KeyVaultSecretsUser)), head])).toEqual({
      code: 2,
      output: `access-diff: head stack: ${file} is not a regular file\n`,
    });
  });

  it("sees a role assignment named __proto__, which a schema's copy of the JSON would drop", () => {
    const base = holder(Roles.KeyVaultSecretsUser);
    const result = diffOf(base, base, (json) => {
      const assignments = json.resource.azurerm_role_assignment as Json;
      const [address] = Object.keys(assignments);
      const owner = {
        ...assignments[address],
        role_definition_id: assignments[address].role_definition_id.replace(
          Roles.KeyVaultSecretsUser.guid,
          Roles.Owner.guid,
        ),
      };
      // JSON.parse makes "__proto__" an own key, as a hostile file would hold it.
      json.resource.azurerm_role_assignment = JSON.parse(
        `{${JSON.stringify(address)}: ${JSON.stringify(assignments[address])}, "__proto__": ${JSON.stringify(owner)}}`,
      );
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain("Owner");
  });

  it("compares reports built by hand without guardrail records, and an identical pair as no change", () => {
    const report = buildAccessReport("dev", holder(Roles.KeyVaultSecretsUser).toTerraform());
    const same = diffAccess("dev", report, report);
    expect([same.broadens, same.statements, same.guardrails]).toEqual([false, [], []]);
  });
});

describe("access diff soundness: widenings that once exited 0", () => {
  const like = (n: string, o: string) => conditionImplies(`${CONTAINER} ${n}`, `${CONTAINER} ${o}`);

  it("reads StringLike's escapes and its single-character wildcard, and folds only the case Azure folds", () => {
    // `\*` and `\?` are literal characters: 'a\?' matches only "a?", 'a\*' only "a*".
    expect(like("StringLike 'a\\?'", "StringLike 'a\\*'")).toBe(false);
    expect(like("StringEquals 'a\\b'", "StringLike 'a\\*'")).toBe(false);
    expect(like("StringEquals 'a*'", "StringLike 'a\\*'")).toBe(true);
    expect(like("StringLike 'a\\*'", "StringLike 'a*'")).toBe(true);
    // `?` is one character of any kind: inside `*`, never the other way round.
    expect(like("StringEquals 'ab'", "StringLike 'a?'")).toBe(true);
    expect(like("StringLike 'a?'", "StringLike 'a*'")).toBe(true);
    expect(like("StringLike 'a*'", "StringLike 'a?'")).toBe(false);
    expect(like("StringLike 'a??'", "StringLike 'a?'")).toBe(false);
    // The Kelvin sign lower-cases to "k" in JavaScript, but is no "k" to an ordinal comparison.
    expect(like("StringEquals '\u212a'", "StringEqualsIgnoreCase 'k'")).toBe(false);
    expect(like("StringEquals 'K'", "StringEqualsIgnoreCase 'k'")).toBe(true);
  });

  it("calls a grant moved to a same-named vault in another subscription another scope, and exits 1", () => {
    const result = diffOf(
      holder(Roles.KeyVaultSecretsUser),
      holder(Roles.KeyVaultSecretsUser, vaultId(OTHER_SUBSCRIPTION)),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain("**other scope**");
  });

  it.each([
    ["`..` segments", `${vaultId()}/secrets/x/../../../..`],
    ["a `.` segment", `${vaultId()}/.`],
    ["an empty segment", `${vaultId()}//secrets/x`],
  ])("calls a scope with %s, which climbs out of the vault or is no id, other scope", (_, scope) => {
    const result = diffOf(holder(Roles.KeyVaultSecretsUser), holder(Roles.KeyVaultSecretsUser), (json) => {
      assignmentOf(json).scope = scope;
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/\*\*(other|broader) scope\*\*/);
  });

  /** An identity of the stack: a container group named `orders` running as `identity`. */
  const containerGroup = (s: TerraformStack, id: string, identity: Json) =>
    raw(s, "azurerm_container_group", id, {
      name: "orders",
      resource_group_name: "app-rg",
      location: "westeurope",
      os_type: "Linux",
      identity,
      container: [{ name: "c", image: "nginx", cpu: 1, memory: 1 }],
    });

  it("tells a system-assigned identity of one compute from a same-named compute of another type", () => {
    const stack = () => {
      const s = testStack("dev");
      const web = new LinuxWebApp(s, "web", { ...inRg, name: "orders", servicePlanId: "/plan", siteConfig: {} });
      web.addOverride("identity", [{ type: "SystemAssigned" }]);
      containerGroup(s, "cg", [{ type: "SystemAssigned" }]);
      return s;
    };
    const grant = (principal: string) => (json: Json) => {
      json.resource.azurerm_role_assignment = {
        kv: {
          scope: vaultId(),
          role_definition_id: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${Roles.KeyVaultSecretsUser.guid}`,
          principal_id: `\${${principal}.identity[0].principal_id}`,
          principal_type: "ServicePrincipal",
        },
      };
    };
    const result = accessDiff([
      folder(stack(), grant("azurerm_linux_web_app.web")),
      folder(stack(), grant("azurerm_container_group.cg")),
    ]);
    expect(result.code).toBe(1);
    expect(result.output).toContain("**other principal**");
  });

  it("calls an identity attached to a new compute broadening: the compute gains every grant the identity holds", () => {
    const base = holder(Roles.KeyVaultSecretsUser);
    const head = holder(Roles.KeyVaultSecretsUser);
    const result = diffOf(base, head, (json) => {
      const [address] = Object.keys(json.resource.azurerm_user_assigned_identity as Json);
      json.resource.azurerm_container_group = {
        cg: {
          name: "orders",
          resource_group_name: "app-rg",
          location: "westeurope",
          os_type: "Linux",
          identity: [{ type: "UserAssigned", identity_ids: [`\${azurerm_user_assigned_identity.${address}.id}`] }],
          container: [{ name: "c", image: "nginx", cpu: 1, memory: 1 }],
        },
      };
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "Identity attached: app-id now runs on azurerm_container_group orders, which gains its 1 grant(s) (**new attachment**)",
    );
    // Detached: narrower.
    expect(accessDiff([folder(head), folder(base)]).code).toBe(0);
  });

  /** Two same-named identities in two resource groups; a federated trust on the one `trusted` names. */
  const trusts =
    (trusted: "app" | "ops" | "none", field = "parent_id") =>
    (json: Json) => {
      json.resource.azurerm_user_assigned_identity.ops = {
        name: "app-id",
        resource_group_name: "ops-rg",
        location: "westeurope",
      };
      const [app] = Object.keys(json.resource.azurerm_user_assigned_identity as Json).filter((k) => k !== "ops");
      if (trusted !== "none")
        json.resource.azurerm_federated_identity_credential = {
          gh: {
            name: "gh",
            [field]: `\${azurerm_user_assigned_identity.${trusted === "app" ? app : "ops"}.id}`,
            issuer: "https://token.actions.githubusercontent.com",
            subject: "repo:contoso/app:environment:dev",
            audience: ["api://AzureADTokenExchange"],
          },
        };
    };

  it.each(["parent_id", "user_assigned_identity_id"])(
    "calls a federated trust moved to a same-named identity in another resource group a new trust (as %s)",
    (field) => {
      const stack = holder(Roles.KeyVaultSecretsUser);
      const result = accessDiff([folder(stack, trusts("app", field)), folder(stack, trusts("ops", field))]);
      expect(result.code).toBe(1);
      expect(result.output).toContain("(**new federated trust**)");
    },
  );

  it("reads a trust moved from parent_id to user_assigned_identity_id (cdktf to CDK Terrain) as the same trust", () => {
    const stack = holder(Roles.KeyVaultSecretsUser);
    const result = accessDiff([
      folder(stack, trusts("app", "parent_id")),
      folder(stack, trusts("app", "user_assigned_identity_id")),
    ]);
    expect(result.output).not.toContain("new federated trust");
  });

  // azurerm 4.65 renamed parent_id to user_assigned_identity_id: a trust written either way is read.
  it.each(
    [
      ["an identity read by a data source, holding no grant here", "${data.azurerm_user_assigned_identity.ext.id}"],
      [
        "an identity named by a literal id",
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ops-id`,
      ],
    ].flatMap(([what, parent]) => ["parent_id", "user_assigned_identity_id"].map((field) => [what, field, parent])),
  )("shows a federated trust added on %s (as %s)", (_, field, parent) => {
    const edit = (trust: boolean) => (json: Json) => {
      json.data = { azurerm_user_assigned_identity: { ext: { name: "ops-id", resource_group_name: "ops-rg" } } };
      if (trust)
        json.resource.azurerm_federated_identity_credential = {
          gh: {
            name: "gh",
            [field]: parent,
            issuer: "https://token.actions.githubusercontent.com",
            subject: "repo:attacker/repo:ref:refs/heads/main",
            audience: ["api://AzureADTokenExchange"],
          },
        };
    };
    const stack = holder(Roles.KeyVaultSecretsUser);
    const result = accessDiff([folder(stack, edit(false)), folder(stack, edit(true))]);
    expect(result.code).toBe(1);
    expect(result.output).toContain("trusts `repo:attacker/repo:ref:refs/heads/main`");
    expect(result.output).toContain("(**new federated trust**)");
  });

  it("calls an edited resource no rule reads broadening even when the base already held it: a custom role's permissions", () => {
    const custom = (actions: string[]) => (json: Json) => {
      json.resource.azurerm_role_definition = {
        custom: {
          name: "ops",
          scope: RG,
          permissions: [{ actions, not_actions: [] }],
        },
      };
      assignmentOf(json).role_definition_id = "${azurerm_role_definition.custom.role_definition_resource_id}";
    };
    const stack = holder(Roles.KeyVaultSecretsUser);
    const result = accessDiff([
      folder(stack, custom(["Microsoft.KeyVault/vaults/read"])),
      folder(stack, custom(["*"])),
    ]);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "New or edited in the head, and read by no rule: `azurerm_role_definition.custom` (**unjudged change**)",
    );
    expect(accessDiff([folder(stack, custom(["*"])), folder(stack, custom(["*"]))]).code).toBe(0);
  });

  it("calls a changed Terraform variable or local broadening: what it feeds is judged by neither report", () => {
    const principal = (value: string) => (json: Json) => {
      json.variable = { principal: { type: "string", default: value } };
      assignmentOf(json).principal_id = "${var.principal}";
    };
    const stack = holder(Roles.KeyVaultSecretsUser);
    const result = accessDiff([
      folder(stack, principal("0f0f0f0f-0000-4000-8000-0000000000a1")),
      folder(stack, principal("0f0f0f0f-0000-4000-8000-0000000000b2")),
    ]);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      "New or edited in the head, and read by no rule: `var.principal` (**unjudged change**)",
    );
  });

  it("does not call a reformatted or reordered condition, or an unchanged estate, broadening", () => {
    const a = storageCondition("StringEquals 'docs'");
    const b = `( ${CONTAINER} StringEquals 'docs' ) || ( ! ( ActionMatches{'${READ}'} ) )`;
    const conditioned = (c: string) => holder(Roles.StorageBlobDataReader, accountId, c);
    expect(diffOf(conditioned(a), conditioned(b)).code).toBe(0);
    const set = (values: string) => `${CONTAINER} ForAnyOfAnyValues:StringEquals {${values}}`;
    expect(diffOf(conditioned(set("'a', 'b'")), conditioned(set("'b','a'"))).code).toBe(0);
  });
});
