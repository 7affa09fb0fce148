#!/usr/bin/env bash
# Fuzzes one gguf-loader parser with Jazzer for a given number of minutes.
#   gguf-loader/fuzz.sh MINUTES gguf|safetensors
# Why a script: jazzer-junit 0.24.0 takes the fuzzing time only from @FuzzTest(maxDuration)
# (10 minutes here); Jazzer's own command line accepts libFuzzer's -max_total_time, so this runs
# the same @FuzzTest method through it. See FUZZING.md.
set -euo pipefail
minutes=${1:?usage: gguf-loader/fuzz.sh MINUTES gguf|safetensors}
case ${2:-gguf} in
  gguf) class=GgufFileFuzzTest ;;
  safetensors) class=SafetensorsFileFuzzTest ;;
  *) echo "fuzz.sh: unknown target '$2' (gguf or safetensors)" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
jdk=$("$root/bin/find-jdk")
build=target-fuzz   # own folder: the fuzz profile compiles for release 23 (see pom.xml)
cd "$root"
./mvnw -q -o -Pfuzz -Dvireo.build=$build -pl gguf-loader test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$here/$build/classpath.txt"
inputs="$here/src/test/resources/dev/vireo/gguf/${class}Inputs/parse"   # committed seeds; crashes land here
corpus="$here/.cifuzz-corpus/dev.vireo.gguf.$class/parse"              # generated corpus (git-ignored)
mkdir -p "$corpus"
cd "$here"
exec nice -n 10 "$jdk/bin/java" -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED \
  -cp "$build/test-classes:$build/classes:$(cat $build/classpath.txt)" \
  com.code_intelligence.jazzer.Jazzer --target_class=dev.vireo.gguf.$class --target_method=parse \
  -max_total_time=$((minutes * 60)) -rss_limit_mb=0 -artifact_prefix="$inputs/" "$corpus" "$inputs"
