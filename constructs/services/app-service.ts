import { defineService, notApplicable } from "../azure/contract";
import type { MockedResource, MockWorld } from "../azure/contract/mocks";
import { ALNUM_HYPHEN_INSIDE } from "../azure/azure-names";

const APP_NAME = {
  kind: "App Service app",
  min: 2,
  max: 60,
  pattern: ALNUM_HYPHEN_INSIDE,
  text:
    "letters, digits and hyphens; starts and ends with a letter or digit " +
    "(Azure also accepts Unicode that maps to Punycode; this library refuses non-ASCII)",
};
// resource-name-rules gives slots no start/end rule, so none is added here.
const SLOT_NAME = {
  kind: "deployment slot",
  min: 2,
  max: 59,
  pattern: /^[A-Za-z0-9-]+$/,
  text: "letters, digits and hyphens (Azure also accepts Unicode that maps to Punycode; this library refuses non-ASCII)",
};

/** The apps and slots: each has an identity block and a default host name. */
const WEB_APPS = [
  "azurerm_linux_web_app",
  "azurerm_windows_web_app",
  "azurerm_linux_web_app_slot",
  "azurerm_windows_web_app_slot",
  "azurerm_linux_function_app",
  "azurerm_windows_function_app",
  "azurerm_linux_function_app_slot",
  "azurerm_windows_function_app_slot",
];

/** App Service: everything the library knows about it. */
export const appService = defineService({
  name: "App Service",
  namespaces: ["Microsoft.Web"],
  resourceTypes: {
    plan: {
      kind: "App Service plan",
      azureType: "Microsoft.Web/serverFarms",
      terraformType: "azurerm_service_plan",
      id: "inResourceGroup",
    },
    linuxWebApp: {
      kind: "Linux web app",
      azureType: "Microsoft.Web/sites",
      terraformType: "azurerm_linux_web_app",
      id: "inResourceGroup",
      name: APP_NAME,
    },
    windowsWebApp: {
      kind: "Windows web app",
      azureType: "Microsoft.Web/sites",
      terraformType: "azurerm_windows_web_app",
      id: "inResourceGroup",
      name: APP_NAME,
    },
    linuxFunctionApp: {
      kind: "Linux function app",
      azureType: "Microsoft.Web/sites",
      terraformType: "azurerm_linux_function_app",
      id: "inResourceGroup",
      name: APP_NAME,
    },
    windowsFunctionApp: {
      kind: "Windows function app",
      azureType: "Microsoft.Web/sites",
      terraformType: "azurerm_windows_function_app",
      id: "inResourceGroup",
      name: APP_NAME,
    },
    linuxWebAppSlot: {
      kind: "Linux web app slot",
      azureType: "Microsoft.Web/sites/slots",
      terraformType: "azurerm_linux_web_app_slot",
      id: { parentId: "app_service_id", path: "slots" },
      name: SLOT_NAME,
    },
    windowsWebAppSlot: {
      kind: "Windows web app slot",
      azureType: "Microsoft.Web/sites/slots",
      terraformType: "azurerm_windows_web_app_slot",
      id: { parentId: "app_service_id", path: "slots" },
      name: SLOT_NAME,
    },
    linuxFunctionAppSlot: {
      kind: "Linux function app slot",
      azureType: "Microsoft.Web/sites/slots",
      terraformType: "azurerm_linux_function_app_slot",
      id: { parentId: "function_app_id", path: "slots" },
      name: SLOT_NAME,
    },
    windowsFunctionAppSlot: {
      kind: "Windows function app slot",
      azureType: "Microsoft.Web/sites/slots",
      terraformType: "azurerm_windows_function_app_slot",
      id: { parentId: "function_app_id", path: "slots" },
      name: SLOT_NAME,
    },
  },
  roles: notApplicable("a compute: its identity is granted roles on other services, none on it"),
  authorization: notApplicable("a compute: it runs as an identity; no role is granted on it"),
  assignments: {
    computeTypes: WEB_APPS,
  },
  keys: {
    secretAttributes: {
      azurerm_linux_function_app:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id site_config.application_insights_connection_string site_config.application_insights_key site_config.application_stack.docker.registry_password site_config.application_stack.docker.registry_username site_credential storage_account.access_key storage_account_access_key",
      azurerm_linux_function_app_slot:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id site_config.application_insights_connection_string site_config.application_insights_key site_config.application_stack.docker.registry_password site_config.application_stack.docker.registry_username site_credential storage_account.access_key storage_account_access_key",
      azurerm_linux_web_app:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id logs.http_logs.azure_blob_storage.sas_url site_config.application_stack.docker_registry_password site_credential storage_account.access_key",
      azurerm_linux_web_app_slot:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id logs.http_logs.azure_blob_storage.sas_url site_config.application_stack.docker_registry_password site_credential storage_account.access_key",
      azurerm_windows_function_app:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id site_config.application_insights_connection_string site_config.application_insights_key site_credential storage_account.access_key storage_account_access_key",
      azurerm_windows_function_app_slot:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id site_config.application_insights_connection_string site_config.application_insights_key site_credential storage_account.access_key storage_account_access_key",
      azurerm_windows_web_app:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id logs.http_logs.azure_blob_storage.sas_url site_config.application_stack.docker_registry_password site_credential storage_account.access_key",
      azurerm_windows_web_app_slot:
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id logs.http_logs.azure_blob_storage.sas_url site_config.application_stack.docker_registry_password site_credential storage_account.access_key",
      "data.azurerm_linux_function_app":
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id site_credential storage_account_access_key",
      "data.azurerm_linux_web_app":
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id logs.application_logs.azure_blob_storage.sas_url logs.http_logs.azure_blob_storage.sas_url site_config.application_stack.docker_registry_password site_credential storage_account.access_key",
      "data.azurerm_windows_function_app":
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id site_config.application_insights_connection_string site_credential",
      "data.azurerm_windows_web_app":
        "auth_settings.active_directory.client_secret auth_settings.facebook.app_secret auth_settings.github.client_secret auth_settings.google.client_secret auth_settings.microsoft.client_secret auth_settings.twitter.consumer_secret backup.storage_account_url connection_string.value custom_domain_verification_id logs.application_logs.azure_blob_storage.sas_url logs.http_logs.azure_blob_storage.sas_url site_config.application_stack.docker_registry_password site_credential storage_account.access_key",
    },
  },
  audit: notApplicable("a compute: it holds no data a grant reads"),
  network: {
    computes: [
      {
        terraformTypes: WEB_APPS,
        // Regional VNet integration: the app's own attribute, or the older swift connection resource.
        subnets: (config, json) =>
          [
            config.virtual_network_subnet_id,
            ...json
              .attached("azurerm_app_service_virtual_network_swift_connection", "app_service_id")
              .map((r) => r.subnet_id),
          ].filter((v) => v !== undefined),
      },
    ],
  },
  mocks: {
    identityBlock: WEB_APPS,
    computed: Object.fromEntries(WEB_APPS.map((type) => [type, ["default_hostname"]])),
    values: Object.fromEntries(
      WEB_APPS.map((type) => [
        type,
        { default_hostname: (_: MockWorld, r: MockedResource) => `${r.names.join("-")}.azurewebsites.net` },
      ]),
    ),
    names: {
      "Microsoft.Web/serverFarms": "mock-plan",
      "Microsoft.Web/sites": "mock-app",
      "Microsoft.Web/sites/slots": "mock-slot",
    },
  },
});

// @targets
