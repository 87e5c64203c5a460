import { defineService, notApplicable } from "../azure/contract";
import { acceptsKeys } from "../azure/contract/keys";
import { role } from "../azure/role-catalog";
import { LOWER_ALNUM_HYPHEN_INSIDE, LOWER_DNS_LABEL } from "../azure/azure-names";
import { SearchService } from "@cdktf/provider-azurerm/lib/search-service";
import { childTarget, GrantTarget, targetOfKind } from "../grants/targets";
import { functionsConnection, IdentityConnection } from "../grants/identity-connection";

/** Search: everything the library knows about it. */
export const search = defineService({
  name: "Search",
  namespaces: ["Microsoft.Search"],
  resourceTypes: {
    service: {
      kind: "AI Search service",
      azureType: "Microsoft.Search/searchServices",
      terraformType: "azurerm_search_service",
      services: ["Search"],
      id: "inResourceGroup",
      name: {
        min: 2,
        max: 60,
        pattern: LOWER_DNS_LABEL,
        text: "lowercase letters, digits and single hyphens; starts and ends with a letter or digit",
      },
    },
    index: {
      kind: "search index",
      azureType: "Microsoft.Search/searchServices/indexes",
      services: ["Search"],
      id: { path: "indexes" },
      // Azure AI Search's naming rules: "Index, field, and indexer names".
      name: {
        min: 2,
        max: 128,
        pattern: LOWER_ALNUM_HYPHEN_INSIDE,
        text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit",
      },
    },
  },
  roles: {
    // built-in-roles/ai-machine-learning
    SearchIndexDataReader: role("Search Index Data Reader", "1407120a-92aa-4202-b7e9-c0e197c71c8f", "Search", "data", {
      dataActions: ["Microsoft.Search/searchServices/indexes/documents/read"],
    }),
    SearchIndexDataContributor: role(
      "Search Index Data Contributor",
      "8ebe5a00-799e-43f5-93ac-243d3dce84a7",
      "Search",
      "data",
      { dataActions: ["Microsoft.Search/searchServices/indexes/documents/*"] },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: {
      azurerm_search_service: (c) => {
        if (c.local_authentication_enabled === false) return undefined;
        // Keys on and no failure mode is Azure's "API keys only": the role is never consulted.
        return c.authentication_failure_mode === undefined
          ? {
              problem: "the service accepts API keys only, so the role grants nothing",
              fix: "set local_authentication_enabled = false (and no authentication_failure_mode)",
            }
          : acceptsKeys("service still accepts API keys", "set local_authentication_enabled = false");
      },
    },
    secretAttributes: {
      // query_keys: query keys, which the provider does not mark sensitive.
      azurerm_search_service: "primary_key secondary_key query_keys",
      "data.azurerm_search_service": "primary_key secondary_key query_keys",
    },
    migration: {
      azurerm_search_service: {
        // Tokens for https://search.azure.com (Microsoft's docs name the audience, not its app id).
        tokenResource: { appId: "880da380-985e-4198-81b9-e05b1cc53158", displayName: "Azure Cognitive Search" },
        // search/monitor-azure-cognitive-search-data-reference: OperationLogs carry no authentication type.
        keyUse: {
          gap: "AI Search's OperationLogs record each query and indexing call with no sign of whether an API key or a token made it",
        },
        revoke: "regenerate both admin keys and delete every query key: anyone holding one reaches the indexes",
      },
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.Search/searchServices"],
        logs: {
          kind: "AI Search service",
          categories: ["OperationLogs"],
          gap: "AI Search's OperationLogs record queries and indexing without the caller's identity",
        },
      },
    ],
  },
  network: {
    privateDnsZones: { searchService: "privatelink.search.windows.net" },
    targets: [{ terraformType: "azurerm_search_service", privateLinkGroup: "searchService" }],
  },
  mocks: {
    identityBlock: ["azurerm_search_service"],
  },
});

// @targets
/** An Azure AI Search service, or one index in it, for the Search Index Data roles. */
export class SearchServiceTarget extends targetOfKind<"Search", SearchService>(search.resourceTypes.service, search) {
  get endpoint(): string {
    return `https://${this.resourceId.name}.search.windows.net`;
  }

  /** One index, the narrowest scope the Search Index Data roles take. */
  index(name: string): GrantTarget<"Search"> {
    return childTarget(this, search.resourceTypes.index, name);
  }
}

/** Connections.search: the service endpoint. */
export const searchConnection = (name: string, service: SearchServiceTarget): IdentityConnection =>
  functionsConnection(name, { endpoint: service.endpoint }, false);
