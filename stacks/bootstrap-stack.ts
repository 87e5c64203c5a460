import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { MonitorAadDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-aad-diagnostic-setting";
import {
  ContainerRegistryTarget,
  GitHubDeployer,
  Identity,
  logDataAccess,
  requiredResourceProviders,
  ResourceId,
  ScopeTarget,
  StorageAccountTarget,
} from "../constructs";
import { AzureStack } from "./azure-stack";
import { auditWorkspaceName, EnvironmentSettings, resourceGroupName } from "./environment-settings";

/**
 * What a platform admin applies once per environment, before any pipeline runs: the environment's
 * resource group, its audit workspace (with what the pipeline cannot log itself: the shared
 * registry's pulls, and optionally the tenant's managed-identity sign-ins), the GitHub deployer
 * with its rights, and the registration of every resource
 * provider the environment's resources need (registering needs subscription rights the pipeline
 * never gets). The pipeline never applies this stack, so it cannot widen its own rights; a change
 * here (a workload needing a new role or a new kind of resource) is reviewed and applied by an admin.
 */
export class BootstrapStack extends AzureStack {
  readonly resourceGroup: ResourceGroup;
  readonly deployer: GitHubDeployer;
  readonly auditWorkspace: LogAnalyticsWorkspace;

  constructor(scope: Construct, settings: EnvironmentSettings, estate: readonly TerraformStack[]) {
    super(scope, `${settings.name}-bootstrap`, settings, `${settings.name}-bootstrap`);
    this.resourceGroup = new ResourceGroup(this, "rg", {
      name: resourceGroupName(settings),
      location: settings.location,
      tags: { ...settings.tags },
    });
    // Before the environment's first deploy: its grants send their targets' logs here, by id.
    this.auditWorkspace = new LogAnalyticsWorkspace(this, "audit", {
      name: auditWorkspaceName(settings),
      resourceGroupName: this.resourceGroup.name,
      location: settings.location,
      sku: "PerGB2018",
      retentionInDays: settings.auditRetentionDays,
      localAuthenticationEnabled: false,
      tags: { ...settings.tags },
    });
    // The shared registry is the platform team's: the pipeline may not change its monitoring.
    logDataAccess(this, "registry-audit", {
      target: ContainerRegistryTarget.fromId(this, settings.sharedRegistryId),
      service: "Container Registry",
      workspaceId: this.auditWorkspace.id,
      workspaceName: auditWorkspaceName(settings),
    });
    // Tenant-wide: only the environment that receives them exports them (see signInLogsTo).
    if (settings.signInLogsTo === settings.name) {
      new MonitorAadDiagnosticSetting(this, "managed-identity-sign-ins", {
        name: `managed-identity-sign-ins-to-${auditWorkspaceName(settings)}`,
        logAnalyticsWorkspaceId: this.auditWorkspace.id,
        enabledLog: [{ category: "ManagedIdentitySignInLogs" }],
      });
    }
    const state = settings.state;
    const stateAccount = ResourceId.fromNames(this, {
      subscriptionId: state.subscriptionId,
      resourceGroup: state.resourceGroupName,
      type: "Microsoft.Storage/storageAccounts",
      name: state.storageAccountName,
    });
    this.deployer = new GitHubDeployer(this, "deployer", {
      identity: Identity.newUserAssigned({
        name: `${settings.namePrefix}-deployer-id`,
        resourceGroupName: this.resourceGroup.name,
        location: settings.location,
        tags: { ...settings.tags, workload: "deployer" },
        preventDestroy: settings.protectIdentities,
      }),
      repository: settings.githubRepository,
      environment: settings.name,
      resourceGroup: ScopeTarget.ofResourceGroup(this.resourceGroup),
      estate,
      stateContainer: StorageAccountTarget.fromId(this, stateAccount.id).container(state.containerName),
    });
    // The provider registers them when it starts, before any resource (this stack's identity
    // needs Microsoft.ManagedIdentity): idempotent, and a destroy never unregisters them, where an
    // azurerm_resource_provider_registration fails on a namespace that is already registered and
    // unregisters it on destroy.
    this.provider.resourceProvidersToRegister = requiredResourceProviders(this, [this, ...estate]);
  }
}
