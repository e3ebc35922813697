#!/usr/bin/env bash
# Rollout benchmark: publish-to-every-replica latency in scale-out mode (a real Kafka broker, three
# student-service processes following the adapter topic, KafkaRollout waiting for all three
# reports) against the single-machine LoadAdapter push to one student, measured in the same run.
# A program, not a test: about 2 minutes on 2 cores. Results go in docs/BENCHMARKS.md by hand.
#
# Usage: scripts/bench-rollout.sh [--skip-build] [--publishes N (30)] [--replicas N (3)]
# Env: BENCH_HEAP  benchmark JVM heap (default 1g)
#      JAVA_HOME   JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
# -am builds the services and the broker module too: the benchmark starts their jars.
bench_build
bench_exec "${BENCH_HEAP:-1g}" dev.distillmesh.bench.RolloutBenchmark
