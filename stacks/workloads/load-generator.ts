import { Construct } from "constructs";
import { ContainerGroup } from "@cdktf/provider-azurerm/lib/container-group";
import { Connections, ContainerGroupCompute, Roles, WorkloadIdentity } from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * A load generator that places test orders: a container instance that pulls its image and sends
 * to the orders queue as its own identity. Only dev lists it (`extraWorkloads`).
 */
export class LoadGenerator extends Workload {
  readonly group: ContainerGroup;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { shared } = this;
    this.group = new ContainerGroup(this, "group", {
      ...this.placement,
      name: this.resourceName(),
      osType: "Linux",
      ipAddressType: "None",
      container: [
        { name: this.name, image: `${shared.registry.loginServer}/load-generator:0.3.0`, cpu: 0.5, memory: 1 },
      ],
    });
    this.access = this.workloadIdentity({
      identity: this.newIdentity(),
      compute: [ContainerGroupCompute.of(this.group)],
      connections: [Connections.serviceBus("ORDERS_BUS", shared.bus)],
      grants: [
        shared.registry.allow(Roles.AcrPull, "pulls the load generator image"),
        shared.ordersQueue.allow(Roles.ServiceBusDataSender, "sends test orders"),
      ],
    });
  }
}
