#!/usr/bin/env bash
# Proves the README's first command: runs `./chatwire serve` (building first, as on a fresh clone),
# waits until /readyz answers 200, then stops the server with SIGTERM. A throwaway data directory and
# a free port keep it from touching ./data or a server already on 8080. Used by .ci/run; set
# MAVEN_ARGS=-Dmaven.repo.local=<empty dir> to prove it against an empty Maven local repository.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
log=$data/serve.log
rm -f server/target/.chatwire-build-stamp   # build exactly as a fresh clone would
CHATWIRE_PORT=0 CHATWIRE_DATA_DIR="$data" ./chatwire serve >"$log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap stop EXIT

url=
for _ in $(seq 1 900); do   # up to 15 minutes: the first build downloads Maven and every dependency
  url=$(sed -n 's/.*Chatwire listening on \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "check-serve: ./chatwire serve exited before listening:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 1
done
if [ -z "$url" ]; then
  echo "check-serve: ./chatwire serve did not start listening in time:" >&2
  cat "$log" >&2
  exit 1
fi
for _ in $(seq 1 50); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ]; then
    echo "check-serve: ./chatwire serve built and started; $url/readyz answered 200"
    exit 0
  fi
  sleep 0.2
done
echo "check-serve: $url/readyz never answered 200:" >&2
cat "$log" >&2
exit 1
