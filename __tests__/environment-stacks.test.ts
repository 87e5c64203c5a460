import { Testing } from "cdktf";
import { findRoleByGuid } from "../constructs/azure";
import { ENVIRONMENTS } from "../stacks/environment-settings";
import { EnvironmentStack } from "../stacks/environment-stack";
import { BootstrapStack } from "../stacks/bootstrap-stack";
import { readEstate } from "../constructs/estate";
import { unreachableTargetRule } from "../constructs/guardrails";
import { withoutRuntimeDifferences } from "../scripts/runtimes";
import { AZURERM_VERSION } from "./runtime";

const RULE_CONTEXT = {
  knownIssuers: [],
  developerGroups: new Set<string>(),
  estateGrants: new Set<string>(),
  today: "2026-01-01",
};

// Each environment's two stacks: the one the pipeline applies, and the admin's bootstrap stack.
const synthesized = new Map<string, Record<string, any>>(
  ENVIRONMENTS.flatMap((settings) => {
    const app = Testing.app();
    const environment = new EnvironmentStack(app, settings);
    const bootstrap = new BootstrapStack(app, settings, [environment]);
    return [environment, bootstrap].map(
      (stack) => [stack.node.id, JSON.parse(Testing.synth(stack)) as Record<string, any>] as const,
    );
  }),
);
const each = [...synthesized.entries()];
const resources = (json: Record<string, any>, type: string): Array<Record<string, any>> =>
  Object.values(json.resource?.[type] ?? {});

describe.each(each)("stack %s", (name, json) => {
  // One snapshot for both runtimes: their stacks differ in the versions they record and one renamed attribute.
  it("matches its snapshot", () => {
    expect(withoutRuntimeDifferences(json)).toMatchSnapshot();
  });

  it("pins the azurerm version the runtime's provider bindings were generated from", () => {
    expect(json.terraform.required_providers.azurerm).toEqual({ source: "azurerm", version: AZURERM_VERSION });
  });

  it("writes every role assignment with a deterministic name, ServicePrincipal and a catalogued, subscription-scoped role id", () => {
    const assignments = resources(json, "azurerm_role_assignment");
    expect(assignments.length).toBeGreaterThan(0);
    for (const a of assignments) {
      expect(a.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a.principal_type).toBe("ServicePrincipal");
      expect(a).not.toHaveProperty("role_definition_name");
      const [, subscription, guid] =
        /^\/subscriptions\/([0-9a-f-]{36})\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/.exec(
          a.role_definition_id,
        ) ?? [];
      expect(findRoleByGuid(guid ?? "")).toBeDefined();
      // The scope's subscription: the stack's own for its resources, the id's for an existing target.
      const scopeSubscription =
        /^\/subscriptions\/([0-9a-f-]{36})/.exec(a.scope)?.[1] ?? json.provider.azurerm[0].subscription_id;
      expect(subscription).toBe(scopeSubscription);
    }
    expect(new Set(assignments.map((a) => a.name)).size).toBe(assignments.length);
  });

  it("keeps its state in the azurerm backend with Entra ID auth and no machine path", () => {
    expect(json.terraform.backend).toEqual({
      azurerm: expect.objectContaining({ use_azuread_auth: true, key: `identity-grants/${name}.tfstate` }),
    });
    expect(new Set(each.map(([, j]) => j.terraform.backend.azurerm.key)).size).toBe(each.length);
    expect(JSON.stringify(json)).not.toContain(process.cwd());
  });

  it("makes every target identity-only: the vault in RBAC mode, the storage account without shared keys", () => {
    for (const vault of resources(json, "azurerm_key_vault")) expect(vault.rbac_authorization_enabled).toBe(true);
    // The one exception: an account a migration moves off its keys keeps them until phase keys-off.
    const migrating = new Set(
      ((json.locals?.identity_migrations ?? []) as { kind: string; phase: string; target?: string }[])
        .filter((m) => m.kind === "secret" && m.phase !== "keys-off")
        .map((m) => m.target),
    );
    expect([...migrating]).toEqual(
      name === "dev" ? [expect.stringMatching(/^azurerm_storage_account\.invoices_/)] : [],
    );
    const accounts = Object.entries(json.resource?.azurerm_storage_account ?? {}) as [string, Record<string, any>][];
    for (const [, account] of accounts.filter(([id]) => !migrating.has(`azurerm_storage_account.${id}`))) {
      expect(account.shared_access_key_enabled).toBe(false);
      expect(account.default_to_oauth_authentication).toBe(true);
    }
    expect(json.provider.azurerm[0].storage_use_azuread).toBe(true);
  });

  it("reaches each SQL server from orders-web through its private endpoint, with public access off (IG030 quiet)", () => {
    const servers = Object.entries(json.resource?.azurerm_mssql_server ?? {}) as [string, Record<string, any>][];
    for (const [address, server] of servers) {
      expect(server.public_network_access_enabled).toBe(false);
      const endpoints = resources(json, "azurerm_private_endpoint").filter(
        (e) => e.private_service_connection.private_connection_resource_id === `\${azurerm_mssql_server.${address}.id}`,
      );
      expect(endpoints.map((e) => e.private_service_connection.subresource_names)).toEqual([["sqlServer"]]);
    }
    const web = resources(json, "azurerm_linux_web_app").filter((app) => /-orders-web$/.test(app.name));
    if (servers.length > 0) expect(web.map((app) => typeof app.virtual_network_subnet_id)).toEqual(["string"]);
    expect(unreachableTargetRule.check(readEstate(json), RULE_CONTEXT)).toEqual([]);
  });

  it("holds no secret: no keys, passwords or connection strings in settings", () => {
    // The one connection string wired: Application Insights', which Microsoft does not count as a
    // secret, and which admits no telemetry without an Entra token once local authentication is off.
    const insights =
      /"APPLICATIONINSIGHTS_CONNECTION_STRING"(?:,"value")?:"\$\{azurerm_application_insights\.([A-Za-z0-9_-]+)\.connection_string\}"/g;
    for (const [, address] of JSON.stringify(json).matchAll(insights)) {
      expect(json.resource.azurerm_application_insights[address].local_authentication_disabled).toBe(true);
    }
    const text = JSON.stringify(json).replace(insights, "");
    expect(text).not.toMatch(
      /AccountKey=|SharedAccessSignature|[?&]sig=|"(admin_)?password"|client_secret|_access_key"|connection_string"/i,
    );
    for (const vm of [
      ...resources(json, "azurerm_linux_virtual_machine"),
      ...resources(json, "azurerm_linux_virtual_machine_scale_set"),
    ]) {
      expect(vm.disable_password_authentication).toBe(true);
    }
  });
});

describe("environments differ where teams differ", () => {
  const identities = (env: string) =>
    [env, `${env}-bootstrap`].flatMap((stack) => resources(synthesized.get(stack)!, "azurerm_user_assigned_identity"));

  it("protects production's user-assigned identities from destroy, the deployer's included, and only production's", () => {
    expect(identities("prod").map((i) => i.name)).toContain("contoso-prod-deployer-id");
    expect(identities("prod").every((i) => i.lifecycle?.prevent_destroy === true)).toBe(true);
    expect(identities("dev").some((i) => i.lifecycle?.prevent_destroy)).toBe(false);
    expect(identities("staging").some((i) => i.lifecycle?.prevent_destroy)).toBe(false);
  });

  it("grants the shared registry in the platform subscription, not the environment's", () => {
    for (const env of ENVIRONMENTS) {
      const json = synthesized.get(env.name)!;
      const acrPull = resources(json, "azurerm_role_assignment").filter((a) =>
        a.role_definition_id.endsWith("7f951dda-4ed3-4680-a7ca-43fe172d538d"),
      );
      expect(acrPull.map((a) => a.description).sort()).toEqual([
        "aks: nodes pull workload images",
        "catalog-api: pulls the catalog-api image",
        "checkout: pulls the checkout image",
        ...(env.name === "dev" ? ["load-generator: pulls the load generator image"] : []),
      ]);
      for (const a of acrPull) {
        expect(a.role_definition_id).toContain(ENVIRONMENTS[0].sharedRegistryId.split("/")[2]);
        expect(a.scope).toBe(ENVIRONMENTS[0].sharedRegistryId);
      }
    }
  });

  it("runs an optional workload only in the environments whose settings name it", () => {
    const groups = (env: string) =>
      resources(synthesized.get(env)!, "azurerm_container_group").map((g) => g.tags.workload);
    expect(groups("dev")).toEqual(["load-generator"]);
    expect(groups("staging")).toEqual([]);
    expect(groups("prod")).toEqual([]);
  });

  it("refuses an extra workload that is not registered as optional, naming the ones that are", () => {
    const settings = { ...ENVIRONMENTS[0], extraWorkloads: ["load-genrator"] };
    expect(() => new EnvironmentStack(Testing.app(), settings)).toThrow(
      '[dev] Environment dev names workloads that are not optional workloads: ["load-genrator"]. Fix: list names of OPTIONAL_WORKLOADS in stacks/workloads/index.ts (load-generator, invoices), or register the workload there',
    );
  });

  it("names a workload once: its construct id gives its tags, resource names, identity names and grant descriptions", () => {
    const json = synthesized.get("dev")!;
    const [checkout] = resources(json, "azurerm_container_app");
    expect(checkout.name).toBe("contoso-dev-checkout");
    expect(checkout.tags.workload).toBe("checkout");
    expect(resources(json, "azurerm_user_assigned_identity").map((i) => i.name)).toContain("contoso-dev-checkout-id");
    const checkoutGrants = resources(json, "azurerm_role_assignment").filter((a) =>
      a.description.startsWith("checkout: "),
    );
    expect(checkoutGrants).toHaveLength(3);
  });

  it("gives each environment its own names and SKUs", () => {
    const plans = ENVIRONMENTS.map((e) => resources(synthesized.get(e.name)!, "azurerm_service_plan")[0]);
    expect(plans.map((p) => p.sku_name)).toEqual(["S1", "S1", "P1v3"]);
    expect(new Set(plans.map((p) => p.name)).size).toBe(3);
  });
});
