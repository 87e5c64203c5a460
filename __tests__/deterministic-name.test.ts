import { Fn, Testing, TerraformOutput, TerraformStack } from "cdktf";
import { Roles } from "../constructs";
import { ASSIGNMENT_NAMESPACE, roleAssignmentName, uuidv5 } from "../constructs/core";
import { registryId, vaultId } from "./helpers";

const DNS_NAMESPACE = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
const identityId =
  "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/id-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-id";

describe("deterministic assignment names", () => {
  it("implements RFC 4122 UUID v5 (the published test vector)", () => {
    expect(uuidv5(DNS_NAMESPACE, "www.example.com")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
  });

  it("hashes scope, role GUID and identity resource id with the project namespace", () => {
    const name = roleAssignmentName(vaultId(), Roles.KeyVaultSecretsUser.guid, identityId);
    expect(name).toBe(
      uuidv5(ASSIGNMENT_NAMESPACE, [vaultId(), Roles.KeyVaultSecretsUser.guid, identityId].join("|").toLowerCase()),
    );
    expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("ignores the casing Azure ignores", () => {
    expect(roleAssignmentName(vaultId().toUpperCase(), Roles.AcrPull.guid, identityId)).toBe(
      roleAssignmentName(vaultId(), Roles.AcrPull.guid, identityId),
    );
  });

  it("differs whenever scope, role or identity differs (names are tenant-wide)", () => {
    const names = new Set([
      roleAssignmentName(vaultId(), Roles.AcrPull.guid, identityId),
      roleAssignmentName(registryId(), Roles.AcrPull.guid, identityId),
      roleAssignmentName(vaultId(), Roles.AcrPush.guid, identityId),
      roleAssignmentName(vaultId(), Roles.AcrPull.guid, `${identityId}-2`),
    ]);
    expect(names.size).toBe(4);
  });

  it("becomes a Terraform uuidv5 expression over the same values when one is only known to Terraform", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    const rgName = Fn.lower("Platform-RG"); // a value only Terraform computes
    const name = roleAssignmentName(
      vaultId(),
      Roles.AcrPull.guid,
      `/subscriptions/x/resourceGroups/${rgName}/providers/p/t/n`,
    );
    new TerraformOutput(stack, "name", { value: name, staticId: true });
    const out = JSON.parse(Testing.synth(stack)).output.name.value;
    expect(out).toBe(
      `\${uuidv5("${ASSIGNMENT_NAMESPACE}", lower(join("", ["${vaultId()}", "|", "${Roles.AcrPull.guid}", "|", "/subscriptions/x/resourceGroups/", lower("Platform-RG"), "/providers/p/t/n"])))}`,
    );
  });
});
