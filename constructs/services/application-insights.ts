import { defineService, notApplicable } from "../azure/contract";
import { acceptsKeys } from "../azure/contract/keys";
import { role } from "../azure/role-catalog";
import { NO_TRAILING_PERIOD } from "../azure/azure-names";
import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { targetOfKind } from "../grants/targets";
import { clientIdOf, IdentityConnection } from "../grants/identity-connection";

/** Application Insights: everything the library knows about it. */
export const applicationInsights = defineService({
  name: "Application Insights",
  namespaces: ["Microsoft.Insights"],
  resourceTypes: {
    component: {
      kind: "Application Insights component",
      azureType: "Microsoft.Insights/components",
      terraformType: "azurerm_application_insights",
      services: ["Application Insights"],
      id: "inResourceGroup",
      // Azure allows more (anything but %&\?/ and control characters, not ending with a space or period).
      name: {
        min: 1,
        max: 260,
        pattern: NO_TRAILING_PERIOD,
        text: "letters, digits, underscores, hyphens, periods and parentheses; does not end with a period",
      },
    },
  },
  roles: {
    // Ingestion with Entra authentication (built-in-roles/monitor).
    MonitoringMetricsPublisher: role(
      "Monitoring Metrics Publisher",
      "3913510d-42f4-4e42-8a64-420c390055eb",
      "Application Insights",
      "data",
      {
        actions: [
          "Microsoft.Insights/Register/Action",
          "Microsoft.Support/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
        ],
        dataActions: ["Microsoft.Insights/Metrics/Write", "Microsoft.Insights/Telemetry/Write"],
      },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: {
    localAuth: {
      azurerm_application_insights: (c) =>
        c.local_authentication_disabled === true
          ? undefined
          : acceptsKeys(
              "component still accepts telemetry by instrumentation key alone",
              "set local_authentication_disabled = true",
            ),
    },
    secretAttributes: {
      azurerm_application_insights: "connection_string instrumentation_key",
      // The data source's instrumentation_key is not marked sensitive, but is the same key.
      "data.azurerm_application_insights": "connection_string instrumentation_key",
    },
    // The connection string names the component (Microsoft: an identifier, not a key); with local
    // authentication disabled, telemetry needs an Entra token, so the string lets nobody in.
    notSecretWhen: {
      azurerm_application_insights: {
        paths: ["connection_string", "instrumentation_key"],
        when: (config) => config.local_authentication_disabled === true,
      },
    },
    migration: {
      azurerm_application_insights: {
        // azure-monitor/app/azure-ad-authentication: ingestion tokens are for https://monitor.azure.com
        // (Microsoft's docs name the audience, not its app id).
        tokenResource: { appId: "e933bd07-d2ee-4f1d-933c-3752b819567b", displayName: "Azure Monitor Control Service" },
        keyUse: {
          gap: "Application Insights logs no caller of its ingestion endpoint: nothing records whether telemetry came with a token or the key alone",
        },
        revoke:
          "nothing to rotate: the instrumentation key is an identifier Azure never regenerates, so keep local authentication disabled (turning it back on readmits anyone holding the connection string)",
      },
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.Insights/components"],
        logs: {
          kind: "Application Insights component",
          gap: "Application Insights logs no caller of its ingestion endpoint: who published telemetry is recorded nowhere",
        },
      },
    ],
  },
  network: notApplicable(
    "telemetry goes to Azure Monitor's ingestion endpoints (or through an Azure Monitor Private Link Scope), which the library does not judge",
  ),
  mocks: {
    computed: { azurerm_application_insights: ["app_id"] },
  },
});

// @targets
/** An Application Insights component that accepts telemetry from Entra identities (Monitoring Metrics Publisher). */
export class ApplicationInsightsTarget extends targetOfKind<"Application Insights", ApplicationInsights>(
  applicationInsights.resourceTypes.component,
  applicationInsights,
) {
  /**
   * The component's connection string, for a component of this stack. It names the component and
   * its ingestion endpoint; with local authentication disabled it admits no telemetry without a token.
   */
  get connectionString(): string | undefined {
    return this.home instanceof ApplicationInsights ? this.home.connectionString : undefined;
  }
}

/** Connections.applicationInsights: the settings autoinstrumentation and the Functions host read. */
export const applicationInsightsConnection = (component: ApplicationInsightsTarget): IdentityConnection => ({
  name: "APPLICATIONINSIGHTS",
  trigger: false,
  settings: (identity) => {
    const clientId = clientIdOf(identity);
    const connectionString = component.connectionString;
    return {
      ...(connectionString === undefined ? {} : { APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString }),
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: clientId
        ? `Authorization=AAD;ClientId=${clientId}`
        : "Authorization=AAD",
    };
  },
});
