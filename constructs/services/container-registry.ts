import { defineService, notApplicable } from "../azure/contract";
import { role } from "../azure/role-catalog";
import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { targetOfKind } from "../grants/targets";

/** Container Registry: everything the library knows about it. */
export const containerRegistry = defineService({
  name: "Container Registry",
  namespaces: ["Microsoft.ContainerRegistry"],
  resourceTypes: {
    registry: {
      kind: "container registry",
      azureType: "Microsoft.ContainerRegistry/registries",
      terraformType: "azurerm_container_registry",
      services: ["Container Registry"],
      id: "inResourceGroup",
      name: { min: 5, max: 50, pattern: /^[A-Za-z0-9]+$/, text: "letters and digits only (no hyphens)" },
    },
  },
  roles: {
    // built-in-roles/containers
    AcrPull: role("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", "Container Registry", "data", {
      actions: ["Microsoft.ContainerRegistry/registries/pull/read"],
    }),
    AcrPush: role("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", "Container Registry", "data", {
      actions: [
        "Microsoft.ContainerRegistry/registries/pull/read",
        "Microsoft.ContainerRegistry/registries/push/write",
      ],
    }),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    secretAttributes: {
      azurerm_container_registry: "admin_password",
      "data.azurerm_container_registry": "admin_password",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.ContainerRegistry/registries"],
        logs: {
          kind: "container registry",
          categories: ["ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents"],
          destinationType: "Dedicated",
          // Microsoft does not document the Identity column's format: match either id in it.
          log: {
            table: "ContainerRegistryRepositoryEvents",
            callerIs: "(Identity has {oid} or Identity has {appId})",
            operation: "OperationName",
          },
        },
      },
    ],
  },
  network: {
    privateDnsZones: { registry: "privatelink.azurecr.io" },
    targets: [
      {
        terraformType: "azurerm_container_registry",
        privateLinkGroup: "registry",
        refuses: (config, json) => {
          const rules = json.block(config.network_rule_set);
          if (rules?.default_action !== "Deny") return undefined;
          return {
            refusal: "its network_rule_set denies by default",
            ipRules: json.list(rules.ip_rule).length,
            trustedServices: (config.network_rule_bypass_option ?? "AzureServices") === "AzureServices",
          };
        },
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_container_registry"],
    computed: { azurerm_container_registry: ["login_server"] },
    values: { azurerm_container_registry: { login_server: (_, r) => `${r.name}.azurecr.io` } },
    names: { "Microsoft.ContainerRegistry/registries": "mockregistry" },
  },
});

// @targets
/** A container registry; AcrPull and AcrPush apply. */
export class ContainerRegistryTarget extends targetOfKind<"Container Registry", ContainerRegistry>(
  containerRegistry.resourceTypes.registry,
  containerRegistry,
) {
  /** The registry's login server, which platforms pull from. */
  get loginServer(): string {
    return `${this.resourceId.name.toLowerCase()}.azurecr.io`;
  }
}
