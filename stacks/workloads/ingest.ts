import { Construct } from "constructs";
import { LinuxFunctionApp } from "@cdktf/provider-azurerm/lib/linux-function-app";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import {
  AppServiceCompute,
  Connections,
  Identity,
  Roles,
  StorageAccountTarget,
  WorkloadIdentity,
} from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * A Function App triggered by a Service Bus queue, with no connection string anywhere. Its trigger
 * connects as the app's system-assigned identity; its host reaches its storage as a user-assigned
 * identity of its own, whose grant exists before the app (the host reads storage at its first
 * start, before a system-assigned identity could hold any role). On the environment's Dedicated
 * plan, the construct turns on Always On, without which the Service Bus trigger never fires.
 */
export class Ingest extends Workload {
  readonly app: LinuxFunctionApp;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { env, shared } = this;
    // The host's own account, so its Blob Data Owner reaches nothing else. Storage names take no dashes.
    const hostStorage = new StorageAccount(this, "host-storage", {
      ...this.placement,
      name: `${env.namePrefix}${this.name}`.replace(/-/g, ""),
      accountTier: "Standard",
      accountReplicationType: "LRS",
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      minTlsVersion: "TLS1_2",
      allowNestedItemsToBePublic: false,
    });
    this.app = new LinuxFunctionApp(this, "app", {
      ...this.placement,
      name: this.resourceName(),
      servicePlanId: shared.planId,
      httpsOnly: true,
      siteConfig: { applicationStack: { pythonVersion: "3.12" }, minimumTlsVersion: "1.2", ftpsState: "Disabled" },
      appSettings: { INGEST_QUEUE: "ingest" },
    });
    this.access = this.workloadIdentity({
      identity: Identity.systemAssigned(),
      compute: [
        AppServiceCompute.linuxFunctionApp(this.app, {
          hostStorage: StorageAccountTarget.of(hostStorage),
          hostIdentity: this.newIdentity("host"),
        }),
      ],
      connections: [Connections.serviceBus("ServiceBusConnection", shared.bus)],
      grants: [
        shared.ingestQueue.allow(Roles.ServiceBusDataReceiver, "its trigger receives and completes ingest messages"),
      ],
    });
  }
}
