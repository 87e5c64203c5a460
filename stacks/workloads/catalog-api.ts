import { Construct } from "constructs";
import { LinuxWebApp, LinuxWebAppSiteConfig } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { AppServiceCompute, Roles, WorkloadIdentity } from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * A containerized API with a staging slot. App and slot share one user-assigned identity (so a
 * swap keeps access), read secrets from the vault and pull their image from the platform's
 * registry in another subscription.
 */
export class CatalogApi extends Workload {
  readonly app: LinuxWebApp;
  readonly slot: LinuxWebAppSlot;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { shared } = this;
    const siteConfig: LinuxWebAppSiteConfig = {
      applicationStack: {
        dockerImageName: "catalog-api:1.4.2",
        dockerRegistryUrl: `https://${shared.registry.loginServer}`,
      },
      minimumTlsVersion: "1.2",
      ftpsState: "Disabled",
    };
    const appSettings = { KEY_VAULT_URI: shared.vault.vaultUri };
    this.app = new LinuxWebApp(this, "app", {
      ...this.placement,
      name: this.resourceName(),
      servicePlanId: shared.planId,
      httpsOnly: true,
      siteConfig,
      appSettings,
    });
    this.slot = new LinuxWebAppSlot(this, "staging", {
      name: "staging",
      appServiceId: this.app.id,
      httpsOnly: true,
      tags: { ...this.tags },
      siteConfig,
      appSettings,
    });
    this.access = this.workloadIdentity({
      identity: this.newIdentity(),
      compute: [AppServiceCompute.linuxWebApp(this.app, { slots: [this.slot] })],
      grants: [
        shared.vault.allow(Roles.KeyVaultSecretsUser, "reads the catalog database connection secret"),
        shared.registry.allow(Roles.AcrPull, "pulls the catalog-api image"),
      ],
    });
  }
}
