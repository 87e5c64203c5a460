import { defineTestService } from "./helpers";
// The resourceTypes part: what defineService refuses, and what the lookups derive from the modules.
import "../constructs/services";
import type { ResourceType } from "../constructs";
import {
  nameRuleFor,
  resourceProviderOf,
  resourceTypeOfTerraform,
  typeInfoByAzureType,
  typeInfoByTerraformType,
} from "../constructs/azure";

const define =
  (name: string, type: Partial<ResourceType>, namespaces = ["Contoso.Maps"]) =>
  () =>
    defineTestService({
      name,
      namespaces,
      resourceTypes: {
        account: { kind: "maps account", azureType: "Contoso.Maps/accounts", id: "inResourceGroup", ...type },
      },
    });

describe("defineService refuses a resourceTypes part", () => {
  it.each([
    ["Contoso.Maps", "no type"],
    ["Contoso.Maps/", "an empty type"],
    ["Maps/accounts", "no dotted namespace"],
    ["Contoso.Maps/accounts/../keys", "a dot segment"],
  ])("with a malformed azureType %j (%s), naming service, part and fix", (azureType) => {
    expect(define("Bad Maps 1", { azureType })).toThrow(
      /^\[defineService\] Bad Maps 1 resourceTypes\.account: the azureType is not Namespace\/type\[\/childType\.\.\.\]: .*Fix: spell it as in a resource id/,
    );
  });

  it("with an azureType outside the service's namespaces", () => {
    expect(define("Bad Maps 2", { azureType: "Contoso.Roads/accounts" })).toThrow(
      /Bad Maps 2 resourceTypes\.account: the azureType's namespace Contoso\.Roads is not one of the service's namespaces: "Contoso\.Roads\/accounts"\. Fix: add Contoso\.Roads to the service's namespaces/,
    );
  });

  it.each([
    [{ path: "creatorz" }, "a path type the azureType does not have"],
    [{ path: "creators/default" }, "a path ending in a name"],
    [{ path: "accounts/x/creators" }, "a path reaching above the parent"],
  ])("with a child path %j that does not fit the azureType (%s)", (id) => {
    expect(define("Bad Maps 3", { azureType: "Contoso.Maps/accounts/creators", id })).toThrow(
      /Bad Maps 3 resourceTypes\.account: its child path ".*" does not end the azureType's types.*Fix: give a child the path from its parent to its name/,
    );
  });

  it("with a top-level id for a child type", () => {
    expect(define("Bad Maps 4", { azureType: "Contoso.Maps/accounts/creators" })).toThrow(
      /Bad Maps 4 resourceTypes\.account: an inResourceGroup id needs a top-level type/,
    );
  });

  it("with a terraform type another service already has", () => {
    expect(define("Bad Maps 5", { terraformType: "azurerm_key_vault" })).toThrow(
      /Bad Maps 5 resourceTypes\.account: the terraform type is already a type of Key Vault: "azurerm_key_vault"\. Fix: give each azurerm resource type one resource type, in the service that owns it/,
    );
  });

  it("with one terraform type on two of its own types", () => {
    const twice = () =>
      defineTestService({
        name: "Bad Maps 6",
        namespaces: ["Contoso.Maps"],
        resourceTypes: {
          account: {
            kind: "maps account",
            azureType: "Contoso.Maps/accounts",
            terraformType: "x_maps",
            id: "inResourceGroup",
          },
          again: {
            kind: "maps account",
            azureType: "Contoso.Maps/accounts",
            terraformType: "x_maps",
            id: "inResourceGroup",
          },
        },
      });
    expect(twice).toThrow(/Bad Maps 6 resourceTypes\.again: the terraform type is already another type of Bad Maps 6/);
  });
});

describe("the lookups", () => {
  it("read the shipped modules: grant targets, every azurerm type's namespace, children and names", () => {
    expect(typeInfoByAzureType("microsoft.keyvault/VAULTS")?.kind).toBe("Key Vault");
    expect(typeInfoByTerraformType("azurerm_storage_queue")?.services).toEqual(["Storage Queue"]);
    // Computes and plumbing have a type and a namespace, but are no grant target.
    expect(typeInfoByTerraformType("azurerm_linux_web_app")).toBeUndefined();
    expect(typeInfoByAzureType("Microsoft.Web/sites")).toBeUndefined();
    expect(resourceProviderOf("azurerm_linux_web_app")).toBe("Microsoft.Web");
    expect(resourceProviderOf("azurerm_monitor_aad_diagnostic_setting")).toBe("microsoft.aadiam");
    expect(resourceTypeOfTerraform("azurerm_subnet")?.id).toEqual({
      parentName: "virtual_network_name",
      path: "subnets",
    });
    expect(nameRuleFor("Microsoft.Web/sites")?.kind).toBe("App Service app");
  });

  it("see a service defined after the shipped ones", () => {
    defineTestService({
      name: "Contoso Maps",
      namespaces: ["Contoso.Maps"],
      resourceTypes: {
        account: {
          kind: "maps account",
          azureType: "Contoso.Maps/accounts",
          terraformType: "contoso_maps_account",
          services: ["Contoso Maps"],
          id: "inResourceGroup",
          name: { min: 3, max: 10, pattern: /^[a-z]+$/, text: "lowercase letters" },
        },
      },
    });
    expect(resourceProviderOf("contoso_maps_account")).toBe("Contoso.Maps");
    expect(typeInfoByAzureType("Contoso.Maps/accounts")?.kind).toBe("maps account");
    expect(nameRuleFor("Contoso.Maps/accounts")?.rule).toBe("3-10 characters: lowercase letters");
  });
});
