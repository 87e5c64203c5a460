// A service the library does not ship, defined through the package's public entry point only:
// Azure Maps, whose data roles are Azure RBAC built-in roles (Microsoft's "Azure built-in roles
// for Web and Mobile").
import { azureRole, defineService, notApplicable } from "@contoso-platform/azure-identity-grants";

export const azureMaps = defineService({
  name: "Azure Maps",
  namespaces: ["Microsoft.Maps"],
  resourceTypes: {
    account: {
      kind: "Azure Maps account",
      azureType: "Microsoft.Maps/accounts",
      terraformType: "azurerm_maps_account",
      services: ["Azure Maps"],
      id: "inResourceGroup",
      name: {
        min: 1,
        max: 98,
        pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
        text: "letters, digits, underscores, periods and hyphens; starts with a letter or digit",
      },
    },
  },
  roles: {
    AzureMapsDataReader: azureRole(
      "Azure Maps Data Reader",
      "423170ca-a8f6-4b0f-8487-9e4eb8f49bfa",
      "Azure Maps",
      "data",
      {
        dataActions: ["Microsoft.Maps/accounts/*/read"],
      },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: {
      azurerm_maps_account: (c) =>
        c.local_authentication_enabled === false
          ? undefined
          : {
              problem: "the account still accepts shared keys and SAS tokens: anyone holding one bypasses the grants",
              fix: "set local_authentication_enabled = false",
            },
    },
    secretAttributes: { azurerm_maps_account: "primary_access_key secondary_access_key" },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.Maps/accounts"],
        logs: {
          kind: "Azure Maps account",
          gap: "Azure Monitor lists no resource-log category for Microsoft.Maps/accounts: no log names who read map data",
        },
      },
    ],
  },
  network: notApplicable(
    "Azure Maps has no Private Link or public network switch: its REST APIs are public endpoints only",
  ),
  mocks: { identityBlock: ["azurerm_maps_account"] },
});
