import { Construct } from "constructs";
import { LinuxVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set";
import { Roles, VirtualMachineCompute, WorkloadIdentity } from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * Queue workers on a scale set. Instances come and go, so they share one user-assigned identity
 * whose grant exists before any instance starts.
 */
export class Jobs extends Workload {
  readonly scaleSet: LinuxVirtualMachineScaleSet;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { env, shared } = this;
    this.scaleSet = new LinuxVirtualMachineScaleSet(this, "scale-set", {
      ...this.placement,
      name: this.resourceName("vmss"),
      sku: env.vmSize,
      instances: env.jobsInstances,
      adminUsername: "platform",
      adminSshKey: [{ username: "platform", publicKey: env.adminSshPublicKey }],
      disablePasswordAuthentication: true,
      sourceImageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { caching: "ReadWrite", storageAccountType: "StandardSSD_LRS" },
      networkInterface: [
        {
          name: "nic",
          primary: true,
          ipConfiguration: [{ name: "internal", primary: true, subnetId: shared.computeSubnetId }],
        },
      ],
    });
    this.access = this.workloadIdentity({
      identity: this.newIdentity(),
      compute: [VirtualMachineCompute.scaleSet(this.scaleSet)],
      grants: [shared.jobsQueue.allow(Roles.StorageQueueDataMessageProcessor, "takes and deletes job messages")],
    });
  }
}
