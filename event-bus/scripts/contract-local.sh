#!/usr/bin/env bash
# Runs the contract suite against the reference service: starts a throwaway redis-server (AOF, temp dir) and the
# built service on free loopback ports, seeds DLQ entries so paging is exercised, runs
# `contract --allow-mutations --allow-retry-all` (it only ever purges an ID that cannot exist; the last check retries
# the seeded DLQ and stops it mid-way, so the service runs with small batches), then stops both. For CI.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/server.js ] && [ -f dist/tools/contract.js ] && [ -f dist/tools/demo.js ] || npm run build

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
redis_port=$(free_port)
http_port=$(free_port)
dir=$(mktemp -d)
token="contract-$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')"

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly yes \
  --maxmemory-policy noeviction --daemonize no --loglevel warning &
redis_pid=$!
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

PORT=$http_port HOST=127.0.0.1 REDIS_URL="redis://127.0.0.1:$redis_port" EVENT_BUS_TOKEN="$token" LOG_LEVEL=warn BATCH_SIZE=10 \
  node dist/server.js &
server_pid=$!

node -e "
const url = 'http://127.0.0.1:$http_port/livez';
const until = Date.now() + 15000;
(async () => {
  for (;;) {
    try { if ((await fetch(url)).status === 200) return; } catch {}
    if (Date.now() > until) { console.error('the service did not answer /livez within 15 s'); process.exit(1); }
    await new Promise((r) => setTimeout(r, 100));
  }
})();
"
REDIS_URL="redis://127.0.0.1:$redis_port" node dist/tools/demo.js --seed 2000 --rate 0 --duration 1 >/dev/null
node dist/tools/contract.js --url "http://127.0.0.1:$http_port" --token "$token" --allow-mutations --allow-retry-all
