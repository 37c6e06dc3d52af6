#!/usr/bin/env bash
# Chatwire benchmark: bench/run.sh [ceiling] [s1] [s2] [s3] [s4] [s5] [s6]   (all when none is named)
# Builds the server and the bench, starts Chatwire server processes on 127.0.0.1 with fresh data,
# drives them, prints a table and writes bench/results/<timestamp>.json. Settings: BENCH_* (README).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
. scripts/aot-cache.sh
chatwire_find_jdk

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is needed for the receiver ceiling (apt-get install -y wrk)" >&2
  exit 1
fi

mvn_build() {
  ./mvnw -o -q -B "$@" || ./mvnw -q -B "$@"
}
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  echo "bench: building the server and the bench (BENCH_SKIP_BUILD=1 skips this)" >&2
  mvn_build install -Dmaven.test.skip=true
  mvn_build -f bench/pom.xml package -Dmaven.test.skip=true
fi

# A private copy of the jars for this run: others may rebuild server/target (or the bench) while it runs.
snap=bench/target/run-$$
rm -rf "$snap" && mkdir -p "$snap/server"
cp server/target/chatwire-server.jar "$snap/server/" && cp -r server/target/lib "$snap/server/lib"
cp bench/target/chatwire-bench.jar "$snap/" && cp -r bench/target/lib "$snap/lib"
export BENCH_SERVER_JARS="$PWD/$snap/server"
# As ./chatwire does at build time: the servers of this run start from an AOT cache of these jars.
echo "bench: training the servers' start-up cache" >&2
# shellcheck disable=SC2086 # the options are words
chatwire_train_aot_cache "$PWD/$snap/server/chatwire.aot" "$JAVA_HOME/bin/java" \
  ${CHATWIRE_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED} \
  -cp "$PWD/$snap/server/chatwire-server.jar:$PWD/$snap/server/lib/*"
lib=$snap/server/lib
cp="$snap/chatwire-bench.jar:$snap/lib/*:$(ls $lib/sqlite-jdbc-*.jar):$(ls $lib/postgresql-*.jar)"
export BENCH_REPO="$PWD"
export BENCH_CLK_TCK="$(getconf CLK_TCK)"
export BENCH_CLEANUP_DIR="$PWD/$snap"   # the bench deletes it when it exits
exec "$JAVA_HOME/bin/java" -Xms1g -Xmx4g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
  -Dsun.net.httpserver.nodelay=true -Dsun.net.httpserver.maxIdleConnections=20000 \
  -cp "$cp" io.chatwire.bench.Bench "$@"
