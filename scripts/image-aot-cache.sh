#!/usr/bin/env bash
# Trains the container image's JDK 25 AOT cache (JEP 483/514/515) at build time, so that the image's
# server starts from it, its very first start included. Run by the Maven profile `image` after
# scripts/image-rootfs.sh and before Jib: $1 is server/target. It writes $1/image-app/app/:
#   chatwire.aot        the cache, trained by the image's own jlink'ed runtime (a cache is only taken
#                       by the JVM build that wrote it)
#   chatwire.classpath  the class path, as a java @argfile the entrypoint names: written out jar by
#                       jar in a fixed order, because a cache is only taken for the class path it was
#                       trained with, and a `libs/*` wildcard would follow the directory order of
#                       whatever file system the image is unpacked on
#   classes/io/chatwire/probe   the health check's classes, where deploy/compose.yaml and the README
#                       run them from (`-cp /app/classes`): Jib's packaged mode puts no classes there
# The training runs on a copy of the image's layout (rootfs/app/classpath, rootfs/app/libs, as Jib
# lays the packaged jar and the dependencies out), so that training and image differ only in the
# prefix of every path, which the JVM allows. The copy is removed afterwards. A failed training
# leaves no cache: the image then starts without one (the JVM skips a missing cache), only slower.
set -euo pipefail
target=${1:?usage: image-aot-cache.sh SERVER_TARGET_DIR}
target=$(cd "$target" && pwd)
rootfs=$target/image-rootfs
out=$target/image-app/app
java_opts=(-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED)

rm -rf "$out" "$rootfs/app"
mkdir -p "$out/classes/io/chatwire/probe" "$rootfs/app/classpath" "$rootfs/app/libs"
cp "$target"/classes/io/chatwire/probe/*.class "$out/classes/io/chatwire/probe/"
cp "$target/chatwire-server.jar" "$rootfs/app/classpath/"
cp "$target"/lib/*.jar "$rootfs/app/libs/"

# Server jar first, then the dependencies by name: the same order in the image and in training.
classpath() {
  local prefix=$1 entries=("$1/app/classpath/chatwire-server.jar") jar
  for jar in $(cd "$rootfs/app/libs" && ls -1 | LC_ALL=C sort); do
    entries+=("$prefix/app/libs/$jar")
  done
  (IFS=:; echo "-cp ${entries[*]}")
}
classpath "" >"$out/chatwire.classpath"
classpath "$rootfs" >"$target/image-app.training-classpath"

. "$(dirname "$0")/aot-cache.sh"
chatwire_train_aot_cache "$out/chatwire.aot" "$rootfs/opt/java/bin/java" "${java_opts[@]}" \
  @"$target/image-app.training-classpath"
rm -rf "$rootfs/app" "$target/image-app.training-classpath"
