import { defineTestService } from "./helpers";
// The network part: what defineService refuses, and what the path algorithm reads from the modules.
import "../constructs/services";
import { networkTargetByType, placementByType } from "../constructs/azure";
import { type NetworkPart } from "../constructs";

const define = (name: string, network: NetworkPart) => () =>
  defineTestService({ name, namespaces: ["Contoso.Maps"], network });

describe("defineService refuses a network part", () => {
  it("with a Private Link group that has no private DNS zone, naming service, part and fix", () => {
    expect(
      define("Bad Maps N1", {
        privateDnsZones: { account: "privatelink.maps.contoso.net" },
        targets: [{ terraformType: "contoso_maps_account", privateLinkGroup: { "Maps Data": "mapsData" } }],
      }),
    ).toThrow(
      /^\[defineService\] Bad Maps N1 network: contoso_maps_account's Private Link group "mapsData" has no private DNS zone: "mapsData"\. Fix: add privateDnsZones: \{ mapsData: "privatelink\.<the service's DNS suffix>" \}/,
    );
  });

  it.each([
    ["maps.contoso.net", "no privatelink. prefix"],
    ["privatelink.", "no DNS name after it"],
    ["privatelink.maps..contoso.net", "an empty label"],
    ["privatelink.maps contoso.net", "a space"],
  ])("with a private DNS zone %j (%s)", (zone) => {
    expect(
      define("Bad Maps N2", {
        privateDnsZones: { account: zone },
        targets: [{ terraformType: "contoso_maps_account", privateLinkGroup: "account" }],
      }),
    ).toThrow(
      /^\[defineService\] Bad Maps N2 network: the private DNS zone of group "account" is not "privatelink\." followed by a DNS name: .*Fix: give Microsoft's zone for the group in lower case/,
    );
  });

  it("and registers nothing it refused", () => {
    expect(networkTargetByType("contoso_maps_account")).toBeUndefined();
  });
});

describe("the network lookups read the service modules", () => {
  it("find a target's group and zone, and a compute's placement, by Terraform type", () => {
    const storage = networkTargetByType("azurerm_storage_account");
    expect(storage?.target.privateLinkGroup).toMatchObject({ "Storage Queue": "queue" });
    expect(storage?.zones.queue).toBe("privatelink.queue.core.windows.net");
    expect(placementByType("azurerm_windows_function_app_slot")).toBe(placementByType("azurerm_linux_web_app"));
    expect(placementByType("azurerm_storage_account")).toBeUndefined();
  });
});
