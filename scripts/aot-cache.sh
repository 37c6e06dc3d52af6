# Sourced by ./chatwire and bench/run.sh: trains the server's JDK 25 ahead-of-time cache (JEP 483/514/515).
#   chatwire_train_aot_cache CACHE JAVA JVM_ARG...   (JVM_ARGs: the options and the class path, `-cp ...`
#                                                      or `@argfile`, of the starts that will use the cache)
# Starts the server once on a throwaway SQLite file and a free port, with none of the caller's
# CHATWIRE_* settings, and stops it once it listens; at its exit the JVM writes the cache (classes
# loaded and linked, method profiles). A start with the same class path and options then maps the
# cache (`-XX:AOTCache=CACHE`) instead of doing that work again. Never fatal: when the training fails
# there is no cache, and the server starts without one, only slower.
chatwire_train_aot_cache() {
  local cache=$1 java=$2 tmp pid
  shift 2
  rm -f "$cache"
  tmp=$(mktemp -d)
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" CHATWIRE_PORT=0 CHATWIRE_DATA_DIR="$tmp/data" \
    CHATWIRE_ADMIN_TOKEN=aot-cache-training-run-token \
    "$java" "$@" -XX:AOTCacheOutput="$tmp/chatwire.aot" io.chatwire.server.Main serve >"$tmp/log" 2>&1 &
  pid=$!
  # Interrupted meanwhile (Ctrl-C), the training server must not outlive the caller.
  trap 'kill -TERM "$pid" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  for _ in $(seq 1 600); do
    grep -q "Chatwire listening" "$tmp/log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  trap - EXIT INT TERM
  # Written whole, then moved into place: a start never maps half a cache.
  if [ -s "$tmp/chatwire.aot" ] && mv "$tmp/chatwire.aot" "$cache"; then
    rm -rf "$tmp"
  else
    echo "chatwire: no start-up cache (the server starts without it; see $tmp/log)" >&2
  fi
}
