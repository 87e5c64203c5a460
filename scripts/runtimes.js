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
    // The CLI the package check synthesizes the consumer app with, on Node 22.
    cli: "cdktn-cli@0.24.0",
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

/** The fields of a stack's JSON that name the runtime's versions. */
const VERSIONED = [
  ["terraform", "required_providers", "azurerm", "version"],
  ["//", "metadata", "version"],
];

/**
 * A stack's Terraform JSON as both runtimes write it: the versions they record replaced by a
 * placeholder, and a federated credential's identity in azurerm 4.65's form (cdktf's 4.55
 * bindings write parent_id and resource_group_name, CDK Terrain's user_assigned_identity_id).
 * Anything else that differs is a real difference between the runtimes' output.
 */
function withoutRuntimeDifferences(stackJson) {
  const json = structuredClone(stackJson);
  for (const path of VERSIONED) {
    const parent = path.slice(0, -1).reduce((node, key) => node?.[key], json);
    if (parent && typeof parent[path.at(-1)] === "string") parent[path.at(-1)] = "<the runtime's version>";
  }
  for (const credential of Object.values(json.resource?.azurerm_federated_identity_credential ?? {})) {
    if (credential.parent_id === undefined) continue;
    credential.user_assigned_identity_id = credential.parent_id;
    delete credential.parent_id;
    delete credential.resource_group_name;
  }
  return json;
}

module.exports = { RUNTIMES, SOURCE, retarget, selectedRuntime, withoutRuntimeDifferences };
