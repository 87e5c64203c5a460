import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { Construct } from "constructs";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { GuardrailSuppressions, Roles } from "../constructs";
import { configureSuppressionHorizon } from "../constructs/policy";
import { evaluateGuardrails, findingsSarif } from "../constructs/guardrails";
import { ENVIRONMENTS, EnvironmentSettings } from "../stacks/environment-settings";
import { EnvironmentStack } from "../stacks/environment-stack";
import { BootstrapStack } from "../stacks/bootstrap-stack";
import { tempDirs, testStack } from "./helpers";

const env = (name: string): EnvironmentSettings => ENVIRONMENTS.find((e) => e.name === name)!;

/** The finish line of the issue: a raw Owner assignment at subscription scope, added by hand. */
function withRawOwner(stack: EnvironmentStack): RoleAssignment {
  return new RoleAssignment(stack, "raw-owner", {
    name: "5b1f3c2e-7a4d-5e6f-8a9b-0c1d2e3f4a5b",
    scope: `/subscriptions/${stack.settings.subscriptionId}`,
    roleDefinitionId: `/subscriptions/${stack.settings.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${Roles.Owner.guid}`,
    principalId: "0f0f0f0f-0000-4000-8000-000000000001",
    principalType: "ServicePrincipal",
  });
}

describe("guardrails at synth", () => {
  const tempDir = tempDirs("guardrails-");
  const app = () => new App({ outdir: tempDir() });

  it("fails the prod synth on a raw Owner at subscription scope, with the rule id, the address and the fix", () => {
    const a = app();
    withRawOwner(new EnvironmentStack(a, env("prod")));
    const synth = () => a.synth();
    expect(synth).toThrow(
      /\[prod\/raw-owner\] IG001 privileged-role at azurerm_role_assignment\.raw-owner: privileged role Owner .*\. Fix: grant the narrowest data role/,
    );
    expect(synth).toThrow(
      /IG003 broad-scope at azurerm_role_assignment\.raw-owner: Owner at subscription scope \/subscriptions\/.*\. Fix: grant on the exact resource/,
    );
  });

  it("warns in dev for the same assignment and writes both findings to the reports", () => {
    const a = app();
    withRawOwner(new EnvironmentStack(a, env("dev")));
    a.synth();
    const stackDir = join(a.outdir, "stacks", "dev");
    const report = JSON.parse(readFileSync(join(stackDir, "guardrails.json"), "utf8"));
    const raised = report.findings.filter((f: { suppression?: unknown }) => !f.suppression);
    expect(
      raised.map((f: { ruleId: string; severity: string; address: string }) => [f.ruleId, f.severity, f.address]),
    ).toEqual([
      ["IG001", "warning", "azurerm_role_assignment.raw-owner"],
      ["IG003", "warning", "azurerm_role_assignment.raw-owner"],
    ]);
    const manifest = JSON.parse(readFileSync(join(a.outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks.dev.annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          constructPath: "dev/raw-owner",
          level: "@cdktf/warn",
          message: expect.stringMatching(/^IG001 privileged-role/),
        }),
      ]),
    );
    const sarif = JSON.parse(readFileSync(join(stackDir, "guardrails.sarif"), "utf8"));
    expect(
      sarif.runs[0].results
        .filter((r: { suppressions?: unknown }) => !r.suppressions)
        .map((r: { ruleId: string }) => r.ruleId),
    ).toEqual(["IG001", "IG003"]);
  });

  it("synthesizes the sample estate cleanly in every environment: each finding carries a reason", () => {
    for (const settings of ENVIRONMENTS) {
      const app = Testing.app();
      const environment = new EnvironmentStack(app, settings);
      for (const stack of [environment, new BootstrapStack(app, settings, [environment])]) {
        const findings = evaluateGuardrails(stack, settings.guardrails);
        expect(findings.filter((f) => !f.suppression)).toEqual([]);
        // Justified grants, and what a declared migration keeps for its phase (the secret setting, keys on).
        for (const f of findings)
          expect(f.suppression?.reason).toMatch(/^(?:justified in code|migration of [A-Z_]+ \(phase dual\)): .{20,}/);
      }
    }
  });
});

describe("severity", () => {
  const stackWithBroadRole = () => {
    const stack = testStack();
    new RoleAssignment(stack, "owner", {
      name: "5b1f3c2e-7a4d-5e6f-8a9b-0c1d2e3f4a5b",
      scope:
        "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
      roleDefinitionId: `/subscriptions/11111111-2222-4333-8444-555555555555/providers/Microsoft.Authorization/roleDefinitions/${Roles.StorageBlobDataOwner.guid}`,
      principalId: "0f0f0f0f-0000-4000-8000-000000000001",
      principalType: "ServicePrincipal",
    });
    return stack;
  };

  it("follows the environment's default and each rule's own setting", () => {
    const stack = stackWithBroadRole();
    // IG026 (the account logs no data access) always warns: it is not what this test varies.
    expect(evaluateGuardrails(stack, { severity: "warning" }).map((f) => [f.ruleId, f.severity])).toEqual([
      ["IG002", "warning"],
      ["IG026", "warning"],
    ]);
    const unlogged = { IG026: "off" } as const;
    expect(
      evaluateGuardrails(stack, { severity: "warning", rules: { ...unlogged, IG002: "error" } }).map((f) => f.severity),
    ).toEqual(["error"]);
    expect(evaluateGuardrails(stack, { severity: "error", rules: { ...unlogged, IG002: "off" } })).toEqual([]);
  });
});

describe("suppressions", () => {
  const appWithKey = () => {
    const stack = testStack();
    const app = new LinuxWebApp(stack, "app", {
      name: "app",
      resourceGroupName: "rg",
      location: "westeurope",
      servicePlanId: "/plan",
      siteConfig: {},
      identity: { type: "SystemAssigned" },
    });
    return { stack, app };
  };

  it("silence one rule on one construct with a reason, and are recorded in the output", () => {
    const { stack, app } = appWithKey();
    GuardrailSuppressions.add(app, [
      { ruleId: "IG013", reason: "identity used only after the Q3 migration", expires: "2027-03-31" },
    ]);
    const [finding] = evaluateGuardrails(stack, { severity: "error" });
    expect(finding).toMatchObject({
      ruleId: "IG013",
      suppression: { constructPath: "test/app", reason: "identity used only after the Q3 migration" },
    });
    expect(
      findingsSarif("test", [finding]).includes('"justification": "identity used only after the Q3 migration"'),
    ).toBe(true);
  });

  it("stop applying after their expiry date", () => {
    const { stack, app } = appWithKey();
    GuardrailSuppressions.add(app, [
      { ruleId: "IG013", reason: "identity used only after the Q3 migration", expires: "2026-09-30" },
    ]);
    expect(evaluateGuardrails(stack, { severity: "error", today: "2026-09-30" })[0].suppression).toBeDefined();
    expect(evaluateGuardrails(stack, { severity: "error", today: "2026-10-01" })[0].suppression).toBeUndefined();
  });

  it("say when they expired", () => {
    const { stack, app } = appWithKey();
    GuardrailSuppressions.add(app, [
      { ruleId: "IG013", reason: "identity used only after the Q3 migration", expires: "2026-09-30" },
    ]);
    expect(evaluateGuardrails(stack, { severity: "error", today: "2026-10-01" })[0].message).toBe(
      "azurerm_linux_web_app.app has a system-assigned identity that holds no role (its suppression expired on 2026-09-30: identity used only after the Q3 migration)",
    );
  });

  it("need a reason in words and a known rule id", () => {
    const { app } = appWithKey();
    const add = (s: { ruleId: string; reason: string; expires?: string }) => () => GuardrailSuppressions.add(app, [s]);
    expect(add({ ruleId: "IG013", reason: "later" })).toThrow(
      '[test/app] Suppression of IG013 needs a reason in words (it is shorter than 10 characters): "later". Fix: say in at least 10 characters',
    );
    expect(add({ ruleId: "IG013", reason: "a".repeat(20) })).toThrow(
      /needs a reason in words \(it is mostly one repeated character\)/,
    );
    expect(add({ ruleId: "IG013", reason: "aaaa bbbb cccc dddd" })).toThrow(
      /needs a reason in words \(it has fewer than three distinct words\)/,
    );
    expect(add({ ruleId: "IG013", reason: "needed needed needed" })).toThrow(/fewer than three distinct words/);
    expect(add({ ruleId: "no-grants", reason: "a long enough reason" })).toThrow(
      /Suppression names no guardrail rule: "no-grants"/,
    );
    expect(add({ ruleId: "IG999", reason: "a long enough reason" })).toThrow(
      /Suppression names no guardrail rule: "IG999"/,
    );
    expect(add({ ruleId: "IG013", reason: "identity used after the migration" })).toThrow(
      "[test/app] Suppression of IG013 never expires: null. Fix: add `expires` (YYYY-MM-DD, at most 365 days ahead)",
    );
  });

  it("expire on a real date at most a year ahead", () => {
    const { stack, app } = appWithKey();
    configureSuppressionHorizon(stack, { today: "2026-11-22" });
    const add = (expires: string) => () =>
      GuardrailSuppressions.add(app, [{ ruleId: "IG013", reason: "identity used after the migration", expires }]);
    expect(add("30/09/2026")).toThrow(/has an expiry that is no date: "30\/09\/2026"/);
    expect(add("2026-99-99")).toThrow(/has an expiry that is no date: "2026-99-99"/);
    expect(add("2027-02-29")).toThrow(/has an expiry that is no date/);
    expect(add("9999-12-31")).toThrow(
      '[test/app] Suppression of IG013 expires more than 365 days after 2026-11-22: "9999-12-31". Fix: pick a date',
    );
    expect(add("2027-11-23")).toThrow(/expires more than 365 days/);
    expect(add("2027-11-22")).not.toThrow();
    configureSuppressionHorizon(stack, { today: "2026-11-22", maxExpiryDays: 30 });
    expect(add("2027-01-01")).toThrow(/expires more than 30 days after 2026-11-22/);
  });

  it("match the construct that made the resource, not a path written into the JSON", () => {
    const { stack, app } = appWithKey();
    GuardrailSuppressions.add(app, [
      { ruleId: "IG001", reason: "legacy app keeps its rights until the move", expires: "2027-03-31" },
    ]);
    const owner = new RoleAssignment(stack, "hidden", {
      name: "5b1f3c2e-7a4d-5e6f-8a9b-0c1d2e3f4a5b",
      scope: "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg",
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${Roles.Owner.guid}`,
      principalId: "0f0f0f0f-0000-4000-8000-0000000000a1",
      principalType: "User",
    });
    owner.addOverride("//.metadata.path", "test/app");
    const finding = evaluateGuardrails(stack, { severity: "error", today: "2026-11-22" }).find(
      (f) => f.ruleId === "IG001",
    )!;
    expect(finding).toMatchObject({ constructPath: "test/hidden", address: "azurerm_role_assignment.hidden" });
    expect(finding.suppression).toBeUndefined();
  });

  it("attach to a construct that owns resources, never a stack or the app", () => {
    const { stack } = appWithKey();
    const reason = { ruleId: "IG013", reason: "identity used after the migration", expires: "2027-03-31" };
    expect(() => GuardrailSuppressions.add(stack, [reason])).toThrow(
      '[test] Suppressions attach to the construct that owns the resources, not to a stack or the app: "test"',
    );
    expect(() => GuardrailSuppressions.add(stack.node.root, [reason])).toThrow(
      '[<root>] Suppressions attach to the construct that owns the resources, not to a stack or the app: "<root>"',
    );
    const empty = new Construct(stack, "empty");
    GuardrailSuppressions.add(empty, [reason]);
    expect(empty.node.validate()).toEqual([
      "[test/empty] Suppressions on a construct that owns no resources: IG013. Fix: add them on the construct that owns the resource the finding names",
    ]);
  });

  it("cannot silence a secret in the output", () => {
    const { app } = appWithKey();
    expect(() =>
      GuardrailSuppressions.add(app, [{ ruleId: "IG019", reason: "the key rotates every day anyway" }]),
    ).toThrow('[test/app] IG019 (secret in the output) cannot be suppressed: "IG019". Fix: remove the secret');
  });

  it("are written into the environment stacks as the local guardrail_suppressions", () => {
    const json = JSON.parse(Testing.synth(new EnvironmentStack(Testing.app(), env("prod"))));
    expect(json.locals.guardrail_suppressions).toEqual(
      expect.arrayContaining([
        {
          constructPath: expect.stringMatching(/^prod\/ingest\/access\//),
          ruleId: "IG002",
          reason: expect.stringMatching(/^justified in code: the Functions host/),
        },
      ]),
    );
  });
});
