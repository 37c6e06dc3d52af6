#!/usr/bin/env bash
# Pastes the README's "Five-minute walkthrough" as a newcomer would and checks that it works from top
# to bottom: the server block, the receiver block and the curl block are taken from README.md itself
# (so the check follows the text, not a copy of it), the printed operator token goes where the text
# says to paste it, and at the end the receiver must have printed a `chat` delivery and the account's
# delivery log must show it delivered. Differences from a person at a terminal, and why: a throwaway
# data directory instead of ./data (never touch a developer's data), and if 8080 or 9000 is taken on
# this machine, free ports in their place. Used by .ci/run after scripts/check-serve.sh has built.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() {
  # Each terminal runs in a process group of its own (setsid): stop the whole group.
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

python3 - README.md "$work" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
section = text.split("## Five-minute walkthrough", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
assert len(blocks) == 3, f"expected 3 bash blocks in the walkthrough, found {len(blocks)}"
for name, block in zip(("serve", "receiver", "client"), blocks):
    open(f"{sys.argv[2]}/{name}.sh", "w", encoding="utf-8").write(block)
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
api_port=8080 recv_port=9000
in_use 8080 && api_port=$(free_port)
in_use 9000 && recv_port=$(free_port)
for f in "$work"/*.sh; do sed -i "s/127\.0\.0\.1:8080/127.0.0.1:$api_port/g; s/127\.0\.0\.1\", 9000/127.0.0.1\", $recv_port/g; s/127\.0\.0\.1:9000/127.0.0.1:$recv_port/g" "$f"; done

# Terminal 1: the server (the block's command line; its comment lines show the expected output).
serve_cmd=$(grep -v '^#' "$work/serve.sh" | grep -v '^$')
CHATWIRE_DATA_DIR="$work/data" CHATWIRE_PORT=$api_port setsid bash -c "$serve_cmd" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
  grep -q "Chatwire listening" "$work/serve.log" && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "check-walkthrough: the server block exited:" >&2; cat "$work/serve.log" >&2; exit 1; }
  sleep 0.5
done
grep -q "Chatwire listening" "$work/serve.log" || { echo "check-walkthrough: the server never listened" >&2; cat "$work/serve.log" >&2; exit 1; }
token=$(sed -n 's/^Operator token.*: \(cwop_[A-Za-z0-9_-]*\).*/\1/p' "$work/serve.log" | head -n 1)
[ -n "$token" ] || { echo "check-walkthrough: the server printed no operator token" >&2; cat "$work/serve.log" >&2; exit 1; }

# Terminal 2: the receiver.
(cd "$work" && exec setsid bash receiver.sh) >"$work/receiver.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do in_use "$recv_port" && break; sleep 0.1; done

# Terminal 3: the client block, with the token pasted where the text says.
sed -i "s/^OP=cwop_.*/OP=$token/" "$work/client.sh"
(cd "$work" && bash -e -o pipefail client.sh) >"$work/client.log" 2>&1 \
  || { echo "check-walkthrough: the curl block failed:" >&2; cat "$work/client.log" >&2; exit 1; }

# A person reads the receiver's terminal a moment later; give the delivery as long.
for _ in $(seq 1 50); do grep -q '^chat ' "$work/receiver.log" && break; sleep 0.2; done
if ! grep -q '^chat ' "$work/receiver.log"; then
  echo "check-walkthrough: the receiver printed no chat delivery" >&2
  cat "$work/client.log" "$work/receiver.log" "$work/serve.log" >&2
  exit 1
fi
for f in acct event; do grep -q '"id"' "/tmp/$f.json" || { echo "check-walkthrough: /tmp/$f.json has no id" >&2; cat "$work/client.log" >&2; exit 1; }; done
key=$(python3 -c 'import json;print(json.load(open("/tmp/acct.json"))["api_key"])')
event=$(python3 -c 'import json;print(json.load(open("/tmp/event.json"))["id"])')
if ! curl -s "http://127.0.0.1:$api_port/v1/events/$event/deliveries" -H "Authorization: Bearer $key" | grep -q '"status":"delivered"'; then
  echo "check-walkthrough: the delivery log does not show the event delivered" >&2
  cat "$work/client.log" "$work/serve.log" >&2
  exit 1
fi
echo "check-walkthrough: the README walkthrough works from top to bottom (server :$api_port, receiver :$recv_port)"
