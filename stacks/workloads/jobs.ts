import { Construct } from "constructs";
import { LinuxVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set";
import { Identity, Roles, VirtualMachineCompute, WorkloadIdentity } from "../../constructs";
import { EnvironmentSettings } from "../environment-settings";
import { SharedResources } from "../shared-resources";

/**
 * Queue workers on a scale set. Instances come and go, so they share one user-assigned identity
 * whose grant exists before any instance starts.
 */
export class Jobs extends Construct {
  readonly scaleSet: LinuxVirtualMachineScaleSet;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, id: string, env: EnvironmentSettings, shared: SharedResources) {
    super(scope, id);
    const tags = { ...env.tags, workload: "jobs" };
    this.scaleSet = new LinuxVirtualMachineScaleSet(this, "scale-set", {
      name: `${env.namePrefix}-jobs-vmss`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      sku: env.vmSize,
      instances: env.jobsInstances,
      adminUsername: "platform",
      adminSshKey: [{ username: "platform", publicKey: env.adminSshPublicKey }],
      disablePasswordAuthentication: true,
      sourceImageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { caching: "ReadWrite", storageAccountType: "StandardSSD_LRS" },
      networkInterface: [{ name: "nic", primary: true, ipConfiguration: [{ name: "internal", primary: true, subnetId: shared.computeSubnet.id }] }],
      tags,
    });
    this.access = new WorkloadIdentity(this, "access", {
      workload: "jobs",
      identity: Identity.newUserAssigned(shared.identity("jobs-id", tags)),
      compute: [VirtualMachineCompute.scaleSet(this.scaleSet)],
      grants: [shared.jobsQueue.allow(Roles.StorageQueueDataMessageProcessor, "takes and deletes job messages")],
    });
  }
}
