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
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
# -am builds index-service and student-service too: the benchmark starts their jars.
bench_build
bench_require "$BENCH_JAR" "$ROOT/index-service/target/index-service.jar" \
  "$ROOT/student-service/target/student-service.jar"

# FAISS, ONNX Runtime and the tokenizer load native code (JDK 22+ warns without this flag).
jvm=(-Xmx"${BENCH_HEAP:-4g}" --enable-native-access=ALL-UNNAMED)
major="$(bench_java_major)"
if [[ "$major" -ge 23 ]]; then
  jvm+=(--sun-misc-unsafe-memory-access=allow) # protobuf uses sun.misc.Unsafe (JDK 24+ warns)
fi

# The jar's manifest carries the class path (lib/); -cp with it keeps that and picks the main class.
exec "$JAVA" "${jvm[@]}" -cp "$BENCH_JAR" dev.distillmesh.bench.StudentBenchmark ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}
