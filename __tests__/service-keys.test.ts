import { defineTestService } from "./helpers";
// The keys part: what defineService refuses, and what the secret scan and the key rules read from it.
import "../constructs/services";
import { acceptsKeys, localAuthProblem, secretAttributes } from "../constructs/azure";
import { notApplicable, type KeysPart } from "../constructs";
import { findSecrets } from "../constructs/guardrails";
import { block } from "../constructs/estate";

const mapsAccount = (terraformType: string) =>
  ({
    account: { kind: "maps account", azureType: "Contoso.Maps/accounts", terraformType, id: "inResourceGroup" },
  }) as const;

// Each refused definition registers nothing, so they can share one terraform type.
const define = (name: string, keys: KeysPart) => () =>
  defineTestService({ name, namespaces: ["Contoso.Maps"], resourceTypes: mapsAccount("contoso_bad_account"), keys });

describe("defineService refuses a keys part", () => {
  it("listing the attributes of a terraform type the service does not define, naming service, part and fix", () => {
    expect(define("Bad Keys 1", { secretAttributes: { azurerm_storage_account: "primary_access_key" } })).toThrow(
      /^\[defineService\] Bad Keys 1 keys\.secretAttributes: azurerm_storage_account is not a terraform type of Bad Keys 1's resourceTypes: "azurerm_storage_account"\. Fix: name one of contoso_bad_account \(or its data source, data\.<type>\); a type no shipped service owns belongs in constructs\/azure\/secret-attributes\.ts$/,
    );
  });

  it("listing another service's data source", () => {
    expect(define("Bad Keys 2", { secretAttributes: { "data.azurerm_key_vault_secret": "value" } })).toThrow(
      /Bad Keys 2 keys\.secretAttributes: data\.azurerm_key_vault_secret is not a terraform type of Bad Keys 2's resourceTypes/,
    );
  });

  it("judging the local auth of a type it does not define", () => {
    expect(define("Bad Keys 3", { secretAttributes: {}, localAuth: { contoso_bad_acount: () => undefined } })).toThrow(
      /Bad Keys 3 keys\.localAuth: contoso_bad_acount is not a terraform type of Bad Keys 3's resourceTypes/,
    );
  });

  it("of a service without resource types, saying it defines none", () => {
    expect(() =>
      defineTestService({
        name: "Bad Keys 4",
        namespaces: ["Contoso.Maps"],
        resourceTypes: notApplicable("none"),
        keys: { secretAttributes: { contoso_maps_account: "primary_key" } },
      }),
    ).toThrow(/Fix: name one of its resource types' terraform types \(it defines none\)/);
  });

  it.each([["primary_key  secondary_key"], ["primary_key,secondary_key"], ["kube_config..client_key"], [""]])(
    "with a malformed attribute path list %j",
    (paths) => {
      expect(
        define(`Bad Keys path ${JSON.stringify(paths)}`, { secretAttributes: { contoso_bad_account: paths } }),
      ).toThrow(
        /keys\.secretAttributes\.contoso_bad_account: ".*" is not an attribute path: .*Fix: list attribute paths separated by single spaces/,
      );
    },
  );
});

describe("a consumer-defined service's keys part", () => {
  defineTestService({
    name: "Contoso Maps",
    namespaces: ["Contoso.Maps"],
    resourceTypes: mapsAccount("contoso_maps_account"),
    keys: {
      localAuth: {
        contoso_maps_account: (c) =>
          c.local_auth_enabled === false
            ? undefined
            : acceptsKeys("account still accepts its shared keys", "set local_auth_enabled = false"),
      },
      secretAttributes: {
        contoso_maps_account: "primary_key secondary_key",
        "data.contoso_maps_account": "primary_key",
      },
    },
  });

  it("adds its attributes to the secret scan's table, beside the shipped and the unowned ones", () => {
    expect(secretAttributes().get("contoso_maps_account")).toEqual([["primary_key"], ["secondary_key"]]);
    expect(secretAttributes().get("azurerm_storage_account")).toContainEqual(["primary_access_key"]);
    expect(secretAttributes().get("azurerm_iothub")).toBeDefined();
    expect(
      findSecrets({
        output: {
          key: { value: "${contoso_maps_account.m.secondary_key}" },
          read: { value: "${data.contoso_maps_account.m.primary_key}" },
        },
      }).map((h) => h.address),
    ).toEqual(["output.key", "output.read"]);
  });

  it("judges its targets' local auth", () => {
    expect(localAuthProblem("contoso_maps_account", {}, block)).toEqual({
      problem: "the account still accepts its shared keys: anyone holding a key bypasses the identity's grants",
      fix: "set local_auth_enabled = false",
    });
    expect(localAuthProblem("contoso_maps_account", { local_auth_enabled: false }, block)).toBeUndefined();
  });
});
