#!/usr/bin/env bash
# Trainer benchmark: distillation on SQuAD dev split by article (0-39 train, 40-47 held out), with
# index-service, student-service, teacher-service (embedded e5) and the trainer as separate JVMs:
# a labelled run (teacher scores only), a run learning from the traffic the student serves, and the
# student's Answer latency before vs after. Prints each run's held-out numbers next to the
# untrained student and the teacher, wall-clock and pairs/s. A program, not a test: about 30
# minutes on 2 cores. Results go in docs/BENCHMARKS.md by hand.
#
# Usage: scripts/bench-trainer.sh [--skip-build] [--passes N] [--only labelled|traffic] [--data-dir DIR]
#        [--traffic-lr X] [--traffic-temperature T]   (the traffic run's; defaults 3e-4 and 0.01)
# Env: BENCH_HEAP  benchmark JVM heap (default 2g; each service JVM gets -Xmx3g)
#      JAVA_HOME   JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
# -am builds the four services too: the benchmark starts their jars.
bench_build
bench_exec "${BENCH_HEAP:-2g}" dev.distillmesh.bench.TrainerBenchmark
