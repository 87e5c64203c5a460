import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Construct } from "constructs";
import { Annotations, App, Aspects, TerraformDataSource, TerraformResource, TerraformStack } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import {
  AppServiceCompute,
  configureIdentityStack,
  DeveloperAccess,
  type EnvironmentDeclaration,
  GuardrailSettings,
  GuardrailSuppressions,
  Identity,
  KeyVaultTarget,
  RoleDefinition,
  Roles,
  ScopeTarget,
  type Suppression,
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

/** An Owner assignment for a user, which IG001 flags, under `scope`. */
const owner = (scope: Construct, id = "owner") =>
  new RoleAssignment(scope, id, {
    name: "0d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
    scope: vaultId(),
    roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${Roles.Owner.guid}`,
    principalId: "0f0f0f0f-0000-4000-8000-0000000000a1",
    principalType: "User",
  });

describe("developer access never reaches production, whoever builds the stack", () => {
  const GROUP = "5d1c7e2a-9f3b-4c6d-8e1a-2b3c4d5e6f70";
  const PROD_SUBSCRIPTION = "22222222-3333-4444-8555-666666666666";
  const dev: EnvironmentDeclaration = { name: "dev", production: false };

  /** A configured stack of `app` in `subscriptionId`, declaring `environment` (or nothing). */
  function declared(app: App, id: string, environment?: EnvironmentDeclaration, subscriptionId = SUBSCRIPTION) {
    const stack = new TerraformStack(app, id);
    new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId });
    configureIdentityStack(stack, {
      subscriptionId,
      tenantId: TENANT,
      // Production refuses guardrails turned down.
      guardrails: { severity: environment?.production ? "error" : "warning" },
      environment,
    });
    return stack;
  }

  /** An estate stack whose workload reads the vault at `vault`. */
  function estateWith(app: App, environment?: EnvironmentDeclaration, vault = vaultId()) {
    const stack = declared(app, "estate", environment);
    const identity = new UserAssignedIdentity(stack, "api", { name: "api-id", ...inRg });
    KeyVaultTarget.fromId(stack, vault).grant(identity, Roles.KeyVaultSecretsUser, { reason: "reads its secrets" });
    return stack;
  }

  const app = () => new App({ outdir: tempDir(), stackTraces: false });
  const access = (host: TerraformStack, estate: TerraformStack) =>
    new DeveloperAccess(host, "developers", { groupObjectId: GROUP, estate: [estate] });

  it("refuses DeveloperAccess in a stack that declares production", () => {
    const a = app();
    const estate = estateWith(a, dev);
    expect(() => access(declared(a, "people", { name: "prod", production: true }), estate)).toThrow(
      '[people/developers] DeveloperAccess is in stack people of production environment prod: people never hold data roles in production: "prod". Fix: remove the developer access from production',
    );
  });

  it("refuses DeveloperAccess in a stack that declares no environment: not declaring is no way around it", () => {
    const a = app();
    const estate = estateWith(a, dev);
    expect(() => access(declared(a, "people"), estate)).toThrow(
      '[people/developers] DeveloperAccess is in stack people, which declares no environment, so it may be production: "people". Fix: declare environment: { name, production: false }',
    );
  });

  it("refuses DeveloperAccess in a stack that was never configured", () => {
    const a = app();
    const estate = estateWith(a, dev);
    expect(() => access(new TerraformStack(a, "bare"), estate)).toThrow(
      /\[bare\/developers\] DeveloperAccess is in stack bare, which declares no environment/,
    );
  });

  it("refuses mirroring a production estate from a non-production stack", () => {
    const a = app();
    const estate = estateWith(a, { name: "prod", production: true });
    expect(() => access(declared(a, "people", dev), estate)).toThrow(
      /\[people\/developers\] DeveloperAccess mirrors stack estate of production environment prod/,
    );
  });

  it("refuses mirroring an estate that declares no environment", () => {
    const a = app();
    const estate = estateWith(a);
    expect(() => access(declared(a, "people", dev), estate)).toThrow(
      /DeveloperAccess mirrors stack estate, which declares no environment, so it may be production/,
    );
  });

  it("refuses, at synth, a dev-declared stack that deploys into a production subscription, even one declared later", () => {
    const a = app();
    access(declared(a, "people", dev, PROD_SUBSCRIPTION), estateWith(a, dev));
    declared(a, "prod", { name: "prod", production: true }, PROD_SUBSCRIPTION);
    expect(() => a.synth()).toThrow(
      `[people/developers] Developer access reaches production: the stack people deploys into subscription ${PROD_SUBSCRIPTION}, where a stack of this app declares a production environment`,
    );
  });

  it("refuses, at synth, mirroring a grant on a target in a production subscription", () => {
    const a = app();
    declared(a, "prod", { name: "prod", production: true }, PROD_SUBSCRIPTION);
    access(declared(a, "people", dev), estateWith(a, dev, vaultId(PROD_SUBSCRIPTION)));
    expect(() => a.synth()).toThrow(
      /Developer access reaches production: target app-kv is in subscription 22222222-3333-4444-8555-666666666666/,
    );
  });

  it("accepts DeveloperAccess where every stack it touches declares a non-production environment", () => {
    const a = app();
    const people = declared(a, "people", dev);
    expect(access(people, estateWith(a, dev)).assignments).toHaveLength(1);
    expect(() => a.synth()).not.toThrow();
  });

  it("refuses DeveloperAccess in a production stack whose declaration object was changed after configureIdentityStack", () => {
    const a = app();
    const declaration = { name: "live", production: true };
    const prod = declared(a, "prod", declaration);
    Object.assign(declaration, { name: "dev", production: false });
    expect(() => access(prod, estateWith(a, dev))).toThrow(
      /DeveloperAccess is in stack prod of production environment live/,
    );
  });

  it("mirrors the estate it checked when the estate is handed through a getter that answers production later", () => {
    const a = app();
    const [devEstate, prodEstate] = [estateWith(a, dev), declared(a, "live", { name: "prod", production: true })];
    KeyVaultTarget.fromId(prodEstate, vaultId().replace("app-kv", "live-kv")).grant(
      new UserAssignedIdentity(prodEstate, "api", { name: "api-id", ...inRg }),
      Roles.KeyVaultSecretsUser,
      { reason: "reads its secrets" },
    );
    let reads = 0;
    const props = {
      groupObjectId: GROUP,
      get estate() {
        return reads++ < 2 ? [devEstate] : [prodEstate];
      },
    };
    const mirrored = new DeveloperAccess(declared(a, "people", dev), "developers", props);
    expect(mirrored.assignments.map((m) => m.scopeInput)).toEqual([vaultId()]);
  });

  it("refuses, at synth, a stack in a subscription whose production declaration answered a boolean only to the check", () => {
    const a = app();
    let reads = 0;
    const slippery = {
      name: "prod",
      get production() {
        return reads++ < 2 ? true : (1 as unknown as boolean);
      },
    };
    declared(a, "prod", slippery, PROD_SUBSCRIPTION);
    access(declared(a, "people", dev, PROD_SUBSCRIPTION), estateWith(a, dev));
    expect(() => a.synth()).toThrow(/Developer access reaches production: the stack people deploys into subscription/);
  });

  it("refuses, at synth, a production stack under a construct between the app and the stacks, its subscription in upper case", () => {
    const a = app();
    declared(
      new Construct(a, "stage") as App,
      "prod",
      { name: "prod", production: true },
      PROD_SUBSCRIPTION.toUpperCase(),
    );
    access(declared(a, "people", dev, PROD_SUBSCRIPTION), estateWith(a, dev));
    expect(() => a.synth()).toThrow(/Developer access reaches production: the stack people deploys into subscription/);
  });

  it("refuses, at synth, mirroring a dev-declared estate that deploys into a production subscription", () => {
    const a = app();
    declared(a, "prod", { name: "prod", production: true }, PROD_SUBSCRIPTION);
    const estate = declared(a, "twin", dev, PROD_SUBSCRIPTION);
    const identity = new UserAssignedIdentity(estate, "api", { name: "api-id", ...inRg });
    KeyVaultTarget.fromId(estate, vaultId(PROD_SUBSCRIPTION)).grant(identity, Roles.KeyVaultSecretsUser, {
      reason: "reads its secrets",
    });
    access(declared(a, "people", dev), estate);
    expect(() => a.synth()).toThrow(/Developer access reaches production: target app-kv is in subscription/);
  });

  it("refuses DeveloperAccess nested in a construct of a production stack, or mirroring a construct of one", () => {
    const a = app();
    const estate = estateWith(a, dev);
    const prod = declared(a, "prod", { name: "prod", production: true });
    expect(() => access(new Construct(prod, "team") as TerraformStack, estate)).toThrow(
      /\[prod\/team\/developers\] DeveloperAccess is in stack prod of production environment prod/,
    );
    expect(() => access(declared(a, "people", dev), new Construct(prod, "part") as TerraformStack)).toThrow(
      /DeveloperAccess mirrors stack part, which declares no environment/,
    );
  });

  it.each([
    "${var.developers}",
    "developers",
    `{${"5d1c7e2a-9f3b-4c6d-8e1a-2b3c4d5e6f70"}}`,
    " 5d1c7e2a-9f3b-4c6d-8e1a-2b3c4d5e6f70",
  ])("refuses a developer group that is no GUID: %j", (groupObjectId) => {
    const a = app();
    expect(
      () =>
        new DeveloperAccess(declared(a, "people", dev), "developers", { groupObjectId, estate: [estateWith(a, dev)] }),
    ).toThrow(/developer group object id/);
  });

  it.each([
    "prod",
    "PROD",
    "production",
    "prd",
    "prod-weu",
    "Production_EU",
    "prd-01",
    "app-prod",
    "ProdWeu",
    "prod1-weu",
  ])("refuses an environment named %j that declares it is not production", (name) => {
    expect(() => declared(app(), "orders", { name, production: false })).toThrow(
      `[orders] Environment ${name} is named as production but declares production: false: ${JSON.stringify(name)}. Fix: set production: true`,
    );
  });

  it.each(["pre-prod", "preprod", "nonprod", "non-prod", "dev-prodlike", "prodtest"])(
    "accepts %j as not production: no word of it is prod alone",
    (name) => {
      expect(() => declared(app(), "orders", { name, production: false })).not.toThrow();
    },
  );

  it("refuses, at synth, a hand-written grant to the developer group on a production subscription, or on a scope only Terraform knows", () => {
    for (const scope of [vaultId(PROD_SUBSCRIPTION), "${var.scope}"]) {
      const a = app();
      declared(a, "prod", { name: "prod", production: true }, PROD_SUBSCRIPTION);
      const people = declared(a, "people", dev);
      access(people, estateWith(a, dev));
      new RoleAssignment(people, "extra", {
        name: "6d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
        scope,
        roleDefinitionId: `/subscriptions/${PROD_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${Roles.KeyVaultSecretsUser.guid}`,
        principalId: GROUP.toUpperCase(),
        principalType: "Group",
      });
      expect(() => a.synth()).toThrow(
        /\[people\/developers\] Developer access (reaches|may reach) production: azurerm_role_assignment\.extra grants the developer group Key Vault Secrets User on/,
      );
    }
  });

  it.each([
    [
      "production written as a string",
      { name: "dev", production: "false" },
      /Environment dev does not say whether it is production \(true or false\): "false"/,
    ],
    [
      "no production flag",
      { name: "dev" },
      /Environment dev does not say whether it is production \(true or false\): null/,
    ],
    [
      "an empty name",
      { name: "", production: false },
      /The environment's name is not 1 to 64 letters, digits, `-` or `_`: ""/,
    ],
    ["a name that is no string", { name: 1, production: false }, /The environment's name is not 1 to 64 letters.*: 1/],
  ])("refuses an environment declaration with %s", (_what, environment, message) => {
    expect(() => declared(app(), "orders", environment as unknown as EnvironmentDeclaration)).toThrow(message);
  });
});

describe("suppressions as wide as the stack are refused at synth", () => {
  const reason = { ruleId: "IG001", reason: "the legacy deployer keeps Owner until the move", expires: "2027-03-31" };
  const synth = (stack: TerraformStack) => () => (stack.node.root as App).synth();
  const refused = (path: string, held: number, total: number) =>
    `[${path}] Suppressions on a construct that holds ${held} of the stack's ${total} resources, in effect suppressions on the stack: ["IG001"]. Fix: add each suppression on the resource the finding names`;

  it("refuses one on a wrapper that holds the whole stack", () => {
    const stack = stackWith({ severity: "error", today: "2026-11-22" });
    const all = new Construct(stack, "all");
    owner(all);
    new UserAssignedIdentity(all, "api", { name: "api-id", ...inRg });
    GuardrailSuppressions.add(all, [reason]);
    expect(synth(stack)).toThrow(refused("orders/all", 2, 2));
  });

  it("refuses one on a wrapper that holds all but a decoy", () => {
    const stack = stackWith({ severity: "error", today: "2026-11-22" });
    const all = new Construct(stack, "all");
    owner(all);
    for (const name of ["a", "b"]) new UserAssignedIdentity(all, name, { name: `${name}-id`, ...inRg });
    new UserAssignedIdentity(stack, "decoy", { name: "decoy-id", ...inRg });
    GuardrailSuppressions.add(all, [reason]);
    expect(synth(stack)).toThrow(refused("orders/all", 3, 4));
  });

  it("refuses one on a wrapper nested in the wrapper", () => {
    const stack = stackWith({ severity: "error", today: "2026-11-22" });
    const inner = new Construct(new Construct(stack, "outer"), "inner");
    owner(inner);
    new UserAssignedIdentity(inner, "api", { name: "api-id", ...inRg });
    GuardrailSuppressions.add(inner, [reason]);
    expect(synth(stack)).toThrow(refused("orders/outer/inner", 2, 2));
  });

  it("refuses one added while its construct was empty, judged when the resources are there", () => {
    const stack = stackWith({ severity: "error", today: "2026-11-22" });
    const all = new Construct(stack, "all");
    GuardrailSuppressions.add(all, [reason]);
    owner(all);
    expect(synth(stack)).toThrow(refused("orders/all", 1, 1));
  });

  it("refuses one even when the app skips validations", () => {
    const stack = new TerraformStack(new App({ outdir: tempDir(), skipValidation: true }), "orders");
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "error", today: "2026-11-22" },
    });
    const all = new Construct(stack, "all");
    owner(all);
    GuardrailSuppressions.add(all, [reason]);
    expect(synth(stack)).toThrow(refused("orders/all", 1, 1));
  });

  it("accepts one on the resource itself, and on a construct that holds less than half the stack", () => {
    const stack = stackWith({
      severity: "error",
      today: "2026-11-22",
      rules: { IG003: "off", IG008: "off", IG021: "off" },
    });
    GuardrailSuppressions.add(owner(stack, "alone"), [reason]);
    const small = new Construct(stack, "small");
    owner(small, "also");
    GuardrailSuppressions.add(small, [reason]);
    for (const name of ["a", "b", "c"]) new UserAssignedIdentity(stack, name, { name: `${name}-id`, ...inRg });
    expect(synth(stack)).not.toThrow();
  });
});

describe("suppressions as wide as the stack, tried further", () => {
  const reason = { ruleId: "IG001", reason: "the legacy deployer keeps Owner until the move", expires: "2027-03-31" };
  const strict = () => stackWith({ severity: "error", today: "2026-11-22" });
  const synth = (stack: TerraformStack) => () => (stack.node.root as App).synth();
  /** A resource of `type` (a provider's or Terraform's own) that deploys nothing an attacker cares about. */
  const decoy = (scope: Construct, id: string, type = "terraform_data", provider = "terraform") =>
    new TerraformResource(scope, id, {
      terraformResourceType: type,
      terraformGeneratorMetadata: { providerName: provider },
    });
  const broad =
    /Suppressions on a construct that holds \d+ of the stack's \d+ resources|of the stack's resources, in effect suppressions on the stack/;

  it("refuses one on a wrapper of everything, diluted by resources Terraform makes outside Azure", () => {
    const stack = strict();
    const all = new Construct(stack, "all");
    owner(all);
    new UserAssignedIdentity(all, "api", { name: "api-id", ...inRg });
    for (let i = 0; i < 5; i++) decoy(stack, `decoy-${i}`);
    GuardrailSuppressions.add(all, [reason]);
    expect(synth(stack)).toThrow(broad);
  });

  it("refuses one on a wrapper of everything, diluted by Azure resources that are never created (count = 0)", () => {
    const stack = strict();
    const all = new Construct(stack, "all");
    owner(all);
    for (let i = 0; i < 5; i++)
      new UserAssignedIdentity(stack, `decoy-${i}`, { name: `decoy-${i}-id`, ...inRg }).node
        .findAll()
        .filter((c): c is TerraformResource => c instanceof TerraformResource)
        .forEach((r) => r.addOverride("count", 0));
    GuardrailSuppressions.add(all, [reason]);
    expect(synth(stack)).toThrow(broad);
  });

  it("refuses one on a wrapper of everything when every resource is made through count or for_each", () => {
    const stack = strict();
    const all = new Construct(stack, "all");
    owner(all).addOverride("count", 1);
    new UserAssignedIdentity(all, "api", { name: "api-id", ...inRg }).node
      .findAll()
      .filter((c): c is TerraformResource => c instanceof TerraformResource)
      .forEach((r) => r.addOverride("for_each", { one: "1" }));
    GuardrailSuppressions.add(all, [reason]);
    expect(synth(stack)).toThrow(broad);
  });

  it("refuses the same rule suppressed on three wrappers that together hold the stack", () => {
    const stack = strict();
    for (const part of ["a", "b", "c"]) {
      const wrapper = new Construct(stack, part);
      owner(wrapper, `owner-${part}`);
      GuardrailSuppressions.add(wrapper, [reason]);
    }
    expect(synth(stack)).toThrow(/IG001/);
  });

  it("refuses one on the app, and on a construct between the app and the stack", () => {
    const app = new App({ outdir: tempDir() });
    expect(() => GuardrailSuppressions.add(app, [reason])).toThrow(/not to a stack or the app/);
    const stage = new Construct(app, "stage");
    const stack = new TerraformStack(stage, "orders");
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "error" },
    });
    owner(stack);
    expect(() => GuardrailSuppressions.add(stage, [reason])).toThrow(
      '[stage] Suppressions attach to the construct that owns the resources, not to a stack or the app: "stage"',
    );
  });

  it("refuses one on the stack's provider holding the stack's resources", () => {
    const stack = strict();
    const provider = stack.node.findChild("azurerm");
    owner(provider);
    new UserAssignedIdentity(provider, "api", { name: "api-id", ...inRg });
    GuardrailSuppressions.add(provider, [reason]);
    expect(synth(stack)).toThrow(broad);
  });

  it("silences nothing outside a construct that holds only data sources", () => {
    const stack = stackWith({ severity: "error", today: "2026-11-22", rules: { IG003: "off", IG021: "off" } });
    const reads = new Construct(stack, "reads");
    new TerraformDataSource(reads, "client", {
      terraformResourceType: "azurerm_client_config",
      terraformGeneratorMetadata: { providerName: "azurerm" },
    });
    GuardrailSuppressions.add(reads, [reason]);
    owner(stack);
    expect(synth(stack)).toThrow(/IG001 privileged-role at azurerm_role_assignment\.owner/);
  });

  it("keeps a suppression as it was checked: the caller's object, the arrays on() and under() return", () => {
    const stack = stackWith({ severity: "error", today: "2026-11-22", rules: { IG003: "off", IG021: "off" } });
    const assignment = owner(stack);
    const mine = { ...reason };
    GuardrailSuppressions.add(assignment, [mine]);
    Object.assign(mine, { ruleId: "IG019", expires: "2999-12-31" });
    expect(() =>
      (GuardrailSuppressions.on(assignment) as Suppression[]).push({ ruleId: "IG019", reason: "x" }),
    ).toThrow();
    expect(() => Object.assign(GuardrailSuppressions.on(assignment)[0], { expires: "2999-12-31" })).toThrow();
    expect(GuardrailSuppressions.under(stack)).toEqual([{ ...reason, constructPath: "orders/owner" }]);
  });

  it("refuses a synth whose recorded suppressions were overridden in the JSON", () => {
    for (const forged of ["${tolist([])}", [{ ...reason, constructPath: "orders" }]]) {
      const stack = stackWith({ severity: "error", today: "2026-11-22", rules: { IG003: "off", IG021: "off" } });
      GuardrailSuppressions.add(owner(stack), [reason]);
      stack.addOverride("locals.guardrail_suppressions", forged);
      expect(synth(stack)).toThrow(
        /\[orders\] The suppressions recorded in the stack's output were overwritten: .*Fix: add suppressions with GuardrailSuppressions\.add, never by overriding locals\.guardrail_suppressions/,
      );
    }
  });

  it("refuses one added in an aspect, as when added in code", () => {
    const stack = strict();
    const all = new Construct(stack, "all");
    owner(all);
    Aspects.of(stack).add({ visit: (node) => void (node === all && GuardrailSuppressions.add(all, [reason])) });
    expect(synth(stack)).toThrow(broad);
  });

  it("refuses a suppression that expires more than the horizon after the day, however the expiry is written", () => {
    const stack = strict();
    const assignment = owner(stack);
    for (const expires of [
      "2027-11-23",
      "2027-1-1",
      "2027-03-31T00:00:00Z",
      " 2027-03-31",
      "+02027-03-31",
      "2027-02-29",
    ])
      expect(() => GuardrailSuppressions.add(assignment, [{ ...reason, expires }])).toThrow(
        /expires more than 365 days after 2026-11-22|has an expiry that is no date/,
      );
  });

  it("records a pinned day in guardrails.json: a day in the past keeps suppressions alive that look expired", () => {
    const stack = stackWith({ severity: "error", today: "2020-01-01", rules: { IG003: "off", IG021: "off" } });
    GuardrailSuppressions.add(owner(stack), [{ ...reason, expires: "2020-12-31" }]);
    const app = stack.node.root as App;
    app.synth();
    const report = JSON.parse(readFileSync(join(app.outdir, "stacks", "orders", "guardrails.json"), "utf8"));
    expect(report.settings.today).toBe("2020-01-01");
  });

  it("refuses a legitimate-looking suppression on the only workload of a small stack, saying which resources to put it on", () => {
    const stack = stackWith({ severity: "error", today: "2026-11-22" });
    const web = new LinuxWebApp(stack, "web", { ...inRg, name: "orders-web", servicePlanId: "/plan", siteConfig: {} });
    const orders = new WorkloadIdentity(stack, "orders", {
      identity: Identity.newUserAssigned({ ...inRg, name: "orders-id" }),
      compute: [AppServiceCompute.linuxWebApp(web)],
      grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads its API secrets")],
    });
    GuardrailSuppressions.add(orders, [
      { ...reason, ruleId: "IG026", reason: "the vault logs to the central workspace until Q3" },
    ]);
    expect(synth(stack)).toThrow(
      '[orders/orders] Suppressions on a construct that holds 2 of the stack\'s 3 resources, in effect suppressions on the stack: ["IG026"]. Fix: add each suppression on the resource the finding names (orders/orders/identity/key-vault-secrets-user-on-app-kv)',
    );
    // The workaround the message names works.
    const alone = stackWith({ severity: "error", today: "2026-11-22" });
    const app = new LinuxWebApp(alone, "web", { ...inRg, name: "orders-web", servicePlanId: "/plan", siteConfig: {} });
    const access = new WorkloadIdentity(alone, "orders", {
      identity: Identity.newUserAssigned({ ...inRg, name: "orders-id" }),
      compute: [AppServiceCompute.linuxWebApp(app)],
      grants: [KeyVaultTarget.fromId(alone, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads its API secrets")],
    });
    GuardrailSuppressions.add(access.grants[0].assignment!, [
      { ...reason, ruleId: "IG026", reason: "the vault logs to the central workspace until Q3" },
    ]);
    expect(synth(alone)).not.toThrow();
  });
});

describe("error findings fail the synth whatever CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS says", () => {
  const ROOT = join(__dirname, "..");
  const CONTINUE = { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" };

  /** A consumer app in a temp folder whose only finding is an Owner assignment for a user (IG001, IG003, IG021). */
  function appFolder(): string {
    const dir = tempDir();
    writeFileSync(
      join(dir, "main.ts"),
      `import { App, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { configureIdentityStack } from ${JSON.stringify(join(ROOT, "constructs"))};
const subscriptionId = "${SUBSCRIPTION}";
const app = new App({ stackTraces: false });
const stack = new TerraformStack(app, "orders");
new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId });
configureIdentityStack(stack, { subscriptionId, tenantId: "${TENANT}", guardrails: { severity: "error" } });
new RoleAssignment(stack, "owner", {
  name: "0d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
  scope: "/subscriptions/" + subscriptionId,
  roleDefinitionId: "/subscriptions/" + subscriptionId + "/providers/Microsoft.Authorization/roleDefinitions/${Roles.Owner.guid}",
  principalId: "0f0f0f0f-0000-4000-8000-0000000000a1",
  principalType: "User",
});
app.synth();
`,
    );
    const command = `node -r ${join(ROOT, "scripts", "register-swc.js")} main.ts`;
    writeFileSync(
      join(dir, "cdktf.json"),
      JSON.stringify({ language: "typescript", app: command, projectId: "gate", sendCrashReports: "false" }),
    );
    return dir;
  }

  const run = (dir: string, command: string, args: string[], env: Record<string, string>) =>
    spawnSync(command, args, {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NODE_PATH: join(ROOT, "node_modules"), CHECKPOINT_DISABLE: "1", ...env },
      timeout: 120_000,
    });

  it("fails a direct app run, writes no stack, and prints the findings without a stack trace", () => {
    const dir = appFolder();
    const result = run(dir, process.execPath, ["-r", join(ROOT, "scripts", "register-swc.js"), "main.ts"], CONTINUE);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("orders has 3 error finding(s):");
    expect(result.stderr).toContain(
      "[orders/owner] IG001 privileged-role at azurerm_role_assignment.owner: privileged role Owner",
    );
    expect(result.stderr).toContain("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS does not skip the guardrails");
    expect(result.stderr).not.toMatch(/\n\s+at .*synthesizer/);
    expect(existsSync(join(dir, "cdktf.out", "stacks", "orders", "cdk.tf.json"))).toBe(false);
  });

  it("fails cdktf synth, which sets the variable itself", () => {
    const dir = appFolder();
    const result = run(dir, join(ROOT, "node_modules", ".bin", "cdktf"), ["synth"], CONTINUE);
    expect(result.status).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toContain("IG001 privileged-role at azurerm_role_assignment.owner");
    expect(existsSync(join(dir, "cdktf.out", "stacks", "orders", "cdk.tf.json"))).toBe(false);
  }, 120_000);

  it.each([
    ["in code", (stack: TerraformStack, id: string) => stack.node.tryRemoveChild(id)],
    [
      "in an aspect",
      (stack: TerraformStack, id: string) =>
        Aspects.of(stack).add({ visit: (node) => void (node === stack && stack.node.tryRemoveChild(id)) }),
    ],
  ])("refuses a synth whose checks were removed from the stack %s", (_how, remove) => {
    for (const check of ["guardrails", "access-report", "cross-stack-check"]) {
      const stack = stackWith();
      owner(stack);
      remove(stack, check);
      expect(() => (stack.node.root as App).synth()).toThrow(
        `[orders] Checks of the stack did not run in this synth: their constructs were removed from the stack: ["orders/${check}"]. Fix: leave every construct configureIdentityStack adds in the stack`,
      );
    }
  });

  it("counts error annotations added by the hook of a construct made after configureIdentityStack", () => {
    // cdktf reads the variable when the stack is made.
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
    try {
      const stack = stackWith();
      const late = new Construct(stack, "late");
      Object.defineProperty(late, Symbol.for("cdktf/customSynthesis"), {
        value: { onSynthesize: () => Annotations.of(late).addError("late finding") },
      });
      expect(() => (stack.node.root as App).synth()).toThrow("[orders/late] late finding");
    } finally {
      delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    }
  });

  it("fails an in-process synth with the variable set, cross-stack errors too; warnings pass", () => {
    const saved = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
    try {
      const strict = stackWith();
      owner(strict);
      expect(() => (strict.node.root as App).synth()).toThrow(
        /IG001 privileged-role at azurerm_role_assignment\.owner/,
      );
      const crossStack = stackWith({ severity: "warning" });
      crossStack.addOverride("data.terraform_remote_state.other", { backend: "local" });
      expect(() => (crossStack.node.root as App).synth()).toThrow(
        /references another stack through a cross-stack token \(remote state other\)/,
      );
      const lenient = stackWith({ severity: "warning" });
      new UserAssignedIdentity(lenient, "idle", { name: "idle-id", ...inRg });
      expect(() => (lenient.node.root as App).synth()).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
      else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = saved;
    }
  });
});

describe("error findings stay fatal, tried further", () => {
  const VARIABLE = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS";
  const IG001 = /IG001 privileged-role at azurerm_role_assignment\.owner/;
  const written = (stack: TerraformStack) =>
    existsSync(join((stack.node.root as App).outdir, "stacks", stack.node.id, "cdk.tf.json"));
  /** A strict stack with an Owner assignment for a user, made with the continue variable set to `value`. */
  function failing(value?: string, app = new App({ outdir: tempDir(), stackTraces: false })) {
    const saved = process.env[VARIABLE];
    if (value !== undefined) process.env[VARIABLE] = value;
    try {
      const stack = new TerraformStack(app, "orders");
      new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
      configureIdentityStack(stack, {
        subscriptionId: SUBSCRIPTION,
        tenantId: TENANT,
        guardrails: { severity: "error" },
      });
      owner(stack);
      return stack;
    } finally {
      if (saved === undefined) delete process.env[VARIABLE];
      else process.env[VARIABLE] = saved;
    }
  }
  const synth = (stack: TerraformStack) => () => (stack.node.root as App).synth();

  it.each(["true", "1", "yes", "false", ""])("fails with the continue variable set to %j", (value) => {
    const stack = failing(value);
    expect(synth(stack)).toThrow(IG001);
    expect(written(stack)).toBe(false);
  });

  it("fails when the app skips validations", () => {
    expect(synth(failing(undefined, new App({ outdir: tempDir(), skipValidation: true })))).toThrow(IG001);
  });

  it("fails a second synth too, and a caught failure writes nothing whatever the exit code is set to", () => {
    const stack = failing("true");
    expect(synth(stack)).toThrow(IG001);
    expect(synth(stack)).toThrow(IG001);
    try {
      (stack.node.root as App).synth();
    } catch {
      process.exitCode = 0;
    }
    expect(written(stack)).toBe(false);
    process.exitCode = undefined;
  });

  it("fails whatever an aspect does to the annotations, and whatever info a construct adds", () => {
    const stack = failing("true");
    Aspects.of(stack).add({ visit: (node) => void (node.node.metadata as unknown[]).splice(0) });
    Annotations.of(stack.node.findChild("owner")).addInfo("IG001 reviewed: fine");
    expect(synth(stack)).toThrow(IG001);
  });

  it("fails when a later construct's synthesis hook erases the annotations the guardrails made", () => {
    const stack = failing("true");
    const eraser = new Construct(stack, "zz-eraser");
    Object.defineProperty(eraser, Symbol.for("cdktf/customSynthesis"), {
      value: {
        onSynthesize: () => stack.node.findAll().forEach((c) => void (c.node.metadata as unknown[]).splice(0)),
      },
    });
    expect(synth(stack)).toThrow(IG001);
    expect(written(stack)).toBe(false);
  });

  it("refuses a replaced synthesizer, which would write the stack without running the checks", () => {
    const stack = failing("true");
    expect(() => {
      (stack as { synthesizer: unknown }).synthesizer = { synthesize: () => undefined };
    }).toThrow(TypeError);
    expect(() => Object.assign(stack.synthesizer, { synthesize: () => undefined })).toThrow(TypeError);
    expect(synth(stack)).toThrow(IG001);
  });

  it("writes what it judged when toTerraform is overridden to hide a resource from the checks", () => {
    const stack = failing("true");
    const real = stack.toTerraform.bind(stack);
    let calls = 0;
    stack.toTerraform = () => {
      const json = real();
      // Clean for the first look, the Owner assignment for whatever reads it next.
      if (calls++ === 0) delete json.resource.azurerm_role_assignment;
      return json;
    };
    (stack.node.root as App).synth();
    const output = readFileSync(join((stack.node.root as App).outdir, "stacks", "orders", "cdk.tf.json"), "utf8");
    expect(output).not.toContain("azurerm_role_assignment");
  });

  it.each([
    ["severity warning", { severity: "warning" }, ["severity warning"]],
    ["a rule off", { severity: "error", rules: { IG001: "off" } }, ["IG001 off"]],
    [
      "a rule down to a warning",
      { severity: "error", rules: { IG021: "warning", IG003: "off" } },
      ["IG003 off", "IG021 warning"],
    ],
  ])("refuses guardrails turned down (%s) in a stack that declares production", (_what, guardrails, lowered) => {
    const stack = new TerraformStack(new App({ outdir: tempDir() }), "prod");
    expect(() =>
      configureIdentityStack(stack, {
        subscriptionId: SUBSCRIPTION,
        tenantId: TENANT,
        environment: { name: "prod", production: true },
        guardrails: guardrails as GuardrailSettings,
      }),
    ).toThrow(
      `[prod] Guardrails turned down in production environment prod: ${JSON.stringify(lowered)}. Fix: keep severity "error" and every rule on in production`,
    );
  });
});
