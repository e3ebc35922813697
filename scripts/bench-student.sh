#!/usr/bin/env bash
# Student benchmark: the student's Answer over the mesh (student-service and index-service as
# separate JVMs on loopback) vs the same encoder + FAISS in one process, in one run: p50/p99 at
# concurrency 1, throughput at concurrency 32 vs the encoder's own batch-32 rate; prints a table
# and the target ratios. A program, not a test: about 6 minutes on 2 cores, 1.5 of them ingesting
# the 2,067 passages through the student; the first run also encodes them in-process (~2.5 min)
# and caches the vectors under ~/.cache/distillmesh/bench. Results go in docs/BENCHMARKS.md by hand.
#
# Usage: scripts/bench-student.sh [--skip-build] [benchmark options]
#   --skip-build   do not run Maven first
#   benchmark options: --queries N | --concurrency N | --student-config "--max-wait-us 500" ...
#                      (run with --help for all of them)
# Env: BENCH_HEAP   benchmark JVM heap (default 4g; each service JVM gets -Xmx2g, see
#                   --server-jvm-opts)
#      JAVA_HOME    JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

build=1
args=()
for a in "$@"; do
  case "$a" in
    --skip-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done

if [[ $build -eq 1 ]]; then
  # -am builds index-service and student-service too: the benchmark starts their jars.
  mvn -q -B -ntp -pl benchmarks -am package -DskipTests
fi
JAR="$ROOT/benchmarks/target/benchmarks.jar"
for f in "$JAR" "$ROOT/index-service/target/index-service.jar" \
    "$ROOT/student-service/target/student-service.jar"; do
  [[ -f "$f" ]] || { echo "missing $f; build with: mvn -pl benchmarks -am package -DskipTests" >&2; exit 2; }
done

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
spec="$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
# FAISS, ONNX Runtime and the tokenizer load native code (JDK 22+ warns without this flag).
jvm=(-Xmx"${BENCH_HEAP:-4g}" --enable-native-access=ALL-UNNAMED)
if [[ "${spec%%.*}" -ge 23 ]]; then
  jvm+=(--sun-misc-unsafe-memory-access=allow) # protobuf uses sun.misc.Unsafe (JDK 24+ warns)
fi

# The jar's manifest carries the class path (lib/); -cp with it keeps that and picks the main class.
exec "$JAVA" "${jvm[@]}" -cp "$JAR" dev.distillmesh.bench.StudentBenchmark ${args[@]+"${args[@]}"}
