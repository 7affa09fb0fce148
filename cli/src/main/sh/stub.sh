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
# VIREO_JAVA_OPTS adds JVM options, e.g. -Xmx8g.
# shellcheck disable=SC2086
exec "$home/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  ${VIREO_JAVA_OPTS:-} -jar "$0" "$@"
