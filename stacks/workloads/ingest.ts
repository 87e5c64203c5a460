import { Construct } from "constructs";
import { LinuxFunctionApp } from "@cdktf/provider-azurerm/lib/linux-function-app";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { AppServiceCompute, Connections, Identity, Roles, StorageAccountTarget, WorkloadIdentity } from "../../constructs";
import { EnvironmentSettings } from "../environment-settings";
import { SharedResources } from "../shared-resources";

/**
 * A Function App triggered by a Service Bus queue, with no connection string anywhere. Its trigger
 * connects as the app's system-assigned identity; its host reaches its storage as a user-assigned
 * identity of its own, whose grant exists before the app (the host reads storage at its first
 * start, before a system-assigned identity could hold any role). On the environment's Dedicated
 * plan, the construct turns on Always On, without which the Service Bus trigger never fires.
 */
export class Ingest extends Construct {
  readonly app: LinuxFunctionApp;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, id: string, env: EnvironmentSettings, shared: SharedResources) {
    super(scope, id);
    const tags = { ...env.tags, workload: "ingest" };
    // The host's own account, so its Blob Data Owner reaches nothing else.
    const hostStorage = new StorageAccount(this, "host-storage", {
      name: `${env.namePrefix.replace(/-/g, "")}ingest`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      accountTier: "Standard",
      accountReplicationType: "LRS",
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      minTlsVersion: "TLS1_2",
      allowNestedItemsToBePublic: false,
      tags,
    });
    this.app = new LinuxFunctionApp(this, "app", {
      name: `${env.namePrefix}-ingest`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      servicePlanId: shared.plan.id,
      httpsOnly: true,
      siteConfig: { applicationStack: { pythonVersion: "3.12" }, minimumTlsVersion: "1.2", ftpsState: "Disabled" },
      appSettings: { INGEST_QUEUE: "ingest" },
      tags,
    });
    this.access = new WorkloadIdentity(this, "access", {
      workload: "ingest",
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxFunctionApp(this.app, { hostStorage: StorageAccountTarget.of(hostStorage), hostIdentity: shared.identity("ingest-host-id", tags) })],
      connections: [Connections.serviceBus("ServiceBusConnection", shared.busTarget)],
      grants: [shared.ingestQueue.allow(Roles.ServiceBusDataReceiver, "its trigger receives and completes ingest messages")],
    });
  }
}
