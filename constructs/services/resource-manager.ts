import { defineService, notApplicable } from "../azure/contract";
import { role } from "../azure/role-catalog";
import { AssignmentFields, JsonResource } from "../azure/contract/assignments";
import { NO_TRAILING_PERIOD } from "../azure/azure-names";

const AZURE_ROLE_ID =
  /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** The GUID names the role in every subscription, whatever scope precedes it. */
const roleGuid = (written: string) => AZURE_ROLE_ID.exec(written)?.[1];

/** The azapi resources that write any ARM type, named by their `type` argument. */
const AZAPI_TYPES = ["azapi_resource", "azapi_update_resource"];

function readAzapiRoleAssignment({ type, config: c }: JsonResource): AssignmentFields[] {
  const body = typeof c.body === "string" ? parseJson(c.body) : c.body;
  const properties: Record<string, unknown> =
    body && typeof body === "object" ? ((body as { properties?: Record<string, unknown> }).properties ?? {}) : {};
  const unknowable = "${unreadable azapi body}";
  const field = (key: string) => (body && typeof body === "object" ? properties[key] : unknowable);
  return [
    {
      scope: type === "azapi_resource" ? c.parent_id : parentOfId(c.resource_id),
      roleDefinitionId: field("roleDefinitionId"),
      principalId: field("principalId"),
      principalType: field("principalType"),
      name: type === "azapi_resource" ? c.name : undefined,
      condition: field("condition"),
      description: field("description"),
    },
  ];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `<scope>/providers/Microsoft.Authorization/roleAssignments/<name>` → `<scope>`; a value only Terraform knows has none. */
function parentOfId(id: unknown): string | undefined {
  return typeof id === "string" && !id.includes("${")
    ? /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/i.exec(id)?.[1]
    : undefined;
}

/** Resource Manager: everything the library knows about it. */
export const resourceManager = defineService({
  name: "Resource Manager",
  namespaces: ["Microsoft.Resources", "Microsoft.Authorization"],
  resourceTypes: {
    resourceGroup: {
      kind: "resource group",
      azureType: "Microsoft.Resources/resourceGroups",
      terraformType: "azurerm_resource_group",
      id: "resourceGroup",
      // Azure accepts any Unicode letter or digit (Char.IsLetterOrDigit) in resource group names.
      name: {
        min: 1,
        max: 90,
        pattern: NO_TRAILING_PERIOD,
        text:
          "letters, digits, underscores, hyphens, periods and parentheses; does not end with a period " +
          "(Azure also accepts non-ASCII letters and digits; this library refuses them)",
      },
      registeredByDefault: true,
    },
    roleAssignment: {
      kind: "role assignment",
      azureType: "Microsoft.Authorization/roleAssignments",
      terraformType: "azurerm_role_assignment",
      id: "extension",
      registeredByDefault: true,
    },
    // Privileged Identity Management: the requests that make an active or eligible assignment.
    pimActiveRoleAssignment: {
      kind: "PIM active role assignment",
      azureType: "Microsoft.Authorization/roleAssignmentScheduleRequests",
      terraformType: "azurerm_pim_active_role_assignment",
      id: "extension",
      registeredByDefault: true,
    },
    pimEligibleRoleAssignment: {
      kind: "PIM eligible role assignment",
      azureType: "Microsoft.Authorization/roleEligibilityScheduleRequests",
      terraformType: "azurerm_pim_eligible_role_assignment",
      id: "extension",
      registeredByDefault: true,
    },
  },
  roles: {
    // built-in-roles/general
    Reader: role("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", "Any resource", "control", { actions: ["*/read"] }),
    // built-in-roles/privileged
    Contributor: role("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", "Any resource", "privileged", {
      actions: ["*"],
      notActions: [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
      ],
    }),
    Owner: role("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Any resource", "privileged", { actions: ["*"] }),
    UserAccessAdministrator: role(
      "User Access Administrator",
      "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
      "Any resource",
      "privileged",
      { actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] },
    ),
    RoleBasedAccessControlAdministrator: role(
      "Role Based Access Control Administrator",
      "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
      "Any resource",
      "privileged",
      {
        actions: [
          "Microsoft.Authorization/roleAssignments/write",
          "Microsoft.Authorization/roleAssignments/delete",
          "*/read",
          "Microsoft.Support/*",
        ],
      },
      { privilegedUnlessConditioned: true },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: {
    dialects: [
      {
        system: "azure-rbac",
        // Everything that gives a principal a role: plain and PIM (active and eligible) assignments.
        terraformTypes: [
          "azurerm_role_assignment",
          "azurerm_pim_active_role_assignment",
          "azurerm_pim_eligible_role_assignment",
        ],
        read: ({ type, config: c }) => [
          {
            scope: c.scope,
            roleDefinitionId: c.role_definition_id,
            roleDefinitionName: c.role_definition_name,
            principalId: c.principal_id,
            principalType: c.principal_type,
            name: type === "azurerm_role_assignment" ? c.name : undefined,
            condition: c.condition,
            description: c.description ?? c.justification,
          },
        ],
        roleKey: roleGuid,
      },
      {
        system: "azure-rbac",
        // azapi writes the ARM resource itself: `Microsoft.Authorization/roleAssignments@<api version>`.
        azureType: { type: "Microsoft.Authorization/roleAssignments", genericTypes: AZAPI_TYPES },
        read: readAzapiRoleAssignment,
        roleKey: roleGuid,
      },
    ],
    unread: {
      // Lighthouse delegations give another tenant's principals roles here.
      terraformTypes: /^azurerm_lighthouse_/,
      // Written through azapi: any authorization resource, deployment or Lighthouse delegation.
      azureTypes: /^microsoft\.(authorization|resources\/deployments|managedservices)\//,
    },
  },
  keys: notApplicable("resource groups and role assignments hold no keys; Resource Manager takes Entra tokens only"),
  audit: notApplicable("its roles act through Resource Manager (the Activity Log records that): no data a grant reads"),
  network: notApplicable(
    "Azure Resource Manager is reached at its public endpoint; its roles manage resources, not their data",
  ),
  mocks: {
    ids: {
      azurerm_resource_group: (w) => w.resourceGroupId,
      azurerm_role_assignment: (w) =>
        `${w.resourceGroupId}/providers/Microsoft.Authorization/roleAssignments/${w.uuid("Microsoft.Authorization/roleAssignments")}`,
      azurerm_resource_provider_registration: (w) => `/subscriptions/${w.subscription}/providers/Microsoft.App`,
    },
    // Azure answers these about the caller, not about a resource.
    dataSources: {
      azurerm_client_config: (w) => ({
        id: w.uuid("azurerm_client_config.id"),
        client_id: w.uuid("azurerm_client_config.client_id"),
        object_id: w.uuid("azurerm_client_config.object_id"),
        subscription_id: w.subscription,
        tenant_id: w.tenant,
      }),
      azurerm_subscription: (w) => ({
        id: `/subscriptions/${w.subscription}`,
        subscription_id: w.subscription,
        tenant_id: w.tenant,
      }),
    },
  },
});

// @targets
