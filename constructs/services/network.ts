import { defineService, notApplicable } from "../azure/contract";
import { role } from "../azure/role-catalog";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { requireAzureNames, ResourceId } from "../azure/azure-ids";
import { AzureContext } from "../azure/azure-context";
import { knownName } from "../azure/known-values";
import { targetOfKind } from "../grants/targets";

const NETWORK_NAME_TEXT =
  "letters, digits, underscores, periods and hyphens; starts with a letter or digit, ends with a letter, digit or underscore";
const NETWORK_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

/** Network: everything the library knows about it. */
export const network = defineService({
  name: "Network",
  namespaces: ["Microsoft.Network"],
  resourceTypes: {
    virtualNetwork: {
      kind: "virtual network",
      azureType: "Microsoft.Network/virtualNetworks",
      terraformType: "azurerm_virtual_network",
      id: "inResourceGroup",
      name: { min: 2, max: 64, pattern: NETWORK_NAME, text: NETWORK_NAME_TEXT },
    },
    subnet: {
      kind: "subnet",
      azureType: "Microsoft.Network/virtualNetworks/subnets",
      terraformType: "azurerm_subnet",
      services: ["Network"],
      id: { parentName: "virtual_network_name", path: "subnets" },
      name: { min: 1, max: 80, pattern: NETWORK_NAME, text: NETWORK_NAME_TEXT },
    },
    networkInterface: {
      kind: "network interface",
      azureType: "Microsoft.Network/networkInterfaces",
      terraformType: "azurerm_network_interface",
      id: "inResourceGroup",
    },
    networkSecurityGroup: {
      kind: "network security group",
      azureType: "Microsoft.Network/networkSecurityGroups",
      terraformType: "azurerm_network_security_group",
      id: "inResourceGroup",
    },
    publicIp: {
      kind: "public IP address",
      azureType: "Microsoft.Network/publicIPAddresses",
      terraformType: "azurerm_public_ip",
      id: "inResourceGroup",
    },
    routeTable: {
      kind: "route table",
      azureType: "Microsoft.Network/routeTables",
      terraformType: "azurerm_route_table",
      id: "inResourceGroup",
    },
    natGateway: {
      kind: "NAT gateway",
      azureType: "Microsoft.Network/natGateways",
      terraformType: "azurerm_nat_gateway",
      id: "inResourceGroup",
    },
    privateDnsZone: {
      kind: "private DNS zone",
      azureType: "Microsoft.Network/privateDnsZones",
      terraformType: "azurerm_private_dns_zone",
      services: ["Network"],
      id: "inResourceGroup",
      // Labels of letters, digits, underscores and hyphens, separated by periods (a DNS name).
      name: {
        min: 1,
        max: 253,
        pattern:
          /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)+$/,
        text: "DNS labels of letters, digits, underscores and hyphens (at most 63 each) separated by periods",
      },
    },
    privateDnsZoneLink: {
      kind: "private DNS zone virtual network link",
      azureType: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
      terraformType: "azurerm_private_dns_zone_virtual_network_link",
      id: { path: "virtualNetworkLinks" },
    },
    privateEndpoint: {
      kind: "private endpoint",
      azureType: "Microsoft.Network/privateEndpoints",
      terraformType: "azurerm_private_endpoint",
      id: "inResourceGroup",
    },
  },
  roles: {
    // Platform roles (built-in-roles/networking): AKS's control plane on its own subnet and private DNS zone.
    NetworkContributor: role("Network Contributor", "4d97b98b-1d4f-4787-a291-c67834d212e7", "Network", "platform", {
      actions: [
        "Microsoft.Authorization/*/read",
        "Microsoft.Insights/alertRules/*",
        "Microsoft.Network/*",
        "Microsoft.ResourceHealth/availabilityStatuses/read",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Support/*",
      ],
    }),
    PrivateDnsZoneContributor: role(
      "Private DNS Zone Contributor",
      "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
      "Network",
      "platform",
      {
        actions: [
          "Microsoft.Insights/alertRules/*",
          "Microsoft.Resources/deployments/*",
          "Microsoft.Resources/subscriptions/resourceGroups/read",
          "Microsoft.Support/*",
          "Microsoft.Network/privateDnsZones/*",
          "Microsoft.Network/privateDnsOperationResults/*",
          "Microsoft.Network/privateDnsOperationStatuses/*",
          "Microsoft.Network/virtualNetworks/read",
          "Microsoft.Network/virtualNetworks/join/action",
          "Microsoft.Authorization/*/read",
        ],
      },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: notApplicable("its roles are Azure RBAC roles: Resource Manager's role assignments grant them"),
  keys: notApplicable("its resource types hold no keys and authenticate no caller"),
  audit: notApplicable("its roles act on subnets and networks (the Activity Log records that): no data a grant reads"),
  network: notApplicable(
    "virtual networks, subnets, private endpoints and DNS zones are the network path itself, not a data plane behind one",
  ),
  mocks: {
    computed: {
      azurerm_nat_gateway: ["resource_guid"],
      azurerm_network_interface: ["mac_address", "private_ip_address"],
      azurerm_public_ip: ["ip_address"],
      azurerm_virtual_network: ["guid"],
    },
    names: {
      "Microsoft.Network/networkInterfaces": "mock-nic",
      "Microsoft.Network/privateDnsZones": "privatelink.vaultcore.azure.net",
      "Microsoft.Network/privateDnsZones/virtualNetworkLinks": "mock-link",
      "Microsoft.Network/virtualNetworks": "mock-vnet",
      "Microsoft.Network/virtualNetworks/subnets": "mock-subnet",
    },
  },
});

// @targets
/** A subnet, for the platform role a compute's own identity needs to join it (Network Contributor). */
export class SubnetTarget extends targetOfKind<"Network", Subnet>(network.resourceTypes.subnet, network, (subnet) => {
  const virtualNetwork = ResourceId.fromNames(subnet, {
    subscriptionId: AzureContext.of(subnet).subscriptionId,
    resourceGroup: knownName(subnet, subnet.resourceGroupNameInput ?? ""),
    type: network.resourceTypes.virtualNetwork.azureType,
    name: knownName(subnet, subnet.virtualNetworkNameInput ?? ""),
  });
  const resourceId = requireAzureNames(
    subnet,
    virtualNetwork.child(network.resourceTypes.subnet.id.path, knownName(subnet, subnet.nameInput ?? "")),
  );
  return { resourceId, scopeReference: subnet.id, tenantId: AzureContext.of(subnet).tenantId, home: subnet };
}) {}

/** A private DNS zone, for the platform role a compute's own identity needs to write its records. */
export class PrivateDnsZoneTarget extends targetOfKind<"Network", PrivateDnsZone>(
  network.resourceTypes.privateDnsZone,
  network,
) {}
