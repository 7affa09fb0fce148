#!/usr/bin/env bash
# What LoRA adapters cost end to end: decode (one token) and prefill (128-token prompt) of a whole
# model through the public Session API, without and with a rank-16 adapter on all seven
# projections of every layer, 1 and 2 threads, in one JMH run; then a table of
# threads | phase | tok/s none | tok/s r16 | ratio | overhead %.
#
#   jmh/run-lora.sh -m 1b-q4_0.gguf                     # ~3-4 min: 2 phases x 2 threads x 2 arms
#   jmh/run-lora.sh -m 1b-q4_0.gguf --rounds 3          # arms alternated 3 times: steadier ratios
#   jmh/run-lora.sh -m 1b-q4_0.gguf -p threads=2 --phases decode -prof gc
#
#   -m MODEL        the base GGUF (default: $VIREO_BENCH_MODEL); make one with
#                   vireo synth --shape llama-3.2-1b --type q4_0 -o 1b-q4_0.gguf
#   --adapter FILE  the adapter (default: jmh/target/lora-r16-<model>.gguf); written with
#                   vireo lora synth --rank 16 when it does not exist
#   --rounds N, --phases decode,prefill, and any JMH option pass through (JSON to lora.json or -rff).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
model=${VIREO_BENCH_MODEL:-}
adapter=
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    -m|--model) model=${2:?-m needs a file}; shift 2 ;;
    --adapter) adapter=${2:?--adapter needs a file}; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
if [ -z "$model" ]; then
  echo "run-lora.sh: no model: pass -m MODEL.gguf or set VIREO_BENCH_MODEL" >&2
  echo "  (a 1B-shaped one: vireo synth --shape llama-3.2-1b --type q4_0 -o 1b-q4_0.gguf)" >&2
  exit 2
fi
if [ ! -f "$model" ]; then
  echo "run-lora.sh: -m: no such file: $model" >&2
  exit 2
fi
jar=${VIREO_BENCH_JAR:-$here/target/benchmarks.jar}
vireo=$root/cli/target/vireo
if [ ! -f "$jar" ] || [ ! -x "$vireo" ]; then
  "$root/mvnw" -q -o -pl cli,jmh -am package -DskipTests
fi
if [ -z "$adapter" ]; then
  name=$(basename "$model")
  adapter=$here/target/lora-r16-${name%.gguf}.gguf
fi
if [ ! -f "$adapter" ]; then
  mkdir -p "$(dirname "$adapter")"
  "$vireo" lora synth -m "$model" -o "$adapter" --rank 16 \
    --targets attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down
fi
java_home=$("$root/bin/find-jdk")
exec "$java_home/bin/java" --sun-misc-unsafe-memory-access=allow -cp "$jar" dev.vireo.jmh.LoraSuite \
  -p model="$model" -p adapter=none,"$adapter" "${pass[@]}"
