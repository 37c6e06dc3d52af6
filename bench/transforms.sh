#!/usr/bin/env bash
# Filters and transforms per second (io.chatwire.transform), in-process: bench/transforms.sh [seconds] [threads]
# Compiles core (no install) and runs bench/transforms/TransformBench.java against its classes.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
chatwire_find_jdk
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
./mvnw -o -q -B -pl core -am compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
"$JAVA_HOME/bin/java" -Xmx256m -XX:+UseSerialGC -cp "core/target/classes:$(cat "$cp_file")" \
  bench/transforms/TransformBench.java "${1:-5}" "${2:-1}"
