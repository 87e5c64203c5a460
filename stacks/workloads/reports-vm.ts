import { Construct } from "constructs";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface";
import { Identity, Roles, VirtualMachineCompute, WorkloadIdentity } from "../../constructs";
import { EnvironmentSettings } from "../environment-settings";
import { SharedResources } from "../shared-resources";

/** One VM that owns its access: a system-assigned identity reading one blob container. */
export class ReportsVm extends Construct {
  readonly vm: LinuxVirtualMachine;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, id: string, env: EnvironmentSettings, shared: SharedResources) {
    super(scope, id);
    const tags = { ...env.tags, workload: "reports-vm" };
    const nic = new NetworkInterface(this, "nic", {
      name: `${env.namePrefix}-reports-nic`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      ipConfiguration: [{ name: "internal", subnetId: shared.computeSubnet.id, privateIpAddressAllocation: "Dynamic" }],
      tags,
    });
    this.vm = new LinuxVirtualMachine(this, "vm", {
      name: `${env.namePrefix}-reports-vm`,
      resourceGroupName: shared.resourceGroupName,
      location: env.location,
      size: env.vmSize,
      adminUsername: "platform",
      adminSshKey: [{ username: "platform", publicKey: env.adminSshPublicKey }],
      disablePasswordAuthentication: true,
      networkInterfaceIds: [nic.id],
      sourceImageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { caching: "ReadWrite", storageAccountType: "StandardSSD_LRS" },
      tags,
    });
    this.access = new WorkloadIdentity(this, "access", {
      workload: "reports-vm",
      identity: Identity.systemAssigned(),
      compute: [VirtualMachineCompute.of(this.vm)],
      grants: [shared.reportsContainer.allow(Roles.StorageBlobDataReader, "reads the reports it renders")],
    });
  }
}
