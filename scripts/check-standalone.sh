#!/usr/bin/env bash
# Proves the repository stands on its own: copies the tracked files (and the installed
# node_modules, as `npm install` would make them) into an empty temporary folder with no
# siblings, and runs there the tests that read data files (card schema, samples, fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
copy="$root/alone/iothub-alert-enricher"
mkdir -p "$copy"
git ls-files -z | xargs -0 cp --parents -t "$copy"
# Hard links: fast, and the copy reads no file outside its own folder.
cp -al node_modules "$copy/node_modules"

echo "standalone copy: $copy (nothing beside it: $(ls -A "$root/alone" | wc -l) entry)"
cd "$copy"
npx jest --ci test/unit/repository test/unit/render test/unit/cli test/unit/enrichAlert.test.ts
