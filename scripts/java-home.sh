# Sourced by ./chatwire and .ci/run: finds a JDK 25 and exports JAVA_HOME, or stops with a message.
# The machine's default java may be older (17); Chatwire targets Java 25.
chatwire_find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    # The JDK's release file says its version without starting a JVM (that would cost ~0.1-0.2 s of
    # every `./chatwire serve`'s cold start); asking the JVM is for a JDK without one.
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release" 2>/dev/null)
    [ -n "$version" ] || version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ "${version%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "chatwire: no JDK 25 found (looked at \$JAVA_HOME and under /usr/lib/jvm)." >&2
  echo "chatwire: install one (e.g. Temurin 25) or set JAVA_HOME to it." >&2
  return 1
}
