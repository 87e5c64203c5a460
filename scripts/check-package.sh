#!/usr/bin/env bash
# The library as another team gets it, once per CDK runtime: `npm run build` writes one package
# per runtime (dist/cdktf, dist/cdktn); each is packed and installed into a fresh app of its own
# runtime (cdktf's TypeScript template settings; for CDK Terrain, the same app with its imports
# renamed as a team migrating would, and the `overrides` entry its provider package needs), in a
# temp folder outside the repository, its peers from the local npm cache. The app is type-checked
# with the lowest and the newest supported TypeScript, synthesizes one workload through the public
# entry point (cdktn's with `cdktn synth` on Node 22, which its CLI needs), with a grant on a service the consumer
# defines (Azure Maps, __tests__/consumer-app/maps-service.ts); gets the type errors a consumer
# must get (a registry role on a vault, a system-assigned AKS control plane); cannot load the
# internals by path, with or without types; and the two runtimes' outputs are identical apart
# from the azurerm version. Needs `npm ci` first; fetches the two TypeScript versions, cdktn-cli
# and Node 22 from the registry once.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
registry="$(npm config get registry)"
quiet=(--no-audit --no-fund --loglevel=error)

cd "$repo"
npm run --silent build
node22="$(bash scripts/node22.sh)"

# The peers at the versions the repository locks, by the tarball URL `npm ci` fetched them from:
# npm serves that from its cache, where a bare version would need the registry's metadata.
locked() {
  local version
  version="$(node -p "require('$repo/package-lock.json').packages['node_modules/$1'].version")"
  echo "${registry%/}/$1/-/${1#*/}-$version.tgz"
}

# The supported range's two ends, each in a folder of its own (a second `typescript` in the
# repository's devDependencies would take over its `tsc` command).
for end in lowest newest; do
  version="$(node -p "require('$repo/scripts/typescript-range.js').SUPPORTED_TYPESCRIPT.$end")"
  mkdir -p "$work/typescript-$end"
  npm install --prefix "$work/typescript-$end" --prefer-offline "${quiet[@]}" "typescript@$version"
done

check_runtime() {
  local runtime="$1" core provider library node_bin app tarball
  core="$(node -p "require('$repo/scripts/runtimes.js').RUNTIMES.$runtime.core")"
  provider="$(node -p "require('$repo/scripts/runtimes.js').RUNTIMES.$runtime.provider")"
  library="$(node -p "require('$repo/scripts/runtimes.js').RUNTIMES.$runtime.library")"
  node_bin="$(command -v node)"
  [ "$runtime" = cdktn ] && node_bin="$node22"
  # One folder for both apps: the local backend's state path is written into the stack.
  app="$work/app"
  mkdir -p "$work/$runtime"
  tarball="$work/$runtime/$(npm pack --silent --pack-destination "$work/$runtime" "$repo/dist/$runtime" | tail -n 1)"
  cp -R "$repo/__tests__/consumer-app" "$app"
  cd "$app"
  node -r "$repo/scripts/register-swc.js" "$repo/tools/retarget.ts" "$runtime" ./*.ts
  # @cdktn/provider-azurerm 16.1.0 peers cdktn ^0.23.0, which was never published: the app's own cdktn stands in.
  if [ "$runtime" = cdktn ]; then
    node -e '
      const { readFileSync, writeFileSync } = require("node:fs");
      const app = JSON.parse(readFileSync("package.json", "utf8"));
      app.overrides = { "@cdktn/provider-azurerm": { cdktn: "$cdktn" } };
      writeFileSync("package.json", JSON.stringify(app, null, 2) + "\n");'
  fi
  npm install --offline "${quiet[@]}" "$(locked "$core")" "$(locked constructs)" "$(locked "$provider")" "$tarball"

  # The lowest supported TypeScript type-checks; the newest (what cdktf's template installs today) also builds out/.
  node "$work/typescript-lowest/node_modules/typescript/bin/tsc" -p . --noEmit
  node "$work/typescript-newest/node_modules/typescript/bin/tsc" -p .
  if [ "$runtime" = cdktn ]; then
    # The way a CDK Terrain team synthesizes: its CLI (Node >= 22.19), which runs the app's `app` command.
    npm install --prefer-offline "${quiet[@]}" "$(node -p "require('$repo/scripts/runtimes.js').RUNTIMES.cdktn.cli")"
    if ! PATH="$(dirname "$node_bin"):$PATH" CHECKPOINT_DISABLE=1 npx --no-install cdktn synth >"$work/cdktn-synth.log" 2>&1; then
      cat "$work/cdktn-synth.log" >&2
      exit 1
    fi
  else
    CHECKPOINT_DISABLE=1 "$node_bin" out/main.js
  fi

  # The file is in the package (the entry point needs it), but the `exports` map refuses it by
  # path, and it has no declarations: only index.d.ts, the public entry's, ships.
  local internals="$library/lib/grants/grants"
  test -f "node_modules/$internals.js"
  "$node_bin" -e "try { require('$internals'); process.exit(1) } catch (e) { process.exit(e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' ? 0 : 1) }" || {
    echo "check-package ($runtime): a consumer can load the library's internals by path (or the refusal changed)" >&2
    exit 1
  }
  local declarations
  declarations="$(cd "node_modules/$library" && find . -name '*.d.ts' | sort | tr '\n' ' ')"
  if [ "$declarations" != "./index.d.ts " ]; then
    echo "check-package ($runtime): the package ships declarations besides its entry's: $declarations" >&2
    exit 1
  fi
  # Nothing of the other runtime was installed beside this one.
  for other in cdktf cdktn @cdktf/provider-azurerm @cdktn/provider-azurerm; do
    if [ "$other" != "$core" ] && [ "$other" != "$provider" ] && [ -e "node_modules/$other" ]; then
      echo "check-package ($runtime): installing the package pulled in $other" >&2
      exit 1
    fi
  done

  RUNTIME="$runtime" node - <<'JS'
const { readFileSync } = require("node:fs");
const runtime = process.env.RUNTIME;
const stack = JSON.parse(readFileSync("cdktf.out/stacks/orders/cdk.tf.json", "utf8"));
const assignments = Object.values(stack.resource?.azurerm_role_assignment ?? {});
const secretsUser = "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6";
const fail = (why) => {
  console.error(`check-package (${runtime}): ${why}`);
  process.exit(1);
};
// The vault's grant, and the grant on the consumer-defined Azure Maps service (maps-service.ts).
const mapsReader = "/providers/Microsoft.Authorization/roleDefinitions/423170ca-a8f6-4b0f-8487-9e4eb8f49bfa";
if (assignments.length !== 2) fail(`expected two role assignments, found ${assignments.length}`);
const grant = assignments.find((a) => a.role_definition_id.endsWith(secretsUser));
const mapsGrant = assignments.find((a) => a.role_definition_id.endsWith(mapsReader));
if (!grant || !mapsGrant) fail(`unexpected roles ${assignments.map((a) => a.role_definition_id).join(", ")}`);
for (const a of assignments) if (a.principal_type !== "ServicePrincipal") fail(`principal_type is ${a.principal_type}`);
if (mapsGrant.scope !== "${azurerm_maps_account.maps.id}") fail(`the Azure Maps grant's scope is ${mapsGrant.scope}`);
const app = Object.values(stack.resource.azurerm_linux_web_app)[0];
if (!app.identity?.identity_ids?.length) fail("the web app has no user-assigned identity attached");
if (!app.app_settings?.AZURE_CLIENT_ID) fail("the web app has no AZURE_CLIENT_ID setting");
const guardrails = JSON.parse(readFileSync("cdktf.out/stacks/orders/guardrails.json", "utf8"));
if (guardrails.findings.length > 0) fail(`guardrail findings: ${JSON.stringify(guardrails.findings)}`);
const report = readFileSync("cdktf.out/stacks/orders/access-report.md", "utf8");
if (!report.includes("Key Vault Secrets User")) fail("the access report does not list the grant");
// The consumer-defined service's row: its role, its kind, and its stated audit gap.
const mapsRow = report.split("\n").find((line) => line.includes("Azure Maps Data Reader"));
if (!mapsRow) fail("the access report does not list the Azure Maps grant");
if (!mapsRow.includes("Azure Maps account")) fail(`the Azure Maps row does not name its kind: ${mapsRow}`);
if (!report.includes("no resource-log category for Microsoft.Maps/accounts")) {
  fail("the access report does not state the Azure Maps audit gap");
}
JS
  mv "$app/cdktf.out/stacks" "$work/$runtime/stacks"
  echo "check-package ($runtime): installs (its peers offline), type-checks with TypeScript $(node -p "Object.values(require('$repo/scripts/typescript-range.js').SUPPORTED_TYPESCRIPT).slice(0, 2).join(' and ')"), synthesizes a workload ($([ "$runtime" = cdktn ] && echo "cdktn synth" || echo "node out/main.js") on Node $("$node_bin" -p process.versions.node)) and refuses the wrong types and deep imports"
  cd "$repo"
  rm -rf "$app"
}

for runtime in cdktf cdktn; do check_runtime "$runtime"; done

# One app, two runtimes: every file beside the stack the same apart from the azurerm version.
node "$repo/scripts/compare-runtime-output.js" "$work/cdktf/stacks" "$work/cdktn/stacks"
