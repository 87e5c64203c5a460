import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import {
  configureIdentityStack,
  GuardrailSettings,
  GuardrailSuppressions,
  Identity,
  KeyVaultTarget,
  RoleDefinition,
  Roles,
  ScopeTarget,
  UserAssignedIdentity,
  VirtualMachineCompute,
  WorkloadIdentity,
} from "../constructs";
import { inRg, SUBSCRIPTION, TENANT, tempDirs, vaultId } from "./helpers";

// What a consumer can reach from the package root, tried as an attacker would.
const tempDir = tempDirs("public-api-");

function stackWith(guardrails: GuardrailSettings = { severity: "error" }) {
  const stack = new TerraformStack(new App({ outdir: tempDir() }), "orders");
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
  configureIdentityStack(stack, { subscriptionId: SUBSCRIPTION, tenantId: TENANT, guardrails });
  return stack;
}

describe("the public API gives no way around the checks", () => {
  it("refuses a copy of a catalog role with its plane rewritten", () => {
    const stack = stackWith();
    const identity = new UserAssignedIdentity(stack, "api", { name: "api-id", ...inRg });
    const owner: RoleDefinition = { ...Roles.Owner, plane: "data" };
    expect(() =>
      ScopeTarget.fromId(stack, `/subscriptions/${SUBSCRIPTION}`).grant(identity, owner, { reason: "x" }),
    ).toThrow(/Unknown role: not an entry of the role catalog: "Owner"\. Fix: pass the catalog entry itself/);
  });

  it("refuses a target built from raw fields, which could judge one scope and assign another", () => {
    const stack = stackWith();
    const vault = KeyVaultTarget.fromId(stack, vaultId());
    const Forged = KeyVaultTarget as unknown as new (init: object, mint?: symbol) => KeyVaultTarget;
    expect(() => new Forged({ ...vault, scopeReference: `/subscriptions/${SUBSCRIPTION}` })).toThrow(
      /A grant target was constructed from raw fields: .*Fix: use <Target>\.of\(resource\)/,
    );
    expect(() => new Forged({ ...vault }, Symbol("GrantTarget"))).toThrow(/constructed from raw fields/);
  });

  it("keeps the platform-use and justification-recording hooks out of the public types and objects", () => {
    const stack = stackWith();
    const identity = new UserAssignedIdentity(stack, "api", { name: "api-id", ...inRg });
    const subnet = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/orders-vnet/subnets/nodes`;
    const options = { reason: "joins nodes", platformUse: "anything" };
    // A platform role outside a platform's own use is refused whatever the options carry.
    expect(() => ScopeTarget.fromId(stack, subnet).grant(identity, Roles.NetworkContributor, options)).toThrow(/IG024/);
    const request = { target: ScopeTarget.fromId(stack, subnet), role: Roles.NetworkContributor, options };
    const vm = new LinuxVirtualMachine(stack, "vm", {
      ...inRg,
      name: "vm",
      size: "Standard_D2s_v5",
      adminUsername: "ops",
      networkInterfaceIds: [],
      osDisk: { caching: "ReadWrite", storageAccountType: "Standard_LRS" },
    });
    expect(
      () =>
        new WorkloadIdentity(stack, "vm-access", {
          identity: Identity.systemAssigned(),
          compute: [VirtualMachineCompute.of(vm)],
          grants: [request],
        }),
    ).toThrow(/IG024/);
    expect(Object.keys(GuardrailSuppressions).sort()).toEqual(["add", "on", "under"]);
  });

  it.each([
    ["an unknown severity", { severity: "eror" }, /Guardrail severity is neither error nor warning: "eror"/],
    [
      "a rule that does not exist",
      { severity: "error", rules: { IG999: "off" } },
      /Guardrail settings name no rule: "IG999"/,
    ],
    [
      "an unknown rule severity",
      { severity: "error", rules: { IG001: "of" } },
      /Severity of IG001 is neither error, warning nor off/,
    ],
    ["the secret rule turned off", { severity: "error", rules: { IG019: "off" } }, /IG019 always fails the synth/],
    [
      "the secret rule turned to a warning",
      { severity: "error", rules: { IG019: "warning" } },
      /IG019 always fails the synth/,
    ],
    [
      "a horizon beyond a year",
      { severity: "error", maxExpiryDays: 10_000_000 },
      /not a whole number of days from 1 to 365: 10000000/,
    ],
    ["a horizon that is not a number", { severity: "error", maxExpiryDays: Number.NaN }, /not a whole number of days/],
    ["a day that is no date", { severity: "error", today: "2026-02-30" }, /`today` is not a calendar date/],
  ])("refuses guardrail settings with %s", (_what, settings, message) => {
    expect(() => stackWith(settings as unknown as GuardrailSettings)).toThrow(message);
  });

  it("records rules turned off in guardrails.json, where a reviewer sees them", () => {
    const stack = stackWith({ severity: "error", rules: { IG014: "off" } });
    const app = stack.node.root as App;
    app.synth();
    const report = JSON.parse(readFileSync(join(app.outdir, "stacks", "orders", "guardrails.json"), "utf8"));
    expect(report.settings).toEqual({
      severity: "error",
      rules: { IG014: "off" },
      maxExpiryDays: null,
      developerGroups: [],
    });
  });
});
