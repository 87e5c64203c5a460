import { Construct } from "constructs";
import { AzurermBackend, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { AzureContext, GitHubDeployer, Guardrails, reportAccessOnSynth, StorageAccountTarget } from "../constructs";
import { EnvironmentSettings } from "./environment-settings";
import { SharedResources } from "./shared-resources";
import { OrdersWeb } from "./workloads/orders-web";
import { CatalogApi } from "./workloads/catalog-api";
import { Jobs } from "./workloads/jobs";
import { ReportsVm } from "./workloads/reports-vm";
import { Ingest } from "./workloads/ingest";
import { Checkout } from "./workloads/checkout";
import { PlatformAks } from "./workloads/platform-aks";

/**
 * One environment: its provider and state, the shared targets and the workloads. Nothing here
 * holds a secret: the provider signs in with OIDC in CI (ARM_USE_OIDC=true) or the Azure CLI
 * locally, and state is read and locked with Entra ID instead of a storage key.
 */
export class EnvironmentStack extends TerraformStack {
  readonly settings: EnvironmentSettings;
  readonly shared: SharedResources;
  readonly ordersWeb: OrdersWeb;
  readonly catalogApi: CatalogApi;
  readonly jobs: Jobs;
  readonly reportsVm: ReportsVm;
  readonly ingest: Ingest;
  readonly checkout: Checkout;
  readonly platformAks: PlatformAks;
  readonly deployer: GitHubDeployer;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    super(scope, settings.name);
    this.settings = settings;
    AzureContext.register(this, { subscriptionId: settings.subscriptionId, tenantId: settings.tenantId });
    new Guardrails(this, "guardrails", settings.guardrails);
    reportAccessOnSynth(this);

    new AzurermProvider(this, "azurerm", {
      features: [{}],
      subscriptionId: settings.subscriptionId,
      tenantId: settings.tenantId,
      // Storage accounts here refuse shared keys, so the provider's data-plane calls use Entra ID.
      storageUseAzuread: true,
    });
    new AzurermBackend(this, {
      subscriptionId: settings.state.subscriptionId,
      tenantId: settings.tenantId,
      resourceGroupName: settings.state.resourceGroupName,
      storageAccountName: settings.state.storageAccountName,
      containerName: settings.state.containerName,
      key: `identity-grants/${settings.name}.tfstate`,
      useAzureadAuth: true,
    });

    this.shared = new SharedResources(this, "shared", settings);
    this.ordersWeb = new OrdersWeb(this, "orders-web", settings, this.shared);
    this.catalogApi = new CatalogApi(this, "catalog-api", settings, this.shared);
    this.jobs = new Jobs(this, "jobs", settings, this.shared);
    this.reportsVm = new ReportsVm(this, "reports-vm", settings, this.shared);
    this.ingest = new Ingest(this, "ingest", settings, this.shared);
    this.checkout = new Checkout(this, "checkout", settings, this.shared);
    this.platformAks = new PlatformAks(this, "platform-aks", settings, this.shared);

    // Last: the deployer may assign exactly the roles the workloads above are granted.
    const state = settings.state;
    this.deployer = new GitHubDeployer(this, "deployer", {
      identity: {
        name: `${settings.namePrefix}-deployer-id`,
        resourceGroupName: this.shared.resourceGroup.name,
        location: settings.location,
        tags: { ...settings.tags, workload: "deployer" },
        preventDestroy: settings.protectIdentities,
      },
      repository: settings.githubRepository,
      environment: settings.name,
      resourceGroupId: `/subscriptions/${settings.subscriptionId}/resourceGroups/${settings.namePrefix}-rg`,
      stateContainer: StorageAccountTarget.fromId(
        this,
        `/subscriptions/${state.subscriptionId}/resourceGroups/${state.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${state.storageAccountName}`,
      ).container(state.containerName),
    });
  }
}
