#!/usr/bin/env bash
# Index benchmark: (a) index-service over gRPC, (b) the same FAISS in-process, (c) Lucene HNSW,
# (d) JVector, on MiniLM embeddings of ../shared/data and on clustered synthetic vectors; prints a
# table and the target ratios. A program, not a test: expect 1-2 hours with the 1M synthetic set
# on 2 cores (run it under nohup with a log). Results go in docs/BENCHMARKS.md by hand.
#
# Usage: scripts/bench-index.sh [--skip-build] [--faiss-generic] [benchmark options]
#   --skip-build      do not run Maven first
#   --faiss-generic   afterwards, run (b) again in a second JVM with the generic (non-AVX2) FAISS
#   benchmark options: --synthetic N | --real-only | --synthetic-only | --queries N | --systems a,b,c,d
#                      ... (run with --help for all of them)
# Env: BENCH_HEAP   benchmark JVM heap (default 10g; the index-service JVM gets -Xmx4g, see
#                   --server-jvm-opts)
#      JAVA_HOME    JDK to run with (default: java on PATH). On JDK 20+ the script adds
#                   --add-modules jdk.incubator.vector so Lucene and JVector can use SIMD.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
generic=0
args=()
for a in ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}; do
  if [[ "$a" == --faiss-generic ]]; then generic=1; else args+=("$a"); fi
done

bench_build
bench_require "$BENCH_JAR"
[[ -f "$ROOT/index-service/target/index-service.jar" ]] \
  || echo "note: index-service/target/index-service.jar missing; system (a) will fail" >&2

jvm=(-Xmx"${BENCH_HEAP:-10g}" -Xss4m)
major="$(bench_java_major)"
if [[ "$major" -ge 20 ]]; then
  jvm+=(--add-modules jdk.incubator.vector)
fi

"$JAVA" "${jvm[@]}" -jar "$BENCH_JAR" ${args[@]+"${args[@]}"}

if [[ $generic -eq 1 ]]; then
  echo
  echo "== (b) again with the generic FAISS build (-Ddistillmesh.faiss.variant=generic) =="
  "$JAVA" "${jvm[@]}" -Ddistillmesh.faiss.variant=generic -jar "$BENCH_JAR" ${args[@]+"${args[@]}"} \
    --systems b --faiss-label generic
fi
