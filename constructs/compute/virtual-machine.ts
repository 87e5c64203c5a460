import { Token } from "cdktf";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import { LinuxVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set";
import { WindowsVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/windows-virtual-machine-scale-set";
import { IdentityConfigError } from "../core/errors";
import { computerNameRule } from "../azure/azure-names";
import { knownName, resourceIdOf } from "../azure/known-values";
import { virtualMachines } from "../services/virtual-machines";
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
    const id = resourceIdOf(vm, virtualMachines.resourceTypes.linuxVirtualMachine.azureType, "Virtual machine");
    if (vm instanceof WindowsVirtualMachine) requireComputerName(vm, "windows", false, vm.computerNameInput ?? id.name);
    return new VirtualMachineCompute(vm, id);
  }

  static scaleSet(scaleSet: ScaleSet): VirtualMachineCompute {
    const id = resourceIdOf(scaleSet, virtualMachines.resourceTypes.linuxScaleSet.azureType, "Scale set");
    const os = scaleSet instanceof WindowsVirtualMachineScaleSet ? "windows" : "linux";
    requireComputerName(scaleSet, os, true, scaleSet.computerNamePrefixInput ?? id.name);
    return new VirtualMachineCompute(scaleSet, id);
  }

  /** Images on a VM are pulled by code on it (`az acr login --identity`): nothing to wire. */
  pullImagesWith(): void {}
}

/** The host name (or prefix) the VM or scale set gets, which Azure refuses at apply when it breaks the OS's rule. */
function requireComputerName(
  resource: VirtualMachine | ScaleSet,
  os: "windows" | "linux",
  prefix: boolean,
  value: string,
) {
  const name = knownName(resource, value);
  const rule = computerNameRule(os, prefix);
  if (Token.isUnresolved(name) || rule.test(name)) return;
  throw new IdentityConfigError(resource, {
    problem: `${rule.kind[0].toUpperCase()}${rule.kind.slice(1)} breaks Azure's rule (it is the resource's name unless ${prefix ? "computer_name_prefix" : "computer_name"} is set)`,
    value: name,
    fix: `use ${rule.rule}, or set ${prefix ? "computer_name_prefix" : "computer_name"} to such a name`,
  });
}
