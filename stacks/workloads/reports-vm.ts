import { Construct } from "constructs";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface";
import { Identity, Roles, VirtualMachineCompute, WorkloadIdentity } from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/** One VM that owns its access: a system-assigned identity reading one blob container. */
export class ReportsVm extends Workload {
  readonly vm: LinuxVirtualMachine;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { env, shared } = this;
    const nic = new NetworkInterface(this, "nic", {
      ...this.placement,
      name: this.resourceName("nic"),
      ipConfiguration: [{ name: "internal", subnetId: shared.computeSubnetId, privateIpAddressAllocation: "Dynamic" }],
    });
    this.vm = new LinuxVirtualMachine(this, "vm", {
      ...this.placement,
      name: this.resourceName(),
      size: env.vmSize,
      adminUsername: "platform",
      adminSshKey: [{ username: "platform", publicKey: env.adminSshPublicKey }],
      disablePasswordAuthentication: true,
      networkInterfaceIds: [nic.id],
      sourceImageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { caching: "ReadWrite", storageAccountType: "StandardSSD_LRS" },
    });
    this.access = this.workloadIdentity({
      identity: Identity.systemAssigned(),
      compute: [VirtualMachineCompute.of(this.vm)],
      grants: [shared.reportsContainer.allow(Roles.StorageBlobDataReader, "reads the reports it renders")],
    });
  }
}
