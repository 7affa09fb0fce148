#!/usr/bin/env bash
# Runs the key kernel benchmarks in one go (memory-read roof, matvec per type on the large
# Llama-3.2-1B shapes, 1 and 2 threads, Vector API and scalar, LoRA r16 overhead) and prints a
# table of GB/s and % of the memory-read bandwidth measured in the same run.
#
#   jmh/run-kernels.sh                          # the full key subset (~35 min on a quiet machine)
#   jmh/run-kernels.sh -wi 1 -w 1 -i 2 -r 1     # a quick check
#   jmh/run-kernels.sh -p type=Q4_0,Q8_0 -p threads=2 -prof gc
#
# Any JMH option is passed through; JSON results go to kernels.json (or -rff FILE).
# Builds jmh/target/benchmarks.jar first if it is missing (VIREO_BENCH_JAR points elsewhere).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
jar=${VIREO_BENCH_JAR:-$here/target/benchmarks.jar}
if [ ! -f "$jar" ]; then
  "$root/mvnw" -q -o -pl jmh -am package -DskipTests
fi
java_home=$("$root/bin/find-jdk")
exec "$java_home/bin/java" --sun-misc-unsafe-memory-access=allow -cp "$jar" dev.vireo.jmh.KernelSuite "$@"
