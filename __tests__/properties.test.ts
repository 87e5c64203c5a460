import fc from "fast-check";
import { TerraformStack, Testing } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { ContainerApp } from "@cdktf/provider-azurerm/lib/container-app";
import {
  AppServiceCompute,
  AttachableCompute,
  ContainerAppCompute,
  ContainerRegistryTarget,
  GrantRequest,
  Identity,
  IdentityConfigError,
  KeyVaultTarget,
  Roles,
  ScopeTarget,
  StorageAccountTarget,
  UserAssignedIdentity,
  VirtualMachineCompute,
  WorkloadIdentity,
} from "../constructs";
import { readEstate } from "../constructs/estate";
import { evaluateGuardrails, RULE_CATALOGUE, RULES } from "../constructs/guardrails";
import { registryId, SUBSCRIPTION, testStack, vaultId, inRg } from "./helpers";

const accountId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/acct`;
const justification = "the batch job rebuilds the whole group every night";

/** Every way a workload may ask for access through the public API, the refused ones included. */
const GRANTS: ReadonlyArray<(s: TerraformStack) => GrantRequest> = [
  (s) => KeyVaultTarget.fromId(s, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets"),
  (s) => StorageAccountTarget.fromId(s, accountId).container("docs").allow(Roles.StorageBlobDataReader, "reads docs"),
  (s) =>
    StorageAccountTarget.fromId(s, accountId).queue("jobs").allow(Roles.StorageQueueDataMessageProcessor, "works jobs"),
  (s) => ContainerRegistryTarget.fromId(s, registryId()).allow(Roles.AcrPull, "pulls images"),
  (s) =>
    StorageAccountTarget.fromId(s, accountId).allow(Roles.StorageBlobDataOwner, "manages containers", {
      justification,
    }),
  (s) =>
    ScopeTarget.fromId(s, `/subscriptions/${SUBSCRIPTION}/resourceGroups/batch-rg`).allow(
      Roles.Contributor,
      "rebuilds batch",
      { justification },
    ),
  // Refused: the policy lets neither through without a justification.
  (s) => StorageAccountTarget.fromId(s, accountId).allow(Roles.StorageBlobDataOwner, "owns the account"),
  (s) => ScopeTarget.fromId(s, vaultId()).allow(Roles.Owner, "make the 403 go away"),
];
const REFUSED = 2;

/** Workloads the API builds; `withRefused` adds the requests it must refuse (an unjustified Owner). */
const workload = (withRefused: boolean) =>
  fc
    .record({
      identity: fc.constantFrom("system", "own", "shared"),
      compute: fc.constantFrom("web", "vm", "container"),
      grants: fc.uniqueArray(fc.nat({ max: GRANTS.length - 1 - (withRefused ? 0 : REFUSED) }), { maxLength: 4 }),
    })
    // A container app pulls only through a user-assigned identity: give it one.
    .map((w) => (w.compute === "container" && w.identity === "system" ? { ...w, identity: "own" } : w));
const estate = fc.array(workload(false), { minLength: 1, maxLength: 5 });
const estateWithRefusals = fc.array(workload(true), { minLength: 1, maxLength: 5 });
type Estate = ReadonlyArray<{ identity: string; compute: string; grants: number[] }>;

function compute(stack: TerraformStack, kind: string, name: string): AttachableCompute {
  if (kind === "web")
    return AppServiceCompute.linuxWebApp(
      new LinuxWebApp(stack, `${name}-web`, { ...inRg, name: `${name}-web`, servicePlanId: "/plan", siteConfig: {} }),
    );
  if (kind === "vm") {
    return VirtualMachineCompute.of(
      new LinuxVirtualMachine(stack, `${name}-vm`, {
        ...inRg,
        name: `${name}-vm`,
        size: "Standard_B2s",
        networkInterfaceIds: ["/nic"],
        osDisk: { caching: "ReadWrite" },
      }),
    );
  }
  const app = new ContainerApp(stack, `${name}-app`, {
    name: `${name}-app`,
    resourceGroupName: "app-rg",
    containerAppEnvironmentId: "/env",
    revisionMode: "Single",
    template: { container: [{ name: "main", image: "platformacr.azurecr.io/main:1", cpu: 0.5, memory: "1Gi" }] },
  });
  return ContainerAppCompute.of(app);
}

/** Builds the estate; returns the stack, or the refusal when the API would not build it. */
function build(spec: Estate): { stack: TerraformStack } | { refused: IdentityConfigError } {
  const stack = testStack();
  try {
    const shared = new UserAssignedIdentity(stack, "shared", { name: "shared-id", ...inRg });
    spec.forEach((w, i) => {
      const identity =
        w.identity === "system"
          ? Identity.systemAssigned()
          : w.identity === "shared"
            ? Identity.userAssigned(shared)
            : Identity.newUserAssigned({ name: `w${i}-id`, ...inRg });
      new WorkloadIdentity(stack, `w${i}`, {
        identity,
        compute: [compute(stack, w.compute, `w${i}`)],
        grants: w.grants.map((g) => GRANTS[g](stack)),
      });
    });
    return { stack };
  } catch (e) {
    if (e instanceof IdentityConfigError) return { refused: e };
    throw e;
  }
}

const assignmentsOf = (stack: TerraformStack): Array<Record<string, any>> =>
  Object.values(JSON.parse(Testing.synth(stack)).resource?.azurerm_role_assignment ?? {});

describe("any estate built through the public API", () => {
  it("names every assignment with a unique, deterministic UUID", () => {
    fc.assert(
      fc.property(estate, (spec) => {
        const built = build(spec);
        if ("refused" in built) throw built.refused;
        const names = assignmentsOf(built.stack).map((a) => a.name);
        for (const name of names)
          expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(new Set(names).size).toBe(names.length);
      }),
      { numRuns: 40 },
    );
  });

  it("holds no privileged role, broad data role or broad scope without a justification in code, which suppresses exactly the rules it passes", () => {
    fc.assert(
      fc.property(estateWithRefusals, (spec) => {
        const built = build(spec);
        if ("refused" in built) {
          expect(spec.some((w) => w.grants.some((g) => g >= GRANTS.length - REFUSED))).toBe(true);
          expect(built.refused.message).toMatch(
            / (IG001 privileged-role: privileged role Owner|IG002 broad-data-role: broad data role Storage Blob Data Owner) for workload identity /,
          );
          return;
        }
        const policyIds = new Set(RULE_CATALOGUE.filter((r) => r.family === "policy").map((r) => r.id));
        const findings = evaluateGuardrails(built.stack, { severity: "error", today: "2026-11-22" }).filter((f) =>
          policyIds.has(f.ruleId),
        );
        for (const f of findings) expect(f.suppression?.reason).toBe(`justified in code: ${justification}`);
        const owners = assignmentsOf(built.stack).filter((a) =>
          a.role_definition_id.endsWith(Roles.StorageBlobDataOwner.guid),
        );
        expect(findings.filter((f) => f.ruleId === "IG002")).toHaveLength(owners.length);
      }),
      { numRuns: 40 },
    );
  });

  it("synthesizes byte-identically when built twice", () => {
    fc.assert(
      fc.property(estate, (spec) => {
        const [a, b] = [build(spec), build(spec)];
        if ("refused" in a) throw a.refused;
        if ("refused" in b) throw b.refused;
        expect(Testing.synth(a.stack)).toBe(Testing.synth(b.stack));
      }),
      { numRuns: 25 },
    );
  });
});

/** Every shape a principal id takes in Terraform JSON, with who it is and whether synth can know. */
const PRINCIPALS: ReadonlyArray<{
  readonly value: string;
  readonly type?: string;
  readonly workload: boolean;
  readonly verifiable: boolean;
}> = [
  {
    value: "${azurerm_user_assigned_identity.app.principal_id}",
    type: "ServicePrincipal",
    workload: true,
    verifiable: true,
  },
  {
    value: "${data.azurerm_user_assigned_identity.existing.principal_id}",
    type: "ServicePrincipal",
    workload: true,
    verifiable: true,
  },
  {
    value: "${azurerm_linux_web_app.web.identity[0].principal_id}",
    type: "ServicePrincipal",
    workload: true,
    verifiable: true,
  },
  { value: "0f0f0f0f-0000-4000-8000-00000000000a", type: "ServicePrincipal", workload: true, verifiable: true },
  { value: "0f0f0f0f-0000-4000-8000-00000000000b", type: "User", workload: false, verifiable: true },
  { value: "0f0f0f0f-0000-4000-8000-00000000000c", type: "Group", workload: false, verifiable: true },
  { value: "0f0f0f0f-0000-4000-8000-00000000000d", workload: false, verifiable: true },
  {
    value: "${azurerm_user_assigned_identity.app.client_id}",
    type: "ServicePrincipal",
    workload: false,
    verifiable: true,
  },
  { value: "${azurerm_key_vault.vault.id}", type: "ServicePrincipal", workload: false, verifiable: true },
  { value: "${var.principal}", type: "ServicePrincipal", workload: false, verifiable: false },
  { value: "${local.principal}", type: "ServicePrincipal", workload: false, verifiable: false },
  { value: "${module.identity.principal_id}", type: "ServicePrincipal", workload: false, verifiable: false },
  {
    value: "${data.azurerm_client_config.current.object_id}",
    type: "ServicePrincipal",
    workload: false,
    verifiable: false,
  },
  { value: "${lower(var.principal)}", type: "ServicePrincipal", workload: false, verifiable: false },
];

describe("any principal written into an assignment", () => {
  const base = {
    resource: {
      azurerm_user_assigned_identity: {
        app: { name: "app-id", resource_group_name: "app-rg", location: "westeurope" },
      },
      azurerm_linux_web_app: {
        web: { name: "web", resource_group_name: "app-rg", identity: [{ type: "SystemAssigned" }] },
      },
      azurerm_key_vault: { vault: { name: "app-kv", resource_group_name: "app-rg", rbac_authorization_enabled: true } },
    },
    data: { azurerm_user_assigned_identity: { existing: { name: "old-id", resource_group_name: "app-rg" } } },
  };

  it("is judged: data, privileged and identity-operating roles only for workload principals, and nothing only Terraform knows", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PRINCIPALS),
        fc.constantFrom(Roles.KeyVaultSecretsUser, Roles.Owner, Roles.ManagedIdentityOperator),
        (principal, role) => {
          const json = structuredClone(base) as Record<string, any>;
          json.resource.azurerm_role_assignment = {
            grant: {
              name: "0d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
              scope: "${azurerm_key_vault.vault.id}",
              role_definition_id: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
              principal_id: principal.value,
              ...(principal.type ? { principal_type: principal.type } : {}),
            },
          };
          const estate = readEstate(json);
          const fired = new Set(
            RULES.flatMap((rule) =>
              rule.check(estate, {
                knownIssuers: [],
                developerGroups: new Set(),
                estateGrants: new Set(),
                today: "2026-01-01",
              }).length > 0
                ? [rule.id]
                : [],
            ),
          );
          expect(fired.has("IG021")).toBe(!principal.workload);
          expect(fired.has("IG022")).toBe(!principal.verifiable);
          expect(fired.has("IG001")).toBe(role === Roles.Owner);
        },
      ),
      { numRuns: 60 },
    );
  });
});
