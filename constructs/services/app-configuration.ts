import { defineService, notApplicable } from "../azure/contract";
import { acceptsKeys } from "../azure/contract/keys";
import { role } from "../azure/role-catalog";
import { AppConfiguration } from "@cdktf/provider-azurerm/lib/app-configuration";
import { targetOfKind } from "../grants/targets";

/** App Configuration: everything the library knows about it. */
export const appConfiguration = defineService({
  name: "App Configuration",
  namespaces: ["Microsoft.AppConfiguration"],
  resourceTypes: {
    store: {
      kind: "App Configuration store",
      azureType: "Microsoft.AppConfiguration/configurationStores",
      terraformType: "azurerm_app_configuration",
      services: ["App Configuration"],
      id: "inResourceGroup",
      // Two hyphens in a row are allowed, three are not: "Can't contain a sequence of more than two hyphens".
      name: {
        min: 5,
        max: 50,
        pattern: /^(?!.*---)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        text: "letters, digits and hyphens; starts and ends with a letter or digit; no more than two hyphens in a row",
      },
    },
  },
  roles: {
    // built-in-roles/integration
    AppConfigurationDataReader: role(
      "App Configuration Data Reader",
      "516239f1-63e1-4d78-a4de-a74fb236a071",
      "App Configuration",
      "data",
      { dataActions: ["Microsoft.AppConfiguration/configurationStores/*/read"] },
    ),
    AppConfigurationDataOwner: role(
      "App Configuration Data Owner",
      "5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b",
      "App Configuration",
      "data",
      {
        dataActions: [
          "Microsoft.AppConfiguration/configurationStores/*/read",
          "Microsoft.AppConfiguration/configurationStores/*/write",
          "Microsoft.AppConfiguration/configurationStores/*/delete",
          "Microsoft.AppConfiguration/configurationStores/*/action",
        ],
        notDataActions: ["Microsoft.AppConfiguration/configurationStores/useSasAuth/action"],
      },
      { broad: true },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: {
      azurerm_app_configuration: (c) =>
        c.local_auth_enabled === false
          ? undefined
          : acceptsKeys(
              "store still accepts its read-only and read-write access keys",
              "set local_auth_enabled = false",
            ),
    },
    migration: {
      azurerm_app_configuration: {
        // Tokens for https://azconfig.io: the Azure App Configuration application.
        tokenResource: { appId: "35ffadb3-7fc1-497e-b61b-381d28e744cc", displayName: "Azure App Configuration" },
        // azure-monitor/reference/tables/aachttprequest: AccessKeyId is the key id a request signed
        // with HMAC (an access key) presented; an Entra request carries ClientObjectId instead.
        keyUse: [{ table: "AACHttpRequest", categories: ["HttpRequest"], keyBased: "isnotempty(AccessKeyId)" }],
        revoke:
          "regenerate the primary and secondary keys, read-only and read-write: connection strings holding them stop working",
      },
    },
    secretAttributes: {
      azurerm_app_configuration:
        "primary_read_key.connection_string primary_read_key.id primary_read_key.secret primary_write_key.connection_string primary_write_key.id primary_write_key.secret secondary_read_key.connection_string secondary_read_key.id secondary_read_key.secret secondary_write_key.connection_string secondary_write_key.id secondary_write_key.secret",
      "data.azurerm_app_configuration":
        "primary_read_key.connection_string primary_read_key.id primary_read_key.secret primary_write_key.connection_string primary_write_key.id primary_write_key.secret secondary_read_key.connection_string secondary_read_key.id secondary_read_key.secret secondary_write_key.connection_string secondary_write_key.id secondary_write_key.secret",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.AppConfiguration/configurationStores"],
        logs: {
          kind: "App Configuration store",
          categories: ["HttpRequest", "Audit"],
          destinationType: "Dedicated",
          // AACHttpRequest has no caller column; AACAudit's CallerIdentity is dynamic, its shape undocumented.
          log: { table: "AACAudit", callerIs: "tostring(CallerIdentity) has {oid}", operation: "OperationName" },
          gap: "AACAudit records changes to key-values (writes and deletes), not reads: a reader's use shows in no table",
        },
      },
    ],
  },
  network: {
    privateDnsZones: { configurationStores: "privatelink.azconfig.io" },
    targets: [
      {
        terraformType: "azurerm_app_configuration",
        privateLinkGroup: "configurationStores",
        publicAccess: { attribute: "public_network_access", disabled: "Disabled" },
      },
    ],
  },
  mocks: {
    identityBlock: ["azurerm_app_configuration"],
    computed: { azurerm_app_configuration: ["endpoint"] },
    values: { azurerm_app_configuration: { endpoint: (_, r) => `https://${r.name}.azconfig.io` } },
  },
});

// @targets
/** An App Configuration store. */
export class AppConfigurationTarget extends targetOfKind<"App Configuration", AppConfiguration>(
  appConfiguration.resourceTypes.store,
  appConfiguration,
) {}
