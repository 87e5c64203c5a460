#!/usr/bin/env bash
# Synthesizes every environment here and in a copy of the repository in another folder, then
# checks that every file written beside each stack (its JSON and reports) is byte-identical and
# names neither folder; then synthesizes it on CDK Terrain (Node 22) and checks that every file is
# the same apart from the runtime's versions.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
npm run --silent synth >/dev/null
mkdir "$work/copy"
# Tracked and new files alike (not what .gitignore leaves out), so nothing needs `git add` first.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  [ -e "$file" ] && cp --parents -t "$work/copy" "$file"
done
ln -s "$root/node_modules" "$work/copy/node_modules"
(cd "$work/copy" && npm run --silent synth >/dev/null)

status=0
for env in dev staging prod dev-bootstrap staging-bootstrap prod-bootstrap; do
  for here in cdktf.out/stacks/$env/*; do
    if ! cmp -s "$here" "$work/copy/$here"; then echo "not reproducible: $here differs between $root and a copy"; status=1; fi
    if grep -qF -e "$root" -e "$work" "$here"; then echo "machine path in $here"; status=1; fi
  done
done
[ "$status" -eq 0 ] && echo "synth reproducible: every file of every environment stack byte-identical in two folders, no machine path"
[ "$status" -eq 0 ] || exit "$status"

CDKTF_OUTDIR="$work/cdktn" CHECKPOINT_DISABLE=1 IDENTITY_RUNTIME=cdktn \
  "$(bash scripts/node22.sh)" -r ./scripts/register-swc.js main.ts >/dev/null
node scripts/compare-runtime-output.js cdktf.out/stacks "$work/cdktn/stacks"
