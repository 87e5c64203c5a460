import { Construct } from "constructs";
import { LinuxWebApp, LinuxWebAppSiteConfig } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { AppServiceCompute, Identity, Roles, WorkloadIdentity } from "../../constructs";
import { EnvironmentSettings } from "../environment-settings";
import { SharedResources } from "../shared-resources";

/**
 * A containerized API with a staging slot. App and slot share one user-assigned identity (so a
 * swap keeps access), read secrets from the vault and pull their image from the platform's
 * registry in another subscription.
 */
export class CatalogApi extends Construct {
  readonly app: LinuxWebApp;
  readonly slot: LinuxWebAppSlot;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, id: string, env: EnvironmentSettings, shared: SharedResources) {
    super(scope, id);
    const tags = { ...env.tags, workload: "catalog-api" };
    const siteConfig: LinuxWebAppSiteConfig = {
      applicationStack: { dockerImageName: "catalog-api:1.4.2", dockerRegistryUrl: `https://${shared.registryTarget.loginServer}` },
      minimumTlsVersion: "1.2",
      ftpsState: "Disabled",
    };
    const appSettings = { KEY_VAULT_URI: shared.vault.vaultUri };
    this.app = new LinuxWebApp(this, "app", {
      name: `${env.namePrefix}-catalog-api`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      servicePlanId: shared.plan.id,
      httpsOnly: true,
      tags,
      siteConfig,
      appSettings,
    });
    this.slot = new LinuxWebAppSlot(this, "staging", {
      name: "staging",
      appServiceId: this.app.id,
      httpsOnly: true,
      tags,
      siteConfig,
      appSettings,
    });
    this.access = new WorkloadIdentity(this, "access", {
      workload: "catalog-api",
      identity: Identity.newUserAssigned(shared.identity("catalog-api-id", tags)),
      compute: [AppServiceCompute.linuxWebApp(this.app, { slots: [this.slot] })],
      grants: [
        shared.vaultTarget.allow(Roles.KeyVaultSecretsUser, "reads the catalog database connection secret"),
        shared.registryTarget.allow(Roles.AcrPull, "pulls the catalog-api image"),
      ],
    });
  }
}
