import { Construct } from "constructs";
import { ContainerApp } from "@cdktf/provider-azurerm/lib/container-app";
import { ContainerAppEnvironment } from "@cdktf/provider-azurerm/lib/container-app-environment";
import { Connections, ContainerAppCompute, Identity, Roles, WorkloadIdentity } from "../../constructs";
import { EnvironmentSettings } from "../environment-settings";
import { SharedResources } from "../shared-resources";

/**
 * A Container App that pulls its image through its identity and sends orders to a queue. The
 * identity is user-assigned so that it, and its AcrPull, exist before the first revision pulls.
 */
export class Checkout extends Construct {
  readonly app: ContainerApp;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, id: string, env: EnvironmentSettings, shared: SharedResources) {
    super(scope, id);
    const tags = { ...env.tags, workload: "checkout" };
    const environment = new ContainerAppEnvironment(this, "environment", {
      name: `${env.namePrefix}-apps`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      tags,
    });
    this.app = new ContainerApp(this, "app", {
      name: `${env.namePrefix}-checkout`,
      resourceGroupName: shared.resourceGroupName,
      containerAppEnvironmentId: environment.id,
      revisionMode: "Single",
      template: {
        container: [{ name: "checkout", image: `${shared.registryTarget.loginServer}/checkout:2.1.0`, cpu: 0.5, memory: "1Gi" }],
        minReplicas: 1,
      },
      tags,
    });
    this.access = new WorkloadIdentity(this, "access", {
      workload: "checkout",
      identity: Identity.newUserAssigned(shared.identity("checkout-id", tags)),
      compute: [ContainerAppCompute.of(this.app)],
      connections: [Connections.serviceBus("ORDERS_BUS", shared.busTarget)],
      grants: [
        shared.registryTarget.allow(Roles.AcrPull, "pulls the checkout image"),
        shared.ordersQueue.allow(Roles.ServiceBusDataSender, "sends placed orders"),
      ],
    });
  }
}
