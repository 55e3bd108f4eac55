#!/usr/bin/env bash
# Smoke run of the built server (dist/server.mjs, the bundle that `npm start` and the Dockerfile run)
# on an empty embedded database: /readyz 200, { __typename } answered, SIGTERM → exit 0.
# Usage: scripts/smoke.sh [node-binary]   (run `npm run build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin=${1:-node}
data_dir=$(mktemp -d)
log=$(mktemp)
DATA_DIR="$data_dir" PORT=0 HOST=127.0.0.1 AUTO_SEED=false "$node_bin" dist/server.mjs >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; rm -rf "$data_dir" "$log"; }
trap cleanup EXIT
address=""
for _ in $(seq 1 90); do
  address=$(grep -o 'Lumbung listening on http://[0-9.:]*' "$log" | head -1 | sed 's/Lumbung listening on //' || true)
  [ -n "$address" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "server exited early"; exit 1; }
  sleep 1
done
[ -n "$address" ] || { cat "$log"; echo "server did not start"; exit 1; }
# Ready may lag listening by a moment: load shedding reports 503 while start-up still holds the event loop.
ready=""
for _ in $(seq 1 60); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$address/readyz")" = 200 ] && { ready=yes; break; }
  sleep 0.5
done
[ -n "$ready" ] || { curl -s "$address/readyz"; echo; echo "/readyz is not 200"; exit 1; }
answer=$(curl -s "$address/graphql" -H 'content-type: application/json' -d '{"query":"{ __typename }"}')
echo "$answer"
# The answer may carry extensions (the query cost); the data must be exactly this.
case "$answer" in '{"data":{"__typename":"Query"}'*) ;; *) echo "unexpected GraphQL answer"; exit 1 ;; esac
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
trap - EXIT
rm -rf "$data_dir"
test "$status" = 0 || { cat "$log"; echo "server exited with $status after SIGTERM"; exit 1; }
rm -f "$log"
echo "smoke on $("$node_bin" --version): /readyz 200, { __typename } answered, SIGTERM → exit 0"
