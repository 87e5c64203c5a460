import { Construct } from "constructs";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { AppServiceCompute, Connections, Roles, WorkloadIdentity } from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * One self-contained web app that owns its access: a system-assigned identity, reading secrets
 * from one vault and blobs from one account, each granted at that resource.
 */
export class OrdersWeb extends Workload {
  readonly app: LinuxWebApp;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { shared } = this;
    this.app = new LinuxWebApp(this, "app", {
      ...this.placement,
      name: this.resourceName(),
      servicePlanId: shared.planId,
      // Outbound through the apps subnet: the SQL server answers only on its private endpoint.
      virtualNetworkSubnetId: shared.appsSubnetId,
      httpsOnly: true,
      siteConfig: { applicationStack: { nodeVersion: "20-lts" }, minimumTlsVersion: "1.2", ftpsState: "Disabled" },
      appSettings: { KEY_VAULT_URI: shared.vault.vaultUri, ORDERS_BLOB_ENDPOINT: shared.storage.blobServiceUri },
    });
    this.access = this.workloadIdentity({
      identity: this.systemAssignedOrConverting(),
      compute: [AppServiceCompute.linuxWebApp(this.app)],
      connections: [
        Connections.sqlDatabase("ORDERS_DB", shared.ordersDatabase),
        Connections.applicationInsights(shared.insights),
      ],
      grants: [
        shared.vault.allow(Roles.KeyVaultSecretsUser, "reads the order service's API secrets"),
        shared.storage.allow(Roles.StorageBlobDataReader, "reads order documents"),
        shared.ordersDatabase.allow(Roles.SqlDataReader, "reads orders"),
        shared.ordersDatabase.allow(Roles.SqlDataWriter, "records order status changes"),
        shared.insights.allow(Roles.MonitoringMetricsPublisher, "sends its telemetry"),
      ],
    });
  }
}
