import { defineService, notApplicable } from "../azure/contract";

/** Container Apps: everything the library knows about it. */
export const containerApps = defineService({
  name: "Container Apps",
  namespaces: ["Microsoft.App"],
  resourceTypes: {
    environment: {
      kind: "Container Apps environment",
      azureType: "Microsoft.App/managedEnvironments",
      terraformType: "azurerm_container_app_environment",
      id: "inResourceGroup",
    },
    app: {
      kind: "container app",
      azureType: "Microsoft.App/containerApps",
      terraformType: "azurerm_container_app",
      id: "inResourceGroup",
      // resource-name-rules: 2-32, lowercase letters, numbers and hyphens, starts with a letter, ends
      // with an alphanumeric. Container Apps' own error for a bad name adds "cannot have '--'".
      name: {
        min: 2,
        max: 32,
        pattern: /^[a-z](?:-?[a-z0-9])*$/,
        text: "lowercase letters, digits and single hyphens; starts with a letter; ends with a letter or digit",
      },
    },
    job: {
      kind: "Container Apps job",
      azureType: "Microsoft.App/jobs",
      terraformType: "azurerm_container_app_job",
      id: "inResourceGroup",
    },
  },
  roles: notApplicable("a compute: its identity is granted roles on other services, none on it"),
  authorization: notApplicable("a compute: it runs as an identity; no role is granted on it"),
  assignments: { computeTypes: ["azurerm_container_app"] },
  keys: {
    secretAttributes: {
      azurerm_container_app: "custom_domain_verification_id secret",
      azurerm_container_app_environment: "dapr_application_insights_connection_string",
      azurerm_container_app_job: "secret",
      "data.azurerm_container_app": "custom_domain_verification_id secret",
    },
  },
  audit: notApplicable("a compute: it holds no data a grant reads"),
  network: {
    computes: [
      {
        terraformTypes: ["azurerm_container_app"],
        // An app runs in its environment's subnet; an environment without one is in no network of the stack.
        subnets: (config, json) => {
          const environment = json.resource(config.container_app_environment_id);
          if (environment?.type !== "azurerm_container_app_environment") return undefined;
          const subnet = environment.config.infrastructure_subnet_id;
          return subnet === undefined ? [] : [subnet];
        },
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_container_app", "azurerm_container_app_environment", "azurerm_container_app_job"],
    computed: {
      azurerm_container_app: ["latest_revision_fqdn"],
      azurerm_container_app_environment: ["default_domain", "static_ip_address"],
    },
    values: {
      azurerm_container_app: {
        latest_revision_fqdn: (w, r) =>
          `${r.name}--mock.${w.name("Microsoft.App/managedEnvironments")}.westeurope.azurecontainerapps.io`,
      },
      azurerm_container_app_environment: { default_domain: (_, r) => `${r.name}.westeurope.azurecontainerapps.io` },
    },
    names: { "Microsoft.App/containerApps": "mock-app", "Microsoft.App/managedEnvironments": "mock-env" },
  },
});

// @targets
