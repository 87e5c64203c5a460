import { App, TerraformResource, TerraformStack, Testing } from "cdktf";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { Roles, requiredResourceProviders } from "../constructs";
import { resourceProviderOf } from "../constructs/azure";
import { ENVIRONMENTS } from "../stacks/environment-settings";
import { EnvironmentStack } from "../stacks/environment-stack";
import { BootstrapStack } from "../stacks/bootstrap-stack";
import { testStack } from "./helpers";

type Json = Record<string, any>;
const resources = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});
const byRole = (json: Json, guid: string) =>
  resources(json, "azurerm_role_assignment").filter((a) => a.role_definition_id.endsWith(guid));

// What Azure needs that the provider cannot check, in every environment's synthesized stacks.
describe.each(ENVIRONMENTS.map((settings) => [settings.name, settings] as const))(
  "first deploy of %s",
  (_name, settings) => {
    const app = Testing.app();
    const environment = new EnvironmentStack(app, settings);
    const bootstrap = new BootstrapStack(app, settings, [environment]);
    const env: Json = JSON.parse(Testing.synth(environment));
    const boot: Json = JSON.parse(Testing.synth(bootstrap));

    it("registers no resource provider from the pipeline's stack, and every one its resources need from the bootstrap", () => {
      expect(env.provider.azurerm[0].resource_provider_registrations).toBe("none");
      expect(env.provider.azurerm[0].resource_providers_to_register).toBeUndefined();
      const provider = boot.provider.azurerm[0];
      expect(provider.resource_provider_registrations).toBe("none");
      // Derived from the types: each namespace is the first segment of a declared type's Azure type.
      const needed = [
        ...new Set([...Object.keys(env.resource), ...Object.keys(boot.resource)].map((t) => resourceProviderOf(t))),
      ]
        .filter((ns) => ns !== "Microsoft.Authorization" && ns !== "Microsoft.Resources")
        .sort();
      expect(provider.resource_providers_to_register).toEqual(needed);
      expect(provider.resource_providers_to_register).toEqual(
        expect.arrayContaining(["Microsoft.App", "Microsoft.ContainerService", "Microsoft.ManagedIdentity"]),
      );
    });

    it("grants the AKS control plane Network Contributor on the node subnet before the cluster exists", () => {
      const cluster = resources(env, "azurerm_kubernetes_cluster")[0];
      const [grant] = byRole(env, Roles.NetworkContributor.guid);
      expect(grant.scope).toBe(cluster.default_node_pool.vnet_subnet_id);
      expect(grant.principal_id).toBe(cluster.identity.identity_ids[0].replace(/\.id\}$/, ".principal_id}"));
      const address = Object.entries(env.resource.azurerm_role_assignment).find(([, a]) => a === grant)![0];
      expect(cluster.depends_on).toContain(`azurerm_role_assignment.${address}`);
      // The deployer may assign it, or the pipeline could not make the grant.
      const deployer = resources(boot, "azurerm_role_assignment").find((a) =>
        a.role_definition_id.endsWith(Roles.RoleBasedAccessControlAdministrator.guid),
      )!;
      expect(deployer.condition).toContain(Roles.NetworkContributor.guid);
    });

    it("runs AKS with settings that hold: explicit upgrade settings, Azure CNI overlay, a supported system pool", () => {
      const cluster = resources(env, "azurerm_kubernetes_cluster")[0];
      expect(cluster.default_node_pool.upgrade_settings).toEqual({ max_surge: "10%" });
      expect(cluster.network_profile).toEqual({ network_plugin: "azure", network_plugin_mode: "overlay" });
      expect(cluster.default_node_pool.node_count).toBeGreaterThanOrEqual(2);
      expect(cluster.default_node_pool.vm_size).toMatch(/^Standard_D([4-9]|\d\d)/);
    });

    it("keeps the Service Bus-triggered function app awake and its host storage grant ahead of it", () => {
      const fn = resources(env, "azurerm_linux_function_app")[0];
      expect(fn.site_config.always_on).toBe(true);
      expect(fn.identity.type).toBe("SystemAssigned, UserAssigned");
      const hostId = fn.identity.identity_ids[0];
      expect(fn.app_settings).toMatchObject({
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: hostId.replace(/\.id\}$/, ".client_id}"),
      });
      const owner = Object.entries<Json>(env.resource.azurerm_role_assignment).find(([, a]) =>
        a.role_definition_id.endsWith(Roles.StorageBlobDataOwner.guid),
      )!;
      expect(owner[1].principal_id).toBe(hostId.replace(/\.id\}$/, ".principal_id}"));
      expect(fn.depends_on).toContain(`azurerm_role_assignment.${owner[0]}`);
    });

    it("adds no subscription-wide right to the deployer: role definitions are readable without one", () => {
      const scopes = resources(boot, "azurerm_role_assignment").map((a) => a.scope);
      expect(scopes.filter((s) => typeof s === "string" && /^\/subscriptions\/[^/]+$/.test(s))).toEqual([]);
    });
  },
);

describe("resource providers to register", () => {
  it("follow the resource types: a new kind of resource adds its namespace", () => {
    const stack = testStack();
    new ResourceGroup(stack, "rg", { name: "rg", location: "westeurope" });
    expect(requiredResourceProviders(stack, [stack])).toEqual([]);
    new LogAnalyticsWorkspace(stack, "logs", { name: "logs", resourceGroupName: "rg", location: "westeurope" });
    expect(requiredResourceProviders(stack, [stack])).toEqual(["Microsoft.OperationalInsights"]);
    // Other providers' resources (a wait for RBAC propagation) are no Azure resource type.
    new TerraformResource(stack, "wait", { terraformResourceType: "time_sleep" });
    expect(requiredResourceProviders(stack, [stack])).toEqual(["Microsoft.OperationalInsights"]);
  });

  it("refuse a resource type whose namespace is unknown, naming it", () => {
    const stack = new TerraformStack(new App(), "odd");
    new TerraformResource(stack, "maps", { terraformResourceType: "azurerm_maps_account" });
    expect(() => requiredResourceProviders(stack, [stack])).toThrow(
      '[odd] The stacks declare resource types whose resource provider is not known, so the bootstrap cannot register it: ["azurerm_maps_account"]. Fix: name each type\'s namespace in the third argument',
    );
    expect(requiredResourceProviders(stack, [stack], { azurerm_maps_account: "Microsoft.Maps" })).toEqual([
      "Microsoft.Maps",
    ]);
  });
});
