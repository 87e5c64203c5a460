import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { configureIdentityStack, KeyVaultTarget, ResourceId } from "../constructs";
import { requireGuid } from "../constructs/azure";
import { refusal, SUBSCRIPTION, TENANT, testStack, vaultId } from "./helpers";

describe("ResourceId", () => {
  it("parses a resource id into subscription, group, type and name", () => {
    const id = ResourceId.parse("t", vaultId());
    expect(id).toMatchObject({
      level: "resource",
      subscriptionId: SUBSCRIPTION,
      resourceGroup: "app-rg",
      type: "Microsoft.KeyVault/vaults",
    });
    expect(id.name).toBe("app-kv");
  });

  it("parses sub-resources with their full type path", () => {
    const id = ResourceId.parse(
      "t",
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/queueServices/default/queues/jobs`,
    );
    expect(id.type).toBe("Microsoft.Storage/storageAccounts/queueServices/queues");
    expect(id.names).toEqual(["acct", "default", "jobs"]);
    expect(id.name).toBe("jobs");
  });

  it.each([
    [`/subscriptions/${SUBSCRIPTION}`, "subscription"],
    [`/subscriptions/${SUBSCRIPTION}/resourceGroups/rg`, "resourceGroup"],
    ["/providers/Microsoft.Management/managementGroups/corp", "managementGroup"],
  ])("knows %s is at %s level", (id, level) => {
    expect(ResourceId.parse("t", id).level).toBe(level);
  });

  it("builds ids from names and children under them", () => {
    const site = ResourceId.fromNames("t", {
      subscriptionId: SUBSCRIPTION,
      resourceGroup: "rg",
      type: "Microsoft.Web/sites",
      name: "app",
    });
    expect(site.child("slots", "staging").id).toBe(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Web/sites/app/slots/staging`,
    );
    expect(site.child("slots", "staging").type).toBe("Microsoft.Web/sites/slots");
    expect(site.contains(site.child("slots", "staging"))).toBe(true);
  });

  it.each([
    ["no leading slash", "subscriptions/x", /must start with \//],
    ["a subscription that is not a GUID", "/subscriptions/prod/resourceGroups/rg", /subscription "prod" is not a GUID/],
    [
      "a missing resource group segment",
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.KeyVault/vaults/kv`,
      /resourceGroups\/<name>/,
    ],
    [
      "a dangling type without a name",
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults`,
      /providers\/<Namespace>\/<type>\/<name>/,
    ],
    ["an empty segment", `/subscriptions/${SUBSCRIPTION}//resourceGroups/rg`, /no empty segment/],
  ])("refuses an id with %s, naming the path, value and fix", (_, id, why) => {
    expect(() => ResourceId.parse("dev/workload", id)).toThrow(why);
    expect(() => ResourceId.parse("dev/workload", id)).toThrow(`[dev/workload] Malformed Azure resource id`);
    expect(() => ResourceId.parse("dev/workload", id)).toThrow(/Fix: /);
  });

  it("refuses a malformed subscription id with the fix", () => {
    expect(() => requireGuid("dev", "subscription id", "1234")).toThrow(
      '[dev] subscription id is not a GUID: "1234". Fix: pass the subscription id as 8-4-4-4-12 hexadecimal digits',
    );
    expect(() =>
      ResourceId.fromNames("dev", {
        subscriptionId: "my-sub",
        resourceGroup: "rg",
        type: "Microsoft.Web/sites",
        name: "a",
      }),
    ).toThrow(/subscription id is not a GUID: "my-sub"/);
  });

  // Built into ids, hashed into names and compared as tenants at synth: a placeholder would pass
  // for a GUID it is not (lower-cased, a token's placeholder is no longer a token).
  it("refuses a token for a GUID wherever the library takes one: subscription, tenant, developer group", () => {
    const stack = new TerraformStack(Testing.app(), "dev");
    const token = new TerraformVariable(stack, "sub", { type: "string" }).stringValue;
    const tokenProblem = (what: string) =>
      `The ${what} is a value only Terraform knows (a token), so nothing built from it is known before apply`;
    expect(
      refusal(() =>
        ResourceId.fromNames("dev", {
          subscriptionId: token,
          resourceGroup: "rg",
          type: "Microsoft.Web/sites",
          name: "a",
        }),
      ).problem,
    ).toBe(tokenProblem("subscription id"));
    expect(
      refusal(() =>
        configureIdentityStack(stack, { subscriptionId: token, tenantId: TENANT, guardrails: { severity: "error" } }),
      ).problem,
    ).toBe(tokenProblem("subscription id"));
    const other = testStack("other");
    expect(refusal(() => KeyVaultTarget.fromId(other, vaultId(), { tenantId: token })).problem).toBe(
      tokenProblem("tenant id"),
    );
    expect(refusal(() => requireGuid(other, "developer group object id", token)).fix).toBe(
      "pass the developer group object id as a literal GUID (8-4-4-4-12 hexadecimal digits; `az account show` prints the subscription's id and tenantId): a variable, a data source's attribute or another resource's cannot stand in for it",
    );
  });
});
