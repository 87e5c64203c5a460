import { TerraformStack } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { LinuxFunctionApp } from "@cdktf/provider-azurerm/lib/linux-function-app";
import {
  AppServiceCompute,
  ContainerRegistryTarget,
  Identity,
  KeyVaultTarget,
  Roles,
  UserAssignedIdentity,
  WorkloadIdentity,
} from "../constructs";
import { roleAssignmentName } from "../constructs/core";
import { resolveInStack } from "../constructs/azure";
import { only, registryId, resourcesOf, SUBSCRIPTION, testStack, vaultId } from "./helpers";

function webApp(stack: TerraformStack, props: Partial<ConstructorParameters<typeof LinuxWebApp>[2]> = {}) {
  return new LinuxWebApp(stack, "app", {
    name: "shop-web",
    resourceGroupName: "shop-rg",
    location: "westeurope",
    servicePlanId: "/plan",
    siteConfig: {},
    ...props,
  });
}

const slotOf = (stack: TerraformStack, app: LinuxWebApp) =>
  new LinuxWebAppSlot(stack, "staging", { name: "staging", appServiceId: app.id, siteConfig: {} });
const siteId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/shop-rg/providers/Microsoft.Web/sites/shop-web`;

describe("WorkloadIdentity on App Service", () => {
  it("enables the system-assigned identity and grants it, named from the app's id", () => {
    const stack = testStack();
    const app = webApp(stack);
    const access = new WorkloadIdentity(stack, "shop", {
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxWebApp(app)],
      grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_web_app")).identity).toEqual({ type: "SystemAssigned" });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment.principal_id).toBe("${azurerm_linux_web_app.app.identity[0].principal_id}");
    expect(assignment.name).toBe(roleAssignmentName(vaultId(), Roles.KeyVaultSecretsUser.guid, siteId));
    expect(access.principals.map((p) => p.principalResourceId.id)).toEqual([siteId]);
  });

  it("gives each slot its own system-assigned principal holding the same grants", () => {
    const stack = testStack();
    const app = webApp(stack);
    const slot = slotOf(stack, app);
    new WorkloadIdentity(stack, "shop", {
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxWebApp(app, { slots: [slot] })],
      grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_web_app_slot")).identity).toEqual({ type: "SystemAssigned" });
    const principals = Object.values(resourcesOf(stack, "azurerm_role_assignment")).map((a) => a.principal_id);
    expect(principals.sort()).toEqual([
      "${azurerm_linux_web_app.app.identity[0].principal_id}",
      "${azurerm_linux_web_app_slot.staging.identity[0].principal_id}",
    ]);
  });

  it("attaches a user-assigned identity to the app and every slot, with AZURE_CLIENT_ID and Key Vault references", () => {
    const stack = testStack();
    const app = webApp(stack, { appSettings: { LOG_LEVEL: "info" } });
    const slot = slotOf(stack, app);
    const access = new WorkloadIdentity(stack, "shop", {
      identity: Identity.newUserAssigned({ name: "shop-id", resourceGroupName: "shop-rg", location: "westeurope" }),
      compute: [AppServiceCompute.linuxWebApp(app, { slots: [slot] })],
      grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
    });
    const identity = access.userAssigned!;
    const ref = (attr: string) => resolveInStack(stack, (identity as unknown as Record<string, string>)[attr]);
    for (const site of [
      only(resourcesOf(stack, "azurerm_linux_web_app")),
      only(resourcesOf(stack, "azurerm_linux_web_app_slot")),
    ]) {
      expect(site.identity).toEqual({ type: "UserAssigned", identity_ids: [ref("id")] });
      expect(site.app_settings.AZURE_CLIENT_ID).toBe(ref("clientId"));
      expect(site.key_vault_reference_identity_id).toBe(ref("id"));
    }
    expect(only(resourcesOf(stack, "azurerm_linux_web_app")).app_settings.LOG_LEVEL).toBe("info");
    expect(Object.keys(resourcesOf(stack, "azurerm_role_assignment"))).toHaveLength(1);
  });

  it("merges with identities the app already has", () => {
    const stack = testStack();
    const app = webApp(stack, { identity: { type: "SystemAssigned" } });
    const shared = new UserAssignedIdentity(stack, "shared", {
      name: "shared-id",
      resourceGroupName: "id-rg",
      location: "westeurope",
    });
    new WorkloadIdentity(stack, "shop", {
      identity: Identity.userAssigned(shared),
      compute: [AppServiceCompute.linuxWebApp(app)],
      grants: [],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_web_app")).identity).toEqual({
      type: "SystemAssigned, UserAssigned",
      identity_ids: [resolveInStack(stack, shared.id)],
    });
  });

  it("wires registry pull through the identity when the workload is granted AcrPull", () => {
    const stack = testStack();
    const app = webApp(stack);
    const access = new WorkloadIdentity(stack, "shop", {
      identity: Identity.newUserAssigned({ name: "shop-id", resourceGroupName: "shop-rg", location: "westeurope" }),
      compute: [AppServiceCompute.linuxWebApp(app)],
      grants: [ContainerRegistryTarget.fromId(stack, registryId()).allow(Roles.AcrPull, "pulls its image")],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_web_app")).site_config).toEqual({
      container_registry_use_managed_identity: true,
      container_registry_managed_identity_client_id: resolveInStack(stack, access.userAssigned!.clientId),
    });
  });

  it("attaches to a Linux function app the same way", () => {
    const stack = testStack();
    const fn = new LinuxFunctionApp(stack, "fn", {
      name: "shop-fn",
      resourceGroupName: "shop-rg",
      location: "westeurope",
      servicePlanId: "/plan",
      storageAccountName: "shopfn",
      siteConfig: {},
    });
    new WorkloadIdentity(stack, "jobs", {
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxFunctionApp(fn)],
      grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_function_app")).identity).toEqual({ type: "SystemAssigned" });
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).name).toBe(
      roleAssignmentName(
        vaultId(),
        Roles.KeyVaultSecretsUser.guid,
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/shop-rg/providers/Microsoft.Web/sites/shop-fn`,
      ),
    );
  });

  it("refuses a second user-assigned identity as the app's default, naming the app", () => {
    const stack = testStack();
    const app = webApp(stack);
    const newIdentity = (id: string) => ({
      identity: Identity.newUserAssigned({ name: `${id}-id`, resourceGroupName: "shop-rg", location: "westeurope" }),
      compute: [AppServiceCompute.linuxWebApp(app)],
      grants: [],
    });
    new WorkloadIdentity(stack, "one", newIdentity("one"));
    expect(() => new WorkloadIdentity(stack, "two", newIdentity("two"))).toThrow(
      /^\[test\/app\] setting AZURE_CLIENT_ID already holds another value: .*Fix: attach one user-assigned identity per compute/,
    );
  });
});
