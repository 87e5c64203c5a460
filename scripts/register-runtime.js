// With IDENTITY_RUNTIME=cdktn, the repository's own TypeScript (the sample estate, the tools)
// runs on CDK Terrain: `cdktf` and `@cdktf/provider-azurerm/...` resolve to their cdktn packages.
// The published packages need no hook: the build rewrites their imports (tools/build).
"use strict";
const Module = require("node:module");
const { retarget, selectedRuntime } = require("./runtimes");

const runtime = selectedRuntime();
if (runtime !== "cdktf") {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolve.call(this, retarget(request, runtime) ?? request, ...rest);
  };
}
