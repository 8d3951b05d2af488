#!/usr/bin/env bash
# Runs a command with Node.js >= 22.12 first on PATH. Machines that ship an older Node get Node 24
# LTS from the npm registry's `node` package, cached outside the repository (scripts/node-runtime.js
# says which Node is new enough and where the cache is; `npm install` runs this once to fill it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! node "$here/node-runtime.js" 2>/dev/null; then
  cache="${DPVAULT_NODE_CACHE:-$HOME/.cache/dpvault-node}"
  if [ ! -x "$cache/node_modules/node/bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo none) is too old for dpvault; fetching Node 24 into $cache" >&2
    mkdir -p "$cache"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$cache" node@24 >&2
  fi
  export PATH="$cache/node_modules/node/bin:$PATH"
fi
exec "$@"
