import { defineService, notApplicable } from "../azure/contract";
import { LOWER_DNS_LABEL } from "../azure/azure-names";

/** Container Instances: everything the library knows about it. */
export const containerInstances = defineService({
  name: "Container Instances",
  namespaces: ["Microsoft.ContainerInstance"],
  resourceTypes: {
    containerGroup: {
      kind: "container group",
      azureType: "Microsoft.ContainerInstance/containerGroups",
      terraformType: "azurerm_container_group",
      id: "inResourceGroup",
      name: {
        min: 1,
        max: 63,
        pattern: LOWER_DNS_LABEL,
        text: "lowercase letters, digits and single hyphens; starts and ends with a letter or digit",
      },
    },
  },
  roles: notApplicable("a compute: its identity is granted roles on other services, none on it"),
  authorization: notApplicable("a compute: it runs as an identity; no role is granted on it"),
  assignments: { computeTypes: ["azurerm_container_group"] },
  keys: {
    secretAttributes: {
      azurerm_container_group:
        "container.secure_environment_variables container.volume.secret container.volume.storage_account_key diagnostics.log_analytics.workspace_key image_registry_credential.password init_container.secure_environment_variables init_container.volume.secret init_container.volume.storage_account_key",
    },
  },
  audit: notApplicable("a compute: it holds no data a grant reads"),
  network: {
    computes: [
      {
        terraformTypes: ["azurerm_container_group"],
        subnets: (config, json) => json.list(config.subnet_ids),
        trustedService: "Container Instances",
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_container_group"],
    computed: { azurerm_container_group: ["fqdn", "ip_address"] },
    values: { azurerm_container_group: { fqdn: (_, r) => `${r.name}.westeurope.azurecontainer.io` } },
  },
});

// @targets
