import { App, TerraformStack, Testing } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import {
  AppServiceCompute,
  configureIdentityStack,
  Identity,
  Migration,
  Roles,
  SecretPhase,
  StorageAccountTarget,
  WorkloadIdentity,
} from "../constructs";
import { evaluateGuardrails, Finding } from "../constructs/guardrails";
import { inRg, refusal, SUBSCRIPTION, TENANT, tempDirs } from "./helpers";
import { buildAccessReport, ConversionPhase, diffAccess, renderAccessDiff } from "../constructs";

const tempDir = tempDirs("migration-");

const TODAY = "2026-12-02";
const EXPIRES = "2027-03-31";

interface Step {
  /** What the secret setting holds, when not the account's connection string. */
  readonly value?: (account: StorageAccount) => string;
  readonly expires?: string;
  readonly setting?: string;
  readonly phase: SecretPhase;
  /** Whether the app still carries the connection string setting. */
  readonly secret: boolean;
  /** Whether the account still takes shared keys. */
  readonly keys: boolean;
  /** Whether the workload declares the migration at all (a stack from before the migration does not). */
  readonly declared?: boolean;
  readonly grant?: boolean;
}

function devStack() {
  const app = new App({ outdir: tempDir() });
  const stack = new TerraformStack(app, "dev");
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
  configureIdentityStack(stack, {
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    environment: { name: "dev", production: false },
    guardrails: { severity: "error", today: TODAY },
    auditLogs: {
      workspaceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`,
    },
  });
  return { app, stack };
}

/** An account `contoso<id>`, taking shared keys or identity-only. */
const storageAccount = (stack: TerraformStack, id: string, keys: boolean) =>
  new StorageAccount(stack, id, {
    ...inRg,
    name: `contoso${id}`,
    accountTier: "Standard",
    accountReplicationType: "LRS",
    sharedAccessKeyEnabled: keys,
    defaultToOauthAuthentication: !keys,
    minTlsVersion: "TLS1_2",
    allowNestedItemsToBePublic: false,
  });

function legacyApp(step: Step) {
  const { app, stack } = devStack();
  const account = storageAccount(stack, "legacy", step.keys);
  const web = new LinuxWebApp(stack, "web", {
    ...inRg,
    name: "contoso-invoices",
    servicePlanId: "/subscriptions/x/resourceGroups/app-rg/providers/Microsoft.Web/serverFarms/plan",
    httpsOnly: true,
    siteConfig: { minimumTlsVersion: "1.2", ftpsState: "Disabled" },
    appSettings: {
      INVOICES_BLOB_ENDPOINT: account.primaryBlobEndpoint,
      ...(step.secret ? { INVOICES_STORAGE: step.value?.(account) ?? account.primaryConnectionString } : {}),
    },
  });
  const storage = StorageAccountTarget.of(account);
  new WorkloadIdentity(stack, "invoices", {
    identity: Identity.systemAssigned(),
    compute: [AppServiceCompute.linuxWebApp(web)],
    grants: step.grant === false ? [] : [storage.allow(Roles.StorageBlobDataContributor, "writes invoice documents")],
    migrations:
      step.declared === false
        ? []
        : [
            Migration.offSecret({
              setting: step.setting ?? "INVOICES_STORAGE",
              target: storage,
              phase: step.phase,
              reason: "invoices moves off the account's connection string",
              expires: step.expires ?? EXPIRES,
            }),
          ],
  });
  return { app, stack, account, web, storage };
}

const open = (findings: readonly Finding[]) => findings.filter((f) => !f.suppression);

describe("a secret-based app moved change by change", () => {
  it.each<Step>([
    { phase: "dual", secret: true, keys: true },
    { phase: "identity", secret: false, keys: true },
    { phase: "keys-off", secret: false, keys: false },
  ])("phase $phase synthesizes with no finding", (step) => {
    const { stack } = legacyApp(step);
    const findings = evaluateGuardrails(stack, { severity: "error", today: TODAY });
    expect(open(findings).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
    Testing.synth(stack);
  });
});

const judged = (stack: TerraformStack, today = TODAY) => evaluateGuardrails(stack, { severity: "error", today });
const openOf = (stack: TerraformStack, ruleId: string, today = TODAY) =>
  open(judged(stack, today)).filter((f) => f.ruleId === ruleId);
const ig032 = (stack: TerraformStack) =>
  openOf(stack, "IG032")
    .map((f) => f.message)
    .join("\n");

/** An override hands the first role assignment whose path `pick` accepts to a principal that is not the workload's. */
function handOver(stack: TerraformStack, pick: (path: string) => boolean): void {
  const assignment = stack.node
    .findAll()
    .find(
      (c) =>
        (c as { terraformResourceType?: string }).terraformResourceType === "azurerm_role_assignment" &&
        pick(c.node.path),
    )!;
  (assignment as unknown as { addOverride(path: string, value: unknown): void }).addOverride(
    "principal_id",
    "0f0f0f0f-0000-4000-8000-000000000001",
  );
}

describe("what each phase accepts, and nothing more", () => {
  it("in dual, accepts exactly the secret setting (IG019) and the account's keys (IG007), shown as the migration's", () => {
    const { stack } = legacyApp({ phase: "dual", secret: true, keys: true });
    const accepted = judged(stack).filter((f) => f.suppression);
    expect(accepted.map((f) => [f.ruleId, f.address, f.suppression!.constructPath, f.suppression!.expires])).toEqual([
      ["IG007", expect.stringMatching(/^azurerm_role_assignment\./), "dev/invoices", EXPIRES],
      ["IG019", "azurerm_linux_web_app.web", "dev/invoices", EXPIRES],
    ]);
    expect(accepted[1].message).toMatch(/carries the secret being migrated in app_settings\.INVOICES_STORAGE/);
  });

  it("without the migration, the same stack has the secret and the keys as findings", () => {
    const { stack } = legacyApp({ phase: "dual", secret: true, keys: true, declared: false });
    expect(open(judged(stack)).map((f) => f.ruleId)).toEqual(["IG007", "IG019"]);
  });

  it.each([
    [
      "a literal account key",
      () => "DefaultEndpointsProtocol=https;AccountName=contosolegacy;AccountKey=c2VjcmV0a2V5MTIz",
    ],
    ["another account's key", () => "${azurerm_storage_account.other.primary_connection_string}"],
    ["the key inside a longer value", (a: StorageAccount) => `x;${a.primaryConnectionString}`],
  ])("does not accept %s in the migrated setting", (_what, value) => {
    const { stack } = legacyApp({ phase: "dual", secret: true, keys: true, value });
    expect(openOf(stack, "IG019").map((f) => f.address)).toEqual(["azurerm_linux_web_app.web"]);
  });

  it("accepts nothing after its expiry: the secret and the keys are findings again", () => {
    const { stack } = legacyApp({ phase: "dual", secret: true, keys: true });
    expect(open(judged(stack, "2027-04-01")).map((f) => f.ruleId)).toEqual(["IG007", "IG019"]);
  });

  it("in identity, keeps accepting the keys but no secret setting", () => {
    const { stack } = legacyApp({ phase: "identity", secret: false, keys: true });
    expect(
      judged(stack)
        .filter((f) => f.suppression)
        .map((f) => f.ruleId),
    ).toEqual(["IG007"]);
  });

  it("in keys-off, accepts nothing", () => {
    const { stack } = legacyApp({ phase: "keys-off", secret: false, keys: false });
    expect(judged(stack).filter((f) => f.suppression)).toEqual([]);
  });
});

describe("a skipped phase is refused with IG032", () => {
  it.each<[string, Step, RegExp]>([
    [
      "the secret kept in phase identity",
      { phase: "identity", secret: true, keys: true },
      /phase identity, but azurerm_linux_web_app\.web still carries INVOICES_STORAGE/,
    ],
    [
      "keys turned off while the setting still holds the key",
      { phase: "dual", secret: true, keys: false },
      /keys are off while INVOICES_STORAGE still holds its key \(phase dual\)/,
    ],
    [
      "keys turned off without declaring keys-off",
      { phase: "identity", secret: false, keys: false },
      /keys are off while the migration of INVOICES_STORAGE is in phase identity/,
    ],
    [
      "keys-off declared with the keys still on",
      { phase: "keys-off", secret: false, keys: true },
      /phase keys-off, but the account still accepts shared keys/,
    ],
    [
      "keys-off declared with the secret still set",
      { phase: "keys-off", secret: true, keys: false },
      /phase keys-off, but azurerm_linux_web_app\.web still carries INVOICES_STORAGE/,
    ],
  ])("%s", (_what, step, message) => {
    const { stack } = legacyApp(step);
    const found = openOf(stack, "IG032");
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((f) => f.message).join("\n")).toMatch(message);
    expect(found.every((f) => f.fix.length > 20)).toBe(true);
  });

  it("the identity's grant removed by an override in dual: the path is not stood up", () => {
    const { stack } = legacyApp({ phase: "dual", secret: true, keys: true });
    handOver(stack, () => true);
    expect(ig032(stack)).toMatch(
      /is in phase dual, but azurerm_linux_web_app\.web \(system-assigned\) holds no role on azurerm_storage_account\.legacy/,
    );
  });

  it("the setting removed by an override while the migration says dual", () => {
    const { stack, web } = legacyApp({ phase: "dual", secret: true, keys: true });
    web.addOverride("app_settings.INVOICES_STORAGE", null);
    expect(openOf(stack, "IG032").map((f) => f.message)).toContainEqual(
      expect.stringMatching(/phase dual, but no compute carries INVOICES_STORAGE/),
    );
  });
});

describe("bad migrations are refused with the construct path, the value and the fix", () => {
  it.each<[string, Partial<Step>, RegExp]>([
    ["an expiry in the past", { expires: "2026-12-01" }, /\[dev\/invoices\] The migration expired on 2026-12-01/],
    ["an expiry beyond the horizon", { expires: "2028-01-01" }, /expires more than 365 days after 2026-12-02/],
    ["an expiry that is no date", { expires: "2027-02-30" }, /expiry is no date: "2027-02-30"/],
    [
      "a phase that does not exist",
      { phase: "triple" as SecretPhase },
      /has no phase "triple".*declare one of dual, identity, keys-off/,
    ],
    ["a setting that is no setting name", { setting: "A B" }, /no app setting name: "A B"/],
    [
      "a target the workload holds no grant on",
      { grant: false },
      /holds no grant on contosolegacy: the identity path is not stood up/,
    ],
  ])("%s", (_what, change, message) => {
    const error = refusal(() => legacyApp({ phase: "dual", secret: true, keys: true, ...change }));
    expect(error.message).toMatch(message);
    expect(error.fix.length).toBeGreaterThan(20);
  });

  it("a migration whose secret setting is not present", () => {
    const { app } = legacyApp({ phase: "dual", secret: false, keys: true });
    expect(() => app.synth()).toThrow(
      /\[dev\/invoices\] The migration's secret setting is not present: "INVOICES_STORAGE"\. Fix: /,
    );
  });

  it("two migrations of the same setting", () => {
    const error = refusal(() => {
      const { stack, web, storage } = legacyApp({ phase: "dual", secret: true, keys: true });
      new WorkloadIdentity(stack, "again", {
        identity: Identity.systemAssigned(),
        compute: [AppServiceCompute.linuxWebApp(web)],
        grants: [storage.allow(Roles.StorageBlobDataReader, "reads invoice documents")],
        migrations: [
          Migration.offSecret({
            setting: "INVOICES_STORAGE",
            target: storage,
            phase: "dual",
            reason: "the same move declared twice",
            expires: EXPIRES,
          }),
        ],
      });
    });
    expect(error.message).toMatch(/same compute is listed twice|INVOICES_STORAGE of dev\/web is migrated twice/);
  });

  it("keys-off while another workload still reads the target with a key", () => {
    const { app, stack, account } = legacyApp({ phase: "keys-off", secret: false, keys: false });
    new LinuxWebApp(stack, "reports", {
      ...inRg,
      name: "contoso-reports",
      servicePlanId: "/subscriptions/x/resourceGroups/app-rg/providers/Microsoft.Web/serverFarms/plan",
      siteConfig: {},
      appSettings: { REPORTS_STORAGE: account.primaryConnectionString },
    });
    expect(() => app.synth()).toThrow(
      /\[dev\/invoices\] The migration of INVOICES_STORAGE turns azurerm_storage_account\.legacy's keys off while others still read it with a key: \["azurerm_linux_web_app\.reports app_settings\.REPORTS_STORAGE"\]/,
    );
  });

  it("a record in the output written by an override", () => {
    const { app, stack } = legacyApp({ phase: "dual", secret: true, keys: true });
    stack.addOverride("locals.identity_migrations.0.expires", "2099-12-31");
    expect(() => app.synth()).toThrow(/The migrations recorded in the stack's output were overwritten/);
  });
});

function converting(phase: ConversionPhase | "before") {
  const { app, stack } = devStack();
  const account = storageAccount(stack, "docs", false);
  const web = new LinuxWebApp(stack, "web", {
    ...inRg,
    name: "contoso-docs",
    servicePlanId: "/subscriptions/x/resourceGroups/app-rg/providers/Microsoft.Web/serverFarms/plan",
    httpsOnly: true,
    siteConfig: { minimumTlsVersion: "1.2", ftpsState: "Disabled" },
    appSettings: { DOCS_BLOB_ENDPOINT: account.primaryBlobEndpoint },
  });
  const to = Identity.newUserAssigned({ ...inRg, name: "contoso-docs-id" });
  new WorkloadIdentity(stack, "docs-access", {
    identity:
      phase === "before"
        ? Identity.systemAssigned()
        : Identity.convertToUserAssigned(to, {
            phase,
            reason: "docs shares its identity with the new renderer",
            expires: EXPIRES,
          }),
    compute: [AppServiceCompute.linuxWebApp(web)],
    grants: [StorageAccountTarget.of(account).allow(Roles.StorageBlobDataReader, "reads documents")],
  });
  return { app, stack, web, json: () => JSON.parse(Testing.synth(stack)) };
}

describe("a system-assigned identity converted to a user-assigned one", () => {
  const holders = (json: any) =>
    Object.entries(json.resource.azurerm_role_assignment as Record<string, any>)
      .map(([name, a]) => `${name} ${a.principal_id}`)
      .sort();

  it("in both, the compute carries the two identities, each holding every grant, the code told the new one", () => {
    const { stack, json } = converting("both");
    const synth = json();
    const web = synth.resource.azurerm_linux_web_app.web;
    expect(web.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(web.app_settings.AZURE_CLIENT_ID).toMatch(
      /^\$\{azurerm_user_assigned_identity\.[A-Za-z0-9_-]+\.client_id\}$/,
    );
    expect(holders(synth).map((h) => h.split(" ")[1])).toEqual(
      expect.arrayContaining([
        "${azurerm_linux_web_app.web.identity[0].principal_id}",
        expect.stringMatching(/^\$\{azurerm_user_assigned_identity\..*\.principal_id\}$/),
      ]),
    );
    expect(holders(synth)).toHaveLength(2);
    expect(open(judged(stack)).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it("keeps the system identity's assignment as it was before the conversion: same address, same name", () => {
    const before = holders(converting("before").json());
    expect(holders(converting("both").json())).toEqual(expect.arrayContaining(before));
  });

  it("in user-assigned, the system identity and its grants are gone", () => {
    const { stack, json } = converting("user-assigned");
    const synth = json();
    expect(synth.resource.azurerm_linux_web_app.web.identity.type).toBe("UserAssigned");
    expect(holders(synth)).toEqual([expect.stringMatching(/azurerm_user_assigned_identity/)]);
    expect(open(judged(stack))).toEqual([]);
    expect(synth.locals.identity_migrations).toEqual([
      expect.objectContaining({ kind: "conversion", phase: "user-assigned", computes: ["azurerm_linux_web_app.web"] }),
    ]);
  });

  it("a system identity kept in user-assigned is a skipped phase (IG032)", () => {
    const { stack, web } = converting("user-assigned");
    web.addOverride("identity.type", "SystemAssigned, UserAssigned");
    expect(openOf(stack, "IG032").map((f) => f.message)).toEqual([
      expect.stringMatching(/phase user-assigned, but it still carries its system-assigned identity/),
    ]);
  });

  it("a grant the user-assigned identity lacks in both is a skipped phase (IG032)", () => {
    const { stack } = converting("both");
    handOver(stack, (path) => !/system-identity/.test(path));
    expect(ig032(stack)).toMatch(
      /phase both, but .* does not hold Storage Blob Data Reader on .* as the system identity does/,
    );
  });

  it("refuses a conversion phase that does not exist", () => {
    expect(refusal(() => converting("half" as ConversionPhase)).message).toMatch(
      /system- to user-assigned migration has no phase "half".*declare one of both, user-assigned/,
    );
  });
});

describe("the access diff between two phases", () => {
  const report = (stack: TerraformStack) => {
    const json = JSON.parse(Testing.synth(stack));
    return { json, report: buildAccessReport("dev", json) };
  };
  const diffOf = (before: Step | "system" | ConversionPhase, after: Step | ConversionPhase) => {
    const build = (s: Step | "system" | ConversionPhase) =>
      typeof s === "string" ? converting(s === "system" ? "before" : s).stack : legacyApp(s).stack;
    const [base, head] = [report(build(before)), report(build(after))];
    return diffAccess("dev", base.report, head.report, undefined, { base: base.json, head: head.json });
  };
  const dual: Step = { phase: "dual", secret: true, keys: true };
  const identity: Step = { phase: "identity", secret: false, keys: true };
  const keysOff: Step = { phase: "keys-off", secret: false, keys: false };

  it("labels one phase forward, and does not call it broadening", () => {
    const diff = diffOf(dual, identity);
    expect(diff.migrations).toEqual([
      expect.objectContaining({ kind: "advanced", subject: "INVOICES_STORAGE of invoices" }),
    ]);
    expect(diff.migrations[0].skipped).toBeUndefined();
    expect(renderAccessDiff([diff])).toMatch(
      /Migration phase change: INVOICES_STORAGE of invoices: phase dual → identity\n/,
    );
  });

  it.each<[string, Step, Step, RegExp]>([
    ["dual to keys-off", dual, keysOff, /IG032 migration-phase: it skips phase identity/],
    ["identity back to dual", identity, dual, /IG032 migration-phase: phases only move forward/],
    [
      "the secret removed in the change that adds the identity",
      { ...dual, declared: false, grant: false },
      identity,
      /IG032 migration-phase: it first appears in phase identity on computes the base already had/,
    ],
  ])("refuses %s with IG032, and counts it as broadening", (_what, before, after, message) => {
    const diff = diffOf(before, after);
    expect(diff.migrations.map((m) => m.skipped)).toEqual([expect.stringMatching(message)]);
    expect(diff.broadens).toBe(true);
    expect(renderAccessDiff([diff])).toMatch(/\*\*phase skipped\*\*/);
  });

  it("shows a conversion's both phase as grants added to a second holder, and user-assigned as holders removed", () => {
    const both = diffOf("system", "both");
    expect(both.grants.filter((g) => g.kind === "added").map((g) => g.conversion)).toEqual(["second holder"]);
    expect(renderAccessDiff([both])).toMatch(/\| added \(second holder, conversion\) \|/);
    const done = diffOf("both", "user-assigned");
    expect(done.grants.filter((g) => g.kind === "removed").map((g) => g.conversion)).toEqual(["holder removed"]);
    expect(done.migrations).toEqual([expect.objectContaining({ kind: "advanced" })]);
  });
});
