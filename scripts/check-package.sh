#!/usr/bin/env bash
# The library as another team gets it: packed, installed into a fresh cdktf app (cdktf's own
# TypeScript template settings) in a temp folder outside the repository, from the local npm cache
# with no network; one workload synthesized through the public entry point, with a grant on a
# service the consumer defines (Azure Maps, __tests__/consumer-app/maps-service.ts); the type errors a
# consumer must get (a registry role on a vault, a system-assigned AKS control plane); and no way
# to load the internals by path. Needs `npm ci` first.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

cd "$repo"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
cp -R "$repo/__tests__/consumer-app" "$work/app"
cd "$work/app"

# The peers at the versions the repository locks, by the tarball URL `npm ci` fetched them from:
# npm serves that from its cache, where a bare version would need the registry's metadata.
registry="$(npm config get registry)"
locked() {
  local version
  version="$(node -p "require('$repo/package-lock.json').packages['node_modules/$1'].version")"
  echo "${registry%/}/$1/-/${1#*/}-$version.tgz"
}
npm install --offline --no-audit --no-fund --loglevel=error \
  "$(locked cdktf)" "$(locked constructs)" "$(locked @cdktf/provider-azurerm)" "$tarball"

node "$repo/node_modules/typescript/bin/tsc" -p .
CHECKPOINT_DISABLE=1 node out/main.js
# The file is in the package (the entry point needs it), but the `exports` map refuses it by path.
internals="@contoso-platform/azure-identity-grants/dist/grants/grants"
test -f "node_modules/$internals.js"
node -e "try { require('$internals'); process.exit(1) } catch (e) { process.exit(e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' ? 0 : 1) }" || {
  echo "check-package: a consumer can load the library's internals by path (or the refusal changed)" >&2
  exit 1
}

node - <<'JS'
const { readFileSync } = require("node:fs");
const stack = JSON.parse(readFileSync("cdktf.out/stacks/orders/cdk.tf.json", "utf8"));
const assignments = Object.values(stack.resource?.azurerm_role_assignment ?? {});
const secretsUser = "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6";
const fail = (why) => {
  console.error(`check-package: ${why}`);
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
console.log(
  "check-package: the packed library installs offline, synthesizes a workload (a consumer-defined service's grant too) and refuses the wrong types",
);
JS
