import { defineService, notApplicable } from "../azure/contract";
import { role } from "../azure/role-catalog";
import { IUserAssignedIdentity } from "../azure/identity";
import { targetOfKind } from "../grants/targets";

const MANAGED_IDENTITY_COMMON = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Support/*",
];

/** Managed Identity: everything the library knows about it. */
export const managedIdentity = defineService({
  name: "Managed Identity",
  namespaces: ["Microsoft.ManagedIdentity"],
  resourceTypes: {
    userAssignedIdentity: {
      kind: "user-assigned identity",
      azureType: "Microsoft.ManagedIdentity/userAssignedIdentities",
      terraformType: "azurerm_user_assigned_identity",
      services: ["Managed Identity"],
      id: "inResourceGroup",
      // The same rule user-assigned-identity.ts enforces: ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$.
      name: {
        min: 3,
        max: 128,
        pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
        text: "letters, digits, hyphens and underscores; starts with a letter or digit",
      },
    },
    federatedCredential: {
      kind: "federated identity credential",
      azureType: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
      terraformType: "azurerm_federated_identity_credential",
      id: { path: "federatedIdentityCredentials" },
      // Not on resource-name-rules. Entra's workload identity federation page: 3-120 characters, URL
      // friendly, alphanumeric, dash or underscore, first character alphanumeric.
      name: {
        min: 3,
        max: 120,
        pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
        text: "letters, digits, hyphens and underscores; starts with a letter or digit",
      },
    },
  },
  roles: {
    // built-in-roles/identity
    ManagedIdentityOperator: role(
      "Managed Identity Operator",
      "f1a07417-d97a-45cb-824c-7a7467783830",
      "Managed Identity",
      "control",
      {
        actions: [
          "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
          ...MANAGED_IDENTITY_COMMON,
        ],
      },
    ),
    ManagedIdentityContributor: role(
      "Managed Identity Contributor",
      "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
      "Managed Identity",
      "control",
      {
        actions: [
          "Microsoft.ManagedIdentity/userAssignedIdentities/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/write",
          "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
          "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
          "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
          "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
          "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
          ...MANAGED_IDENTITY_COMMON,
        ],
      },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: {
    // Federated credentials written through azapi let outside workloads run as an identity.
    unread: { azureTypes: /\/federatedidentitycredentials$/ },
  },
  keys: notApplicable("an identity holds no key: Azure issues its tokens to the compute it is attached to"),
  audit: notApplicable("its identities hold no data a grant reads (Entra records their sign-ins)"),
  network: notApplicable("an identity is managed through Azure Resource Manager only: it has no data plane to reach"),
  mocks: {
    computed: { azurerm_user_assigned_identity: ["client_id", "principal_id", "tenant_id"] },
    names: {
      "Microsoft.ManagedIdentity/userAssignedIdentities": "mock-identity",
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials": "mock-credential",
    },
  },
});

// @targets
/** A user-assigned identity as a target, for the control-plane roles on it (Managed Identity Operator). */
export class ManagedIdentityTarget extends targetOfKind<"Managed Identity", IUserAssignedIdentity>(
  managedIdentity.resourceTypes.userAssignedIdentity,
  managedIdentity,
  (identity) => ({
    resourceId: identity.principalResourceId,
    scopeReference: identity.id,
    tenantId: identity.tenantId,
    home: identity,
  }),
) {}
