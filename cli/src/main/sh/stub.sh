#!/bin/sh
# vireo: this POSIX shell stub is followed by the Vireo jar in the same file (java reads a zip from
# its end, so the prefix does not disturb it). The stub finds a JDK >= 25 the way bin/find-jdk
# does and starts the jar with the flags Vireo needs. Nothing here writes to stdout.
need=25

major_of() { # $1 = a Java home; prints its feature version or nothing
  [ -x "$1/bin/java" ] || return 0
  v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

new_enough() { v=$(major_of "$1"); [ -n "$v" ] && [ "$v" -ge "$need" ]; }

find_java_home() {
  if [ -n "${JAVA_HOME:-}" ] && new_enough "$JAVA_HOME"; then echo "$JAVA_HOME"; return 0; fi
  best=""; bestv=0
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$d" ] || continue
    v=$(major_of "$d")
    if [ -n "$v" ] && [ "$v" -ge "$need" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  if command -v java >/dev/null 2>&1; then
    j=$(command -v java)
    j=$(readlink -f "$j" 2>/dev/null || echo "$j")
    h=$(dirname "$(dirname "$j")")
    if new_enough "$h"; then echo "$h"; return 0; fi
  fi
  return 1
}

home=$(find_java_home) || {
  echo "vireo: no JDK >= $need found (looked at JAVA_HOME, /usr/lib/jvm and PATH); install one, e.g. 'apt install temurin-25-jdk' or any OpenJDK 25 build, and set JAVA_HOME to it" >&2
  exit 1
}
# -Xmn32m: decoding allocates nothing per token, so a small young generation costs no speed, while
# G1's default one (sized from the machine's memory) let a 1B model's run peak ~370 MB higher
# (1.53 -> 1.16 GB max RSS for 666 MB of weights + 256 MB of KV cache). -XX:+UseSerialGC saved
# memory too but decoded ~18% slower in the same run, so G1 stays.
# VIREO_JAVA_OPTS adds JVM options (later ones win), e.g. -Xmx8g.
# shellcheck disable=SC2086
exec "$home/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmn32m \
  ${VIREO_JAVA_OPTS:-} -jar "$0" "$@"
