import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import { LinuxVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set";
import { WindowsVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/windows-virtual-machine-scale-set";
import { resourceIdOf } from "../internal/known-values";
import { SingleResourceCompute } from "./attachable-compute";

type VirtualMachine = LinuxVirtualMachine | WindowsVirtualMachine;
type ScaleSet = LinuxVirtualMachineScaleSet | WindowsVirtualMachineScaleSet;

/**
 * Virtual machines and scale sets. Code on them gets tokens from the instance metadata service;
 * with a user-assigned identity it must name the identity's client id in its own configuration
 * (there are no app settings to carry AZURE_CLIENT_ID). A scale set's instances come and go, so a
 * user-assigned identity gives every instance the same, pre-granted principal.
 */
export class VirtualMachineCompute extends SingleResourceCompute<VirtualMachine | ScaleSet> {
  static of(vm: VirtualMachine): VirtualMachineCompute {
    return new VirtualMachineCompute(vm, resourceIdOf(vm, "Microsoft.Compute/virtualMachines", "Virtual machine"));
  }

  static scaleSet(scaleSet: ScaleSet): VirtualMachineCompute {
    return new VirtualMachineCompute(
      scaleSet,
      resourceIdOf(scaleSet, "Microsoft.Compute/virtualMachineScaleSets", "Scale set"),
    );
  }

  /** Images on a VM are pulled by code on it (`az acr login --identity`): nothing to wire. */
  pullImagesWith(): void {}
}
