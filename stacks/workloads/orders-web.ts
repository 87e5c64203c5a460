import { Construct } from "constructs";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { AppServiceCompute, Identity, Roles, WorkloadIdentity } from "../../constructs";
import { EnvironmentSettings } from "../environment-settings";
import { SharedResources } from "../shared-resources";

/**
 * One self-contained web app that owns its access: a system-assigned identity, reading secrets
 * from one vault and blobs from one account, each granted at that resource.
 */
export class OrdersWeb extends Construct {
  readonly app: LinuxWebApp;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, id: string, env: EnvironmentSettings, shared: SharedResources) {
    super(scope, id);
    this.app = new LinuxWebApp(this, "app", {
      name: `${env.namePrefix}-orders-web`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      servicePlanId: shared.plan.id,
      httpsOnly: true,
      tags: { ...env.tags, workload: "orders-web" },
      siteConfig: { applicationStack: { nodeVersion: "20-lts" }, minimumTlsVersion: "1.2", ftpsState: "Disabled" },
      appSettings: {
        KEY_VAULT_URI: shared.vault.vaultUri,
        ORDERS_BLOB_ENDPOINT: shared.storage.primaryBlobEndpoint,
      },
    });
    this.access = new WorkloadIdentity(this, "access", {
      workload: "orders-web",
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxWebApp(this.app)],
      grants: [
        shared.vaultTarget.allow(Roles.KeyVaultSecretsUser, "reads the order service's API secrets"),
        shared.storageTarget.allow(Roles.StorageBlobDataReader, "reads order documents"),
      ],
    });
  }
}
