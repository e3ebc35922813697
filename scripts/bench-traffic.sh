#!/usr/bin/env bash
# Traffic benchmark and broker drill of scale-out mode: Answer latency on a student replica sending
# every answered query to the Kafka traffic topic against one sending none (same run, requests
# interleaved), then a closed loop of Answers while the broker is killed with kill -9 and restarted,
# counting what was answered, produced, dropped and found on the topic. A real broker, an index and
# student-service processes over SQuAD passages from ../shared/data.
# A program, not a test: about 4 minutes on 2 cores. Results go in docs/BENCHMARKS.md and
# docs/RELIABILITY.md by hand.
#
# Usage: scripts/bench-traffic.sh [--skip-build] [--queries N (2000)] [--sample N (1000) questions]
#                                 [--outage-s S (40)] [--data-dir DIR (../shared/data)]
# Env: BENCH_HEAP  benchmark JVM heap (default 1g)
#      JAVA_HOME   JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
# -am builds the services and the broker module too: the benchmark starts their jars.
bench_build
bench_exec "${BENCH_HEAP:-1g}" dev.distillmesh.bench.TrafficBenchmark
