// What the library relies on from its CDK runtime, stated and checked on whichever one this run is
// on (jest runs every suite on cdktf and on CDK Terrain), and the refusal of the other runtime's
// constructs. The other runtime is loaded by its path: the module mapping that puts this run on
// cdktn maps the name `cdktf`, not a path.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Construct } from "constructs";
import { Aspects, TerraformResource, TerraformStack, Testing } from "cdktf";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { configureIdentityStack, KeyVaultTarget } from "../constructs";
import { onStackSynthesis } from "../constructs/core";
import { foreignModulesIn, retargetText } from "../tools/retarget";
import { inRg, refusal, SUBSCRIPTION, TENANT } from "./helpers";
import { RUNTIME } from "./runtime";

const OTHER = RUNTIME.core === "cdktf" ? "cdktn" : "cdktf";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const other: typeof import("cdktf") = require(join(__dirname, "..", "node_modules", OTHER));
const ourVersion: string = JSON.parse(readFileSync(require.resolve(`${RUNTIME.core}/package.json`), "utf8")).version;
const otherVersion: string = JSON.parse(
  readFileSync(join(__dirname, "..", "node_modules", OTHER, "package.json"), "utf8"),
).version;

/** Configures `stack` as a consumer would; typed loosely, since the tests hand it other runtimes' stacks. */
const configureOn = (stack: unknown) =>
  configureIdentityStack(stack as TerraformStack, {
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    guardrails: { severity: "error" },
  });

describe(`the ${RUNTIME.core} runtime gives the library what it relies on`, () => {
  // constructs/core/stack-synthesis.ts: the `Symbol.for("cdktf/customSynthesis")` hook, which both
  // runtimes call on each construct that defines it, leaves first, the stack last, after aspects,
  // with the session whose manifest names the stack's folder; an error thrown there stops the synth.
  it("calls the custom-synthesis hook after aspects, leaves before the stack, with the stack's folder", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "hooked");
    const leaf = new Construct(stack, "leaf");
    const order: string[] = [];
    Aspects.of(stack).add({
      visit: (node) => {
        if (node === stack && !stack.node.tryFindChild("from-aspect"))
          new TerraformResource(stack, "from-aspect", { terraformResourceType: "azurerm_resource_group" });
      },
    });
    onStackSynthesis(leaf, (json) => {
      order.push("leaf");
      expect(Object.keys(json().resource.azurerm_resource_group)).toEqual(["from-aspect"]);
      return { "hook.txt": "written beside the stack" };
    });
    app.synth();
    expect(order).toEqual(["leaf"]);
    expect(readFileSync(join(app.outdir, "stacks", "hooked", "hook.txt"), "utf8")).toBe("written beside the stack");
  });

  it("renders the stack once per synth: the synthesizer writes the rendering the hooks read", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "rendered");
    new TerraformResource(stack, "group", { terraformResourceType: "azurerm_resource_group" });
    onStackSynthesis(new Construct(stack, "leaf"), (json) => {
      json();
    });
    const render = jest.spyOn(TerraformStack.prototype, "toTerraform");
    try {
      app.synth();
      expect(render.mock.contexts.filter((c) => c === stack)).toHaveLength(1);
    } finally {
      render.mockRestore();
    }
    const written = JSON.parse(readFileSync(join(app.outdir, "stacks", "rendered", "cdk.tf.json"), "utf8"));
    expect(Object.keys(written.resource.azurerm_resource_group)).toEqual(["group"]);
  });

  it("stops the synth when a hook throws, before the stack is written", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "refused");
    onStackSynthesis(new Construct(stack, "leaf"), () => {
      throw new Error("refused by the hook");
    });
    expect(() => app.synth()).toThrow("refused by the hook");
  });

  it(`stamps its classes with jsii type names (${RUNTIME.core}.TerraformStack): how a foreign runtime is named`, () => {
    expect((TerraformStack as unknown as Record<symbol, { fqn: string }>)[Symbol.for("jsii.rtti")].fqn).toBe(
      `${RUNTIME.core}.TerraformStack`,
    );
  });
});

describe(`a construct of ${OTHER} given to the ${RUNTIME.core} build is refused, named`, () => {
  const otherStack = () => new other.TerraformStack(new other.App({ outdir: Testing.app().outdir }), "theirs");

  it("as the stack to configure", () => {
    const stack = otherStack();
    const error = refusal(() => configureOn(stack));
    expect(error.message).toBe(
      `[theirs] The stack is a ${OTHER} ${otherVersion} construct, but this package is built on ${RUNTIME.core} ${ourVersion}: "theirs". Fix: use the package built for ${OTHER} (@azure-identity-grants/${OTHER}), or build the app with ${RUNTIME.core}'s classes: an app takes one runtime's classes`,
    );
  });

  it("as the scope of a library construct (its stack is found by a marker both runtimes share)", () => {
    const scope = new Construct(otherStack() as unknown as Construct, "workload");
    const error = refusal(() =>
      KeyVaultTarget.fromId(
        scope,
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/orders-kv`,
      ),
    );
    expect(error.constructPath).toBe("theirs/workload");
    expect(error.problem).toBe(
      `The stack of theirs/workload is a ${OTHER} ${otherVersion} construct, but this package is built on ${RUNTIME.core} ${ourVersion}`,
    );
  });

  it("as a target", () => {
    const theirs = new other.TerraformResource(otherStack(), "vault", { terraformResourceType: "azurerm_key_vault" });
    const error = refusal(() => KeyVaultTarget.of(theirs as unknown as KeyVault));
    expect(error.problem).toBe(
      `The Key Vault given as a target is a ${OTHER} ${otherVersion} construct, but this package is built on ${RUNTIME.core} ${ourVersion}`,
    );
  });

  it("as an element of a stack the library judges, before the runtime's synthesizer meets it", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION, tenantId: TENANT });
    configureOn(stack);
    new KeyVault(stack, "ours", { ...inRg, name: "kv-ours", tenantId: TENANT, skuName: "standard" });
    // Its constructor takes any construct as its scope: only its class tells it apart.
    new other.TerraformResource(stack as never, "theirs", { terraformResourceType: "azurerm_key_vault" });
    expect(() => app.synth()).toThrow(
      `[test] test/theirs (in the stack) is a ${OTHER} ${otherVersion} construct, but this package is built on ${RUNTIME.core} ${ourVersion}`,
    );
  });

  it("names a second copy of the same runtime as such", () => {
    // A second install of the runtime: its classes carry the same marker and jsii name, and are other classes.
    class CopiedStack extends Construct {}
    Object.defineProperty(CopiedStack, Symbol.for("jsii.rtti"), {
      value: { fqn: `${RUNTIME.core}.TerraformStack`, version: "0.20.0" },
    });
    const copy = new CopiedStack(new Construct(undefined as never, ""), "copied");
    Object.defineProperty(copy, Symbol.for("cdktf/TerraformStack"), { value: true });
    const error = refusal(() => configureOn(copy));
    expect(error.problem).toBe(
      `The stack is a construct of a second copy of ${RUNTIME.core} 0.20.0, not of the ${RUNTIME.core} ${ourVersion} this package is built on`,
    );
    expect(error.fix).toMatch(new RegExp(`^install one copy of ${RUNTIME.core} in the app \\(npm ls ${RUNTIME.core}`));
  });
});

describe("the import rewrite (tools/retarget.ts)", () => {
  const source = [
    'import { App } from "cdktf";',
    "import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';",
    'export { Roles } from "@azure-identity-grants/cdktf";',
    'type S = import("cdktf").TerraformStack;',
    'const lazy = () => import("@cdktf/provider-azurerm/lib/provider");',
    'const cli = require("cdktf-cli");',
    'const text = "cdktf"; // a string that names no module stays',
    'import other = require("@cdktf/provider-azurerm-extra");',
    "",
  ].join("\n");

  it("moves exactly the module specifiers of the three packages, on the syntax tree", () => {
    expect(retargetText(source, "main.ts", "cdktn")).toBe(
      [
        'import { App } from "cdktn";',
        'import { KeyVault } from "@cdktn/provider-azurerm/lib/key-vault";',
        'export { Roles } from "@azure-identity-grants/cdktn";',
        'type S = import("cdktn").TerraformStack;',
        'const lazy = () => import("@cdktn/provider-azurerm/lib/provider");',
        'const cli = require("cdktf-cli");',
        'const text = "cdktf"; // a string that names no module stays',
        'import other = require("@cdktf/provider-azurerm-extra");',
        "",
      ].join("\n"),
    );
  });

  it("names what it leaves behind, so the build can fail on it", () => {
    const left = [
      '/// <reference types="cdktf" />',
      'declare module "@cdktf/provider-azurerm/lib/provider" {}',
      'const cli = require("cdktf-cli");',
      "",
    ].join("\n");
    expect(foreignModulesIn(retargetText(left, "x.d.ts", "cdktn"), "x.d.ts", "cdktn")).toEqual([
      "cdktf",
      "@cdktf/provider-azurerm/lib/provider",
    ]);
    expect(foreignModulesIn(retargetText(source, "main.ts", "cdktn"), "main.ts", "cdktn")).toEqual([]);
  });

  it("leaves a source untouched for cdktf, and emitted CommonJS is rewritten too", () => {
    expect(retargetText(source, "main.ts", "cdktf")).toBe(source);
    expect(retargetText('const cdktf_1 = require("cdktf");\n', "index.js", "cdktn")).toBe(
      'const cdktf_1 = require("cdktn");\n',
    );
  });
});
