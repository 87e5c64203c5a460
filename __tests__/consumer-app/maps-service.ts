// A service the library does not ship, defined through the package's public entry point only:
// Azure Maps, whose data roles are Azure RBAC built-in roles (Microsoft's "Azure built-in roles
// for Web and Mobile"). The packed-library check uses it, and __tests__/consumer-service.test.ts
// judges it (jest and tsc resolve the package name to constructs/index.ts).
import { azureRole, defineService, notApplicable } from "@azure-identity-grants/cdktf";

const MAPS_DATA_READER = "423170ca-a8f6-4b0f-8487-9e4eb8f49bfa";
const MAPS_DATA_CONTRIBUTOR = "8f5e0ce6-4f7b-4dcf-bddf-e6f48634a204";

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
      // Microsoft's naming rules for Microsoft.Maps/accounts.
      name: {
        min: 1,
        max: 98,
        pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
        text: "letters, digits, underscores, periods and hyphens; starts with a letter or digit",
      },
    },
  },
  roles: {
    AzureMapsDataReader: azureRole("Azure Maps Data Reader", MAPS_DATA_READER, "Azure Maps", "data", {
      dataActions: ["Microsoft.Maps/accounts/*/read"],
    }),
    AzureMapsDataContributor: azureRole(
      "Azure Maps Data Contributor",
      MAPS_DATA_CONTRIBUTOR,
      "Azure Maps",
      "data",
      {
        dataActions: [
          "Microsoft.Maps/accounts/*/read",
          "Microsoft.Maps/accounts/*/write",
          "Microsoft.Maps/accounts/*/delete",
          "Microsoft.Maps/accounts/*/action",
        ],
      },
      { broad: true },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: {
      // Local auth is the shared keys and SAS tokens; azurerm leaves it on unless set false.
      azurerm_maps_account: (c) =>
        c.local_authentication_enabled === false
          ? undefined
          : {
              problem: "the account still accepts shared keys and SAS tokens: anyone holding one bypasses the grants",
              fix: "set local_authentication_enabled = false",
            },
    },
    secretAttributes: {
      azurerm_maps_account: "primary_access_key secondary_access_key",
      "data.azurerm_maps_account": "primary_access_key secondary_access_key",
    },
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
    "Azure Maps has no Private Link or public network switch (removed from the API): its REST APIs are public endpoints only",
  ),
  mocks: { identityBlock: ["azurerm_maps_account"] },
});
