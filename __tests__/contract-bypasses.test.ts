import { Testing } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { ResourceGroupTemplateDeployment } from "@cdktf/provider-azurerm/lib/resource-group-template-deployment";
import { UserAssignedIdentity as RawUai } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { azureRole, defineService, notApplicable, ServiceDefinition, ServiceTarget } from "../constructs";
import { findRoleByGuid, lookupRoleByName } from "../constructs/azure";
import { evaluateGuardrails, findSecrets } from "../constructs/guardrails";
import { inRg, refusal, testStack, SUBSCRIPTION } from "./helpers";

// Repros of an adversarial review: a consumer-defined service quieting the guardrails on shipped services.

const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const NA = notApplicable("not part of this test");
const base = (name: string, ns: string) => ({
  name,
  namespaces: [ns],
  resourceTypes: NA,
  roles: NA,
  authorization: NA,
  assignments: NA,
  keys: NA,
  audit: NA,
  network: NA,
  mocks: NA,
});
const rules = (stack: ReturnType<typeof testStack>) =>
  evaluateGuardrails(stack, { severity: "error" }).map((f) => f.ruleId);
const ownerAssignmentStack = () => {
  const stack = testStack();
  const id = new RawUai(stack, "u", { ...inRg, name: "u" });
  new RoleAssignment(stack, "own", {
    scope: `/subscriptions/${SUBSCRIPTION}`,
    roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
    principalId: id.principalId,
    principalType: "ServicePrincipal",
  });
  return stack;
};

describe("a definition that could change after its checks", () => {
  it("with a prototype is refused, naming the service and what to write instead", () => {
    const def = Object.assign(Object.create({ x: 1 }), {
      ...base("Evil Proto", "Microsoft.EvilProto"),
      roles: { EvilReader: azureRole("Evil Reader", "11111111-1111-4111-8111-111111111111", "Evil Proto", "data", {}) },
    }) as ServiceDefinition;
    expect(refusal(() => defineService(def)).message).toMatch(
      /^\[defineService\] Evil Proto definition: it is not a plain object, array, function or regular expression .*Fix: write the part as object literals and arrays$/,
    );
    expect(findRoleByGuid(OWNER)?.plane).toBe("privileged");
  });

  it("with a getter is refused: the part read at synth would not be the one checked", () => {
    const def: Record<string, unknown> = { ...base("Evil Getter", "Microsoft.EvilGetter") };
    Object.defineProperty(def, "keys", { enumerable: true, get: () => NA });
    expect(refusal(() => defineService(def as unknown as ServiceDefinition)).message).toMatch(
      /^\[defineService\] Evil Getter definition: "keys" is an accessor \(getter or setter\).*Fix: give "keys" as a plain value$/,
    );
  });

  it("with a class instance as a part is refused", () => {
    class Roles {
      EvilC = azureRole("Evil C", "22222222-2222-4222-8222-222222222222", "Evil Class", "data", {});
    }
    const def = { ...base("Evil Class", "Microsoft.EvilClass"), roles: new Roles() };
    expect(refusal(() => defineService(def as unknown as ServiceDefinition)).message).toMatch(
      /^\[defineService\] Evil Class definition\.roles: it is not a plain object/,
    );
  });

  it("is registered as a snapshot: changing the consumer's own objects afterwards changes nothing", () => {
    const roles: Record<string, unknown> = {
      EvilSnap: azureRole("Evil Snap", "33333333-3333-4333-8333-333333333333", "Evil Snap", "data", {}),
    };
    const defined = defineService({
      ...base("Evil Snap", "Microsoft.EvilSnap"),
      roles,
    } as unknown as ServiceDefinition);
    roles.EvilSnap = azureRole("Owner", OWNER, "Evil Snap", "data", { dataActions: ["x/read"] });
    expect(defined.roles).not.toBe(roles);
    expect(Object.isFrozen(defined.roles)).toBe(true);
    expect(findRoleByGuid(OWNER)?.plane).toBe("privileged");
    expect(lookupRoleByName("Owner")?.service).toBe("Any resource");
    expect(rules(ownerAssignmentStack())).toContain("IG001");
  });
});

describe("a consumer's assignments dialect", () => {
  const templateStack = () => {
    const stack = testStack();
    new ResourceGroupTemplateDeployment(stack, "t", {
      name: "t",
      resourceGroupName: "rg",
      deploymentMode: "Incremental",
      templateContent: '{"resources":[{"type":"Microsoft.Authorization/roleAssignments"}]}',
    });
    return stack;
  };

  it("naming a type it does not own is refused, and a template deployment stays refused unread (IG022)", () => {
    expect(rules(templateStack())).toContain("IG022");
    const message = refusal(() =>
      defineService({
        ...base("Evil Dialect", "Microsoft.EvilDialect"),
        assignments: {
          dialects: [
            { system: "azure-rbac", terraformTypes: ["azurerm_resource_group_template_deployment"], read: () => [] },
          ],
        },
      }),
    ).message;
    expect(message).toMatch(
      /^\[defineService\] Evil Dialect assignments\.dialects\[0\]\.terraformTypes\[0\]: azurerm_resource_group_template_deployment is not a terraform type of Evil Dialect's resourceTypes.*Fix: name Evil Dialect's own types/,
    );
    expect(rules(templateStack())).toContain("IG022");
  });

  it("over a granting type it claims as its own is refused", () => {
    const message = refusal(() =>
      defineService({
        ...base("Evil Claim", "Microsoft.EvilClaim"),
        resourceTypes: {
          deployment: {
            kind: "deployment",
            azureType: "Microsoft.EvilClaim/deployments",
            terraformType: "azurerm_subscription_template_deployment",
            id: "inResourceGroup",
          },
        },
        assignments: {
          dialects: [
            { system: "azure-rbac", terraformTypes: ["azurerm_subscription_template_deployment"], read: () => [] },
          ],
        },
      }),
    ).message;
    expect(message).toMatch(
      /^\[defineService\] Evil Claim assignments\.dialects\[0\]\.terraformTypes\[0\]: azurerm_subscription_template_deployment grants access in a form the library refuses unread \(IG022\).*Fix: grant through the library's targets/,
    );
  });

  it("reading a granting type through a generic writer is refused", () => {
    const message = refusal(() =>
      defineService({
        ...base("Evil Generic", "Microsoft.EvilGeneric"),
        resourceTypes: {
          thing: { kind: "thing", azureType: "Microsoft.EvilGeneric/things", id: "inResourceGroup" },
        },
        assignments: {
          dialects: [
            {
              system: "azure-rbac",
              azureType: { type: "Microsoft.EvilGeneric/things", genericTypes: ["azapi_resource_action"] },
              read: () => [],
            },
          ],
        },
      }),
    ).message;
    expect(message).toMatch(
      /^\[defineService\] Evil Generic assignments\.dialects\[0\]\.azureType\.genericTypes\[0\]: azapi_resource_action is not a generic type the library's services read/,
    );
  });
});

describe("the secret scan", () => {
  const keyApp = () => ({
    resource: {
      azurerm_storage_account: { s: { name: "s" } },
      azurerm_api_management_subscription: { sub: { display_name: "x" } },
      azurerm_linux_web_app: {
        app: {
          name: "app",
          app_settings: {
            KEY: "${azurerm_storage_account.s.primary_access_key}",
            APIM: "${azurerm_api_management_subscription.sub.primary_key}",
          },
        },
      },
    },
  });
  const hits = () => findSecrets(keyApp()).map((h) => h.where);

  it("keeps a type no service owns: a consumer claiming it cannot exempt its secret", () => {
    const before = hits();
    expect(before).toHaveLength(2);
    const message = refusal(() =>
      defineService({
        ...base("API Management", "Microsoft.ApiManagement"),
        resourceTypes: {
          sub: {
            kind: "APIM subscription",
            azureType: "Microsoft.ApiManagement/service/subscriptions",
            terraformType: "azurerm_api_management_subscription",
            id: { path: "subscriptions", parentId: "api_management_id" },
          },
        },
        keys: {
          secretAttributes: { azurerm_api_management_subscription: "primary_key" },
          notSecretWhen: { azurerm_api_management_subscription: { paths: ["primary_key"], when: () => true } },
        },
      }),
    ).message;
    expect(message).toMatch(
      /^\[defineService\] API Management keys\.notSecretWhen\.azurerm_api_management_subscription: "primary_key" is a secret of the library's table of types no service owns.*Fix: narrow only attribute paths API Management lists/,
    );
    expect(hits()).toEqual(before);
  });

  it("narrows only paths the service itself lists as secret", () => {
    const message = refusal(() =>
      defineService({
        ...base("Evil Narrow", "Microsoft.EvilNarrow"),
        resourceTypes: {
          acct: {
            kind: "account",
            azureType: "Microsoft.EvilNarrow/accounts",
            terraformType: "azurerm_evil_narrow",
            id: "inResourceGroup",
          },
        },
        keys: {
          secretAttributes: { azurerm_evil_narrow: "primary_key" },
          notSecretWhen: { azurerm_evil_narrow: { paths: ["primary_key", "secondary_key"], when: () => true } },
        },
      }),
    ).message;
    expect(message).toMatch(
      /^\[defineService\] Evil Narrow keys\.notSecretWhen\.azurerm_evil_narrow: "secondary_key" is not in Evil Narrow's keys\.secretAttributes\.azurerm_evil_narrow.*Fix: narrow only attribute paths/,
    );
  });
});

describe("ids of a consumer's grant target", () => {
  const maps = defineService({
    ...base("Contract Maps", "Microsoft.Maps"),
    resourceTypes: {
      account: {
        kind: "Maps account",
        azureType: "Microsoft.Maps/accounts",
        terraformType: "azurerm_maps_account",
        services: ["Contract Maps"],
        id: "inResourceGroup",
        name: {
          min: 1,
          max: 98,
          pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
          text: "letters, digits, periods, underscores, hyphens",
        },
      },
    },
    roles: {
      MapsReader: azureRole("Azure Maps Data Reader", "423170ca-a8f6-4b0f-8487-9e4eb8f49bfa", "Contract Maps", "data", {
        dataActions: ["Microsoft.Maps/accounts/*/read"],
      }),
    },
    authorization: { system: "azure-rbac" },
  } as const);
  const account = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Maps/accounts`;

  it("accepts a plain id", () => {
    expect(ServiceTarget.fromId(testStack(), maps, "account", `${account}/acct`).resourceId.id).toBe(`${account}/acct`);
  });

  it.each([
    ["${var.x}", 'its segment "${var.x}" holds an interpolation'],
    ["$${x}", 'its segment "$${x}" holds an interpolation'],
    ["%{x}", 'it contains a "%"'],
    ['a"b', 'its segment "a"b" holds'],
    ["a'b", 'its segment "a\'b" holds'],
    ["a..b", 'its segment "a..b" holds'],
  ])("refuses %s in a name", (name, problem) => {
    const error = refusal(() => ServiceTarget.fromId(testStack(), maps, "account", `${account}/${name}`));
    expect(error.message).toContain(`Malformed Azure resource id (${problem}`);
    expect(error.message).toContain("Fix: copy the id exactly as Azure prints it");
  });

  it("never writes an interpolated scope into a role assignment", () => {
    const stack = testStack();
    expect(() => ServiceTarget.fromId(stack, maps, "account", `${account}/\${var.x}`)).toThrow(/interpolation/);
    expect(JSON.parse(Testing.synth(stack)).resource?.azurerm_role_assignment).toBeUndefined();
  });

  it("a grant target without a name rule is refused at defineService", () => {
    const message = refusal(() =>
      defineService({
        ...base("Unnamed Maps", "Microsoft.UnnamedMaps"),
        resourceTypes: {
          account: {
            kind: "Unnamed account",
            azureType: "Microsoft.UnnamedMaps/accounts",
            services: ["Unnamed Maps"],
            id: "inResourceGroup",
          },
        },
      }),
    ).message;
    expect(message).toMatch(
      /^\[defineService\] Unnamed Maps resourceTypes\.account: a grant target \(it has services\) has no name rule.*Fix: give Microsoft's naming rule/,
    );
  });
});
