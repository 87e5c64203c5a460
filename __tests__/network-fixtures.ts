import { TerraformStack } from "cdktf";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Subnet, SubnetConfig } from "@cdktf/provider-azurerm/lib/subnet";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { MssqlServer, MssqlServerConfig } from "@cdktf/provider-azurerm/lib/mssql-server";
import { AppServiceCompute, GrantRequest, Identity, Roles, SqlServerTarget, WorkloadIdentity } from "../constructs";
import { MssqlFirewallRule } from "@cdktf/provider-azurerm/lib/mssql-firewall-rule";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { inRg } from "./helpers";

/** A virtual network and a subnet in it, as an estate declares them. */
export function network(stack: TerraformStack, id = "vnet", addressSpace = "10.0.0.0/16"): VirtualNetwork {
  return new VirtualNetwork(stack, id, { ...inRg, name: `${id}-net`, addressSpace: [addressSpace] });
}
export function subnet(
  stack: TerraformStack,
  vnet: VirtualNetwork,
  id: string,
  prefix: string,
  extra: Partial<SubnetConfig> = {},
): Subnet {
  return new Subnet(stack, id, {
    name: id,
    resourceGroupName: inRg.resourceGroupName,
    virtualNetworkName: vnet.name,
    addressPrefixes: [prefix],
    ...extra,
  });
}

/** The apps subnet (10.0.2.0/26), delegated to App Service so web apps integrate with it. */
export function appsSubnet(stack: TerraformStack, vnet: VirtualNetwork, extra: Partial<SubnetConfig> = {}): Subnet {
  return subnet(stack, vnet, "apps", "10.0.2.0/26", {
    delegation: [
      {
        name: "app-service",
        serviceDelegation: {
          name: "Microsoft.Web/serverFarms",
          actions: ["Microsoft.Network/virtualNetworks/subnets/action"],
        },
      },
    ],
    ...extra,
  });
}

export const ENTRA_ONLY = {
  azureadAdministrator: {
    loginUsername: "sql-admins",
    objectId: "8e4f2b1c-7a6d-4e3f-9b2a-1c0d9e8f7a65",
    azureadAuthenticationOnly: true,
  },
};

export interface SqlEstate {
  readonly vnet: VirtualNetwork;
  /** Delegated to App Service: the web app's integration subnet when `integrate`. */
  readonly apps: Subnet;
  readonly endpoints: Subnet;
  readonly server: MssqlServer;
  readonly target: SqlServerTarget;
  readonly app: LinuxWebApp;
}

/**
 * A web app holding db_datareader on an Azure SQL database, in a network with an apps subnet
 * (integrated when `integrate`) and an endpoints subnet; no network path unless the test adds one.
 */
export function sqlEstate(
  stack: TerraformStack,
  options: {
    integrate?: boolean;
    server?: Partial<MssqlServerConfig>;
    apps?: Partial<SubnetConfig>;
    grants?: (estate: Omit<SqlEstate, "app">) => GrantRequest[];
  } = {},
): SqlEstate {
  const vnet = network(stack);
  const apps = appsSubnet(stack, vnet, options.apps);
  const endpoints = subnet(stack, vnet, "endpoints", "10.0.3.0/27");
  const server = new MssqlServer(stack, "sql", {
    ...inRg,
    name: "orders-sql",
    version: "12.0",
    ...ENTRA_ONLY,
    ...options.server,
  });
  const target = SqlServerTarget.of(server);
  const app = new LinuxWebApp(stack, "web", {
    ...inRg,
    name: "orders-web",
    servicePlanId: "/plan",
    siteConfig: {},
    virtualNetworkSubnetId: options.integrate ? apps.id : undefined,
  });
  const base = { vnet, apps, endpoints, server, target };
  new WorkloadIdentity(stack, "orders", {
    identity: Identity.systemAssigned(),
    compute: [AppServiceCompute.linuxWebApp(app)],
    grants: options.grants?.(base) ?? [target.database("ordersdb").allow(Roles.SqlDataReader, "reads orders")],
  });
  return { ...base, app };
}

/** A private endpoint written by hand: automatic approval, one group. */
export const endpointTo = (stack: TerraformStack, id: string, resourceId: string, subnetId: string, group: string) =>
  new PrivateEndpoint(stack, id, {
    ...inRg,
    name: `${id}-pe`,
    subnetId,
    privateServiceConnection: {
      name: `${id}-connection`,
      privateConnectionResourceId: resourceId,
      subresourceNames: [group],
      isManualConnection: false,
    },
  });

/** The "allow Azure services" rule (0.0.0.0) written by hand, as the portal names it. */
export const azureServicesRule = (stack: TerraformStack, server: MssqlServer) =>
  new MssqlFirewallRule(stack, "azure", {
    name: "AllowAllWindowsAzureIps",
    serverId: server.id,
    startIpAddress: "0.0.0.0",
    endIpAddress: "0.0.0.0",
  });
