import { defineService, notApplicable } from "../azure/contract";
import type { JsonConfig, JsonReader } from "../azure/contract/network";

// resource-name-rules gives the host name's rule (Linux 1-64, Windows 1-15; no spaces, control
// characters or ~!@#$%^&*()=+_[]{}\|;:.'",<>/?; no trailing period or hyphen) and says the
// resource name may have 64 characters. azurerm checks the host name it derives from the name
// the same way (LinuxComputerNameFull) but lets Linux hosts have periods, so this library
// takes letters, digits, periods and hyphens; Windows hosts are checked by computerNameRule.
const MACHINE_NAME = {
  kind: "virtual machine or scale set",
  min: 1,
  max: 64,
  pattern: /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/,
  text: "letters, digits, periods and hyphens; starts and ends with a letter or digit",
};

/** The subnets a network interface's IP configurations (of a NIC, or a scale set's block) name. */
const ipConfigurationSubnets = (nic: JsonConfig, json: JsonReader) =>
  json.list(nic.ip_configuration).map((ip) => json.block(ip)?.subnet_id);

/** Virtual Machines: everything the library knows about it. */
export const virtualMachines = defineService({
  name: "Virtual Machines",
  namespaces: ["Microsoft.Compute"],
  resourceTypes: {
    linuxVirtualMachine: {
      kind: "Linux virtual machine",
      azureType: "Microsoft.Compute/virtualMachines",
      terraformType: "azurerm_linux_virtual_machine",
      id: "inResourceGroup",
      name: MACHINE_NAME,
    },
    windowsVirtualMachine: {
      kind: "Windows virtual machine",
      azureType: "Microsoft.Compute/virtualMachines",
      terraformType: "azurerm_windows_virtual_machine",
      id: "inResourceGroup",
      name: MACHINE_NAME,
    },
    linuxScaleSet: {
      kind: "Linux virtual machine scale set",
      azureType: "Microsoft.Compute/virtualMachineScaleSets",
      terraformType: "azurerm_linux_virtual_machine_scale_set",
      id: "inResourceGroup",
      name: MACHINE_NAME,
    },
    windowsScaleSet: {
      kind: "Windows virtual machine scale set",
      azureType: "Microsoft.Compute/virtualMachineScaleSets",
      terraformType: "azurerm_windows_virtual_machine_scale_set",
      id: "inResourceGroup",
      name: MACHINE_NAME,
    },
  },
  roles: notApplicable("a compute: its identity is granted roles on other services, none on it"),
  authorization: notApplicable("a compute: it runs as an identity; no role is granted on it"),
  assignments: {
    computeTypes: [
      "azurerm_linux_virtual_machine",
      "azurerm_windows_virtual_machine",
      "azurerm_linux_virtual_machine_scale_set",
      "azurerm_windows_virtual_machine_scale_set",
    ],
  },
  keys: {
    secretAttributes: {
      azurerm_linux_virtual_machine: "admin_password custom_data",
      azurerm_linux_virtual_machine_scale_set: "admin_password custom_data extension.protected_settings",
      azurerm_windows_virtual_machine: "additional_unattend_content.content admin_password custom_data",
      azurerm_windows_virtual_machine_scale_set:
        "additional_unattend_content.content admin_password custom_data extension.protected_settings",
    },
  },
  audit: notApplicable("a compute: it holds no data a grant reads"),
  network: {
    computes: [
      {
        terraformTypes: ["azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine"],
        subnets: (config, json) => {
          const nics = json.list(config.network_interface_ids).map((id) => json.resource(id));
          if (
            nics.some(
              (nic) =>
                nic?.type !== "azurerm_network_interface" ||
                !nic.certain ||
                json.dynamic(nic.config, "ip_configuration"),
            )
          )
            return undefined;
          return nics.flatMap((nic) => ipConfigurationSubnets(nic!.config, json));
        },
      },
      {
        terraformTypes: ["azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set"],
        subnets: (config, json) => {
          if (
            json.dynamic(config, "network_interface") ||
            json.list(config.network_interface).some((nic) => json.dynamic(json.block(nic), "ip_configuration"))
          )
            return undefined;
          return json
            .list(config.network_interface)
            .flatMap((nic) => ipConfigurationSubnets(json.block(nic) ?? {}, json));
        },
      },
    ],
  },
  mocks: {
    identityBlock: [
      "azurerm_linux_virtual_machine",
      "azurerm_linux_virtual_machine_scale_set",
      "azurerm_windows_virtual_machine",
      "azurerm_windows_virtual_machine_scale_set",
    ],
    computed: {
      azurerm_linux_virtual_machine: ["private_ip_address", "virtual_machine_id"],
      azurerm_linux_virtual_machine_scale_set: ["unique_id"],
      azurerm_windows_virtual_machine: ["private_ip_address", "virtual_machine_id"],
      azurerm_windows_virtual_machine_scale_set: ["unique_id"],
    },
    names: { "Microsoft.Compute/virtualMachineScaleSets": "mock-vmss", "Microsoft.Compute/virtualMachines": "mock-vm" },
  },
});

// @targets
