import { Construct } from "constructs";
import { ContainerApp } from "@cdktf/provider-azurerm/lib/container-app";
import { ContainerAppEnvironment } from "@cdktf/provider-azurerm/lib/container-app-environment";
import { Connections, ContainerAppCompute, Roles, WorkloadIdentity } from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * A Container App that pulls its image through its identity and sends orders to a queue. The
 * identity is user-assigned so that it, and its AcrPull, exist before the first revision pulls.
 */
export class Checkout extends Workload {
  readonly app: ContainerApp;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { shared } = this;
    const environment = new ContainerAppEnvironment(this, "environment", {
      ...this.placement,
      name: this.resourceName("apps"),
    });
    const { resourceGroupName, tags } = this.placement;
    this.app = new ContainerApp(this, "app", {
      resourceGroupName,
      tags,
      name: this.resourceName(),
      containerAppEnvironmentId: environment.id,
      revisionMode: "Single",
      template: {
        container: [
          { name: this.name, image: `${shared.registry.loginServer}/checkout:2.1.0`, cpu: 0.5, memory: "1Gi" },
        ],
        minReplicas: 1,
      },
    });
    this.access = this.workloadIdentity({
      identity: this.newIdentity(),
      compute: [ContainerAppCompute.of(this.app)],
      connections: [
        Connections.serviceBus("ORDERS_BUS", shared.bus),
        Connections.cosmosDb("CARTS", shared.cosmos),
        Connections.applicationInsights(shared.insights),
      ],
      grants: [
        shared.registry.allow(Roles.AcrPull, "pulls the checkout image"),
        shared.ordersQueue.allow(Roles.ServiceBusDataSender, "sends placed orders"),
        shared.cartsContainer.allow(Roles.CosmosDbDataContributor, "keeps shopping carts"),
        shared.insights.allow(Roles.MonitoringMetricsPublisher, "sends its telemetry"),
      ],
    });
  }
}
