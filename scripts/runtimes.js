// The two CDK runtimes the library is built and tested for. The source imports `cdktf` and
// `@cdktf/provider-azurerm/lib/<resource>`; for CDK Terrain those specifiers are rewritten (at
// build time for the package, by module mapping for tests and the sample estate). Nothing else
// differs: CDK Terrain kept cdktf's classes, `cdktf.json`, `cdktf.out/` and the CDKTF_* variables.
"use strict";

/** The packages as the source names them (the library's own name: in the consumer app's sources). */
const SOURCE = { core: "cdktf", provider: "@cdktf/provider-azurerm", library: "@azure-identity-grants/cdktf" };

const RUNTIMES = {
  cdktf: {
    title: "CDK for Terraform (cdktf)",
    core: "cdktf",
    provider: "@cdktf/provider-azurerm",
    library: "@azure-identity-grants/cdktf",
    peers: { cdktf: "^0.21.0", "@cdktf/provider-azurerm": "^14.23.1", constructs: "^10.4.2" },
    node: ">=20.9.0",
  },
  cdktn: {
    title: "CDK Terrain (cdktn)",
    core: "cdktn",
    provider: "@cdktn/provider-azurerm",
    library: "@azure-identity-grants/cdktn",
    peers: { cdktn: "^0.24.0", "@cdktn/provider-azurerm": "^16.1.0", constructs: ">=10.6.0 <10.8.0" },
    // @cdktn/provider-azurerm's own floor; cdktn's CLI wants 22.19, the library does not.
    node: ">=20.16.0",
  },
};

/**
 * The runtime's specifier for one the source writes, or undefined when it names neither package.
 * Exact package names only: `cdktf-cli` or `@cdktf/provider-azurerm-extra` are other packages.
 */
function retarget(specifier, runtime) {
  const to = RUNTIMES[runtime];
  if (!to) throw new Error(`unknown runtime ${JSON.stringify(runtime)}: one of ${Object.keys(RUNTIMES).join(", ")}`);
  for (const part of ["core", "provider", "library"]) {
    const from = SOURCE[part];
    if (specifier === from) return to[part];
    if (specifier.startsWith(`${from}/`)) return `${to[part]}${specifier.slice(from.length)}`;
  }
  return undefined;
}

/** The runtime named by IDENTITY_RUNTIME (tests, synth), cdktf when unset. */
function selectedRuntime(env = process.env) {
  const name = env.IDENTITY_RUNTIME || "cdktf";
  if (!RUNTIMES[name])
    throw new Error(`IDENTITY_RUNTIME=${name} names no runtime: use ${Object.keys(RUNTIMES).join(" or ")}`);
  return name;
}

module.exports = { RUNTIMES, SOURCE, retarget, selectedRuntime };
