import { defineService, notApplicable } from "../azure/contract";
import { acceptsKeys } from "../azure/contract/keys";
import { role } from "../azure/role-catalog";
import { ALNUM_HYPHEN_INSIDE } from "../azure/azure-names";
import { CognitiveAccount } from "@cdktf/provider-azurerm/lib/cognitive-account";
import { targetOfKind } from "../grants/targets";

const OPENAI = "Microsoft.CognitiveServices/accounts/OpenAI";

/** Cognitive Services: everything the library knows about it. */
export const cognitiveServices = defineService({
  name: "Cognitive Services",
  namespaces: ["Microsoft.CognitiveServices"],
  resourceTypes: {
    account: {
      kind: "Cognitive Services account",
      azureType: "Microsoft.CognitiveServices/accounts",
      terraformType: "azurerm_cognitive_account",
      services: ["Cognitive Services"],
      id: "inResourceGroup",
      name: {
        min: 2,
        max: 64,
        pattern: ALNUM_HYPHEN_INSIDE,
        text: "letters, digits and hyphens; starts and ends with a letter or digit",
      },
    },
  },
  roles: {
    // built-in-roles/ai-machine-learning
    CognitiveServicesOpenAIUser: role(
      "Cognitive Services OpenAI User",
      "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
      "Cognitive Services",
      "data",
      {
        actions: [
          "Microsoft.CognitiveServices/*/read",
          "Microsoft.Authorization/roleAssignments/read",
          "Microsoft.Authorization/roleDefinitions/read",
        ],
        dataActions: [
          `${OPENAI}/*/read`,
          `${OPENAI}/engines/completions/action`,
          `${OPENAI}/engines/search/action`,
          `${OPENAI}/engines/generate/action`,
          `${OPENAI}/deployments/audio/action`,
          `${OPENAI}/deployments/search/action`,
          `${OPENAI}/deployments/completions/action`,
          `${OPENAI}/deployments/chat/completions/action`,
          `${OPENAI}/deployments/realtime/action`,
          `${OPENAI}/deployments/extensions/chat/completions/action`,
          `${OPENAI}/deployments/embeddings/action`,
          `${OPENAI}/images/generations/action`,
          `${OPENAI}/assistants/*`,
        ],
        notDataActions: [`${OPENAI}/stored-completions/read`],
      },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: {
      azurerm_cognitive_account: (c) =>
        c.local_auth_enabled === false
          ? undefined
          : acceptsKeys("account still accepts its API keys (key1 and key2)", "set local_auth_enabled = false"),
    },
    migration: {
      azurerm_cognitive_account: {
        // Tokens for https://cognitiveservices.azure.com: the Microsoft Cognitive Services application.
        tokenResource: { appId: "7d312290-28c8-473c-a0ed-8e53749b6d6d", displayName: "Microsoft Cognitive Services" },
        keyUse: {
          gap: "Cognitive Services logs its requests to AzureDiagnostics with no documented column saying whether an API key or an Entra token made them",
        },
        revoke: "regenerate both API keys (key1 and key2): anyone holding one reaches the account's models and APIs",
      },
    },
    secretAttributes: {
      azurerm_cognitive_account: "custom_question_answering_search_service_key primary_access_key secondary_access_key",
      "data.azurerm_cognitive_account": "primary_access_key secondary_access_key",
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.CognitiveServices/accounts"],
        logs: {
          kind: "Cognitive Services account",
          categories: ["Audit", "RequestResponse"],
          log: {
            table: "AzureDiagnostics",
            where: ['ResourceProvider == "MICROSOFT.COGNITIVESERVICES"'],
            // Microsoft does not document where the caller's id is: matched anywhere in the properties.
            callerIs: "properties_s has {oid}",
            operation: "OperationName",
          },
        },
      },
    ],
  },
  network: {
    privateDnsZones: { account: "privatelink.cognitiveservices.azure.com" },
    targets: [{ terraformType: "azurerm_cognitive_account", privateLinkGroup: "account" }],
  },
  mocks: {
    identityBlock: ["azurerm_cognitive_account"],
    computed: { azurerm_cognitive_account: ["endpoint"] },
    values: { azurerm_cognitive_account: { endpoint: (_, r) => `https://${r.name}.cognitiveservices.azure.com/` } },
  },
});

// @targets
/** An Azure OpenAI / Cognitive Services account. */
export class CognitiveServicesTarget extends targetOfKind<"Cognitive Services", CognitiveAccount>(
  cognitiveServices.resourceTypes.account,
  cognitiveServices,
) {}
