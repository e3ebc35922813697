#!/usr/bin/env bash
# Teacher benchmark: the embedded e5 teacher's pairs/s on uncached vs cached candidates, the cost of
# one teacher judgement (1 question + 32 uncached passages) vs one student Answer, and StreamScores'
# sustained rate vs sequential unary Score; teacher-service, student-service and index-service run
# as separate JVMs on loopback. A program, not a test: about 6 minutes on 2 cores (1.5 of them
# ingesting squad-dev through the student). Results go in docs/BENCHMARKS.md by hand.
#
# Usage: scripts/bench-teacher.sh [--skip-build] [--judgements N] [--stream-requests N]
#        [--data-dir DIR]
# Env: BENCH_HEAP  benchmark JVM heap (default 2g; each service JVM gets -Xmx2g)
#      JAVA_HOME   JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
# -am builds the three services too: the benchmark starts their jars.
bench_build
bench_exec "${BENCH_HEAP:-2g}" dev.distillmesh.bench.TeacherBenchmark
