#!/usr/bin/env bash
# Builds the base of Chatwire's container image, a hand-rolled "distroless" root file system, into
# the directory given as $1 (server/target/image-rootfs when the Maven profile `image` runs it).
# No container registry is reachable from where Chatwire is built, so Jib cannot pull a base image
# (distroless, eclipse-temurin); it starts from `scratch` and adds this directory as its first layer.
# What is in it, and nothing else (no shell, no package manager):
#   /opt/java         a jlink'ed Java runtime of the build's JDK, with only the modules Chatwire uses
#   /lib, /lib64      the glibc shared libraries that runtime (and sqlite-jdbc's native library) load
#   /etc/passwd, /etc/group   root and the user the server runs as, chatwire (65532:65532)
#   /etc/nsswitch.conf, /etc/hosts   so that `localhost` and the names of a Compose or Kubernetes
#                     network resolve (glibc >= 2.34 has files and dns built into libc)
#   /tmp, /data       the scratch directory (sqlite-jdbc unpacks its native library there) and the
#                     data volume, both 777 (Jib writes every file as root and knows no sticky bit);
#                     the server keeps its files in /data/chatwire, which it creates 0700, files 0600
set -euo pipefail
out=${1:?usage: image-rootfs.sh OUTPUT_DIR}
java_home=${JAVA_HOME:?JAVA_HOME must point at a JDK 25}

# The modules are what `jdeps --print-module-deps --ignore-missing-deps --multi-release 25` prints for
# chatwire-server.jar and server/target/lib/*.jar (java.desktop is there for java.beans), plus
# java.management, java.logging, java.xml and jdk.zipfs, named outright. TLS and its EC keys are in
# java.base. Kept as a fixed list (jdeps takes ~10 s); ContainerImageIT starts the server on this
# runtime, so a module that goes missing fails CI.
modules=java.base,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.rmi,java.security.jgss,java.sql,java.xml,jdk.management,jdk.unsupported,jdk.zipfs

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/data"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 --generate-cds-archive --output "$out/opt/java"
# java.desktop is there for java.beans only; the server runs headless, so the libraries that would
# drag X11 and ALSA into the image go.
rm -f "$out"/opt/java/lib/{libawt_xawt,libjsound,libsplashscreen}.so

# Every shared library the runtime links, found by ldd, copied (symlinks resolved) to the same path.
libs=$(find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null \
  | grep -o '/[^ ]*\.so[^ ]*' | sort -u)
# sqlite-jdbc's native library is unpacked at run time, so ldd above cannot see it: it needs libc,
# libm and the loader, which are in that list already; listed here too so that it stays true.
for lib in $libs /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 /lib64/ld-linux-x86-64.so.2; do
  case $lib in "$out"/*) continue ;; esac
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done

cat >"$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
chatwire:x:65532:65532:chatwire:/data:/sbin/nologin
PASSWD
cat >"$out/etc/group" <<'GROUP'
root:x:0:
chatwire:x:65532:
GROUP
echo 'hosts: files dns' >"$out/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$out/etc/hosts"
chmod 777 "$out/tmp" "$out/data"
