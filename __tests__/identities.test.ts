import { Testing, TerraformStack } from "cdktf";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { ExistingUserAssignedIdentity, UserAssignedIdentity } from "../constructs";
import { resolveInStack } from "../constructs/azure";
import { only, OTHER_SUBSCRIPTION, resourcesOf, SUBSCRIPTION, TENANT, testStack } from "./helpers";

const identityId = (subscription = SUBSCRIPTION, name = "shared-id") =>
  `/subscriptions/${subscription}/resourceGroups/id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

describe("UserAssignedIdentity", () => {
  it("emits the identity and exposes its id, principal, client and tenant, and its id built from names", () => {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "api", {
      name: "api-id",
      resourceGroupName: "id-rg",
      location: "westeurope",
      tags: { team: "a" },
    });
    expect(only(resourcesOf(stack, "azurerm_user_assigned_identity"))).toEqual({
      name: "api-id",
      resource_group_name: "id-rg",
      location: "westeurope",
      tags: { team: "a" },
    });
    expect(resolveInStack(stack, identity.principalId)).toMatch(
      /^\$\{azurerm_user_assigned_identity\.api_identity_[0-9A-F]+\.principal_id\}$/,
    );
    expect(resolveInStack(stack, identity.clientId)).toMatch(/\.client_id\}$/);
    expect(resolveInStack(stack, identity.id)).toMatch(/\.id\}$/);
    expect(identity.tenantId).toBe(TENANT);
    expect(identity.principalResourceId.id).toBe(identityId(SUBSCRIPTION, "api-id"));
  });

  it("follows a reference to a resource group of the stack back to its literal name", () => {
    const stack = testStack();
    const rg = new ResourceGroup(stack, "rg", { name: "id-rg", location: "westeurope" });
    const identity = new UserAssignedIdentity(stack, "api", {
      name: "api-id",
      resourceGroupName: rg.name,
      location: rg.location,
    });
    expect(identity.principalResourceId.id).toBe(identityId(SUBSCRIPTION, "api-id"));
  });

  it("protects the identity from destroy when asked", () => {
    const stack = testStack();
    new UserAssignedIdentity(stack, "api", {
      name: "api-id",
      resourceGroupName: "id-rg",
      location: "westeurope",
      preventDestroy: true,
    });
    expect(only(resourcesOf(stack, "azurerm_user_assigned_identity")).lifecycle).toEqual({ prevent_destroy: true });
  });

  it.each(["a", "-starts-with-dash", "has space", "x".repeat(129), "dots.not.allowed"])(
    "refuses the name %j with the naming rule",
    (name) => {
      const stack = testStack();
      expect(
        () => new UserAssignedIdentity(stack, "api", { name, resourceGroupName: "rg", location: "westeurope" }),
      ).toThrow(
        `[test/api] User-assigned identity name breaks Azure's naming rule: ${JSON.stringify(name)}. Fix: use 3-128 characters`,
      );
    },
  );

  it("needs the stack's subscription, and says how to give it", () => {
    const stack = new TerraformStack(Testing.app(), "plain");
    expect(
      () => new UserAssignedIdentity(stack, "api", { name: "api-id", resourceGroupName: "rg", location: "westeurope" }),
    ).toThrow(
      /^\[plain\/api\] No Azure subscription is known for this stack: "plain"\. Fix: call configureIdentityStack\(stack, \{ subscriptionId, tenantId, guardrails \}\) on the stack first$/,
    );
  });
});

describe("ExistingUserAssignedIdentity", () => {
  it("reads principal and client id through a data source when the identity is in the stack's subscription", () => {
    const stack = testStack();
    const identity = new ExistingUserAssignedIdentity(stack, "shared", identityId());
    const json = JSON.parse(Testing.synth(stack));
    expect(only(json.data.azurerm_user_assigned_identity)).toEqual({ name: "shared-id", resource_group_name: "id-rg" });
    expect(resolveInStack(stack, identity.principalId)).toMatch(
      /^\$\{data\.azurerm_user_assigned_identity\..*\.principal_id\}$/,
    );
    expect(identity.id).toBe(identityId());
  });

  it("takes known ids for an identity in another subscription, without a lookup", () => {
    const stack = testStack();
    const identity = new ExistingUserAssignedIdentity(stack, "central", identityId(OTHER_SUBSCRIPTION), {
      principalId: "0f0f0f0f-0000-4000-8000-000000000001",
      clientId: "0f0f0f0f-0000-4000-8000-000000000002",
    });
    expect(identity.principalId).toBe("0f0f0f0f-0000-4000-8000-000000000001");
    expect(JSON.parse(Testing.synth(stack)).data).toBeUndefined();
  });

  it("refuses an identity in another subscription without its ids", () => {
    const stack = testStack();
    expect(() => new ExistingUserAssignedIdentity(stack, "central", identityId(OTHER_SUBSCRIPTION))).toThrow(
      /^\[test\/central\] An identity in another subscription cannot be read by this stack's provider: .*Fix: pass \{ principalId, clientId \}/,
    );
  });

  it("refuses a resource id that is not a user-assigned identity, or is malformed", () => {
    const stack = testStack();
    expect(
      () =>
        new ExistingUserAssignedIdentity(
          stack,
          "x",
          `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Web/sites/app`,
        ),
    ).toThrow(/^\[test\/x\] Resource id is not a user-assigned identity/);
    expect(() => new ExistingUserAssignedIdentity(stack, "y", "shared-id")).toThrow(
      /^\[test\/y\] Malformed Azure resource id/,
    );
  });

  it("refuses a principal id that is not a GUID", () => {
    const stack = testStack();
    expect(
      () =>
        new ExistingUserAssignedIdentity(stack, "z", identityId(), {
          principalId: "api-id",
          clientId: "0f0f0f0f-0000-4000-8000-000000000002",
        }),
    ).toThrow(
      '[test/z] The identity\'s principal id is not a GUID (8-4-4-4-12 hexadecimal digits, no braces): "api-id". Fix: pass the principal id as `az identity show --ids <id> --query principalId` prints it',
    );
  });
});
