#!/usr/bin/env bash
# Collection-scale distillation benchmark: the 2,067 squad-dev passages among every distinct
# DailyDialog utterance as distractors (about 85,000 documents), index-service, student-service,
# teacher-service (embedded e5) and one trainer JVM per run. SQuAD split by article (0-39 train,
# 40-47 held out), no passages file: the trainer's candidates are the collection's top-K.
# Parts: ingest (docs/s, Answer on each collection), traffic (TRAFFIC run on 85k: held-out R@1
# untrained -> best, teacher@K, ceiling), small (the same run on the 2,067 passages alone), memory
# (trainer RSS at 10k vs 85k, same settings, same -Xmx), reproject (Reproject of 85k, Answer
# p50/p99 during vs before). Prints every row's settings, the tables and the targets. A program,
# not a test: about 2.5 hours for every part on 2 cores. Results go in docs/BENCHMARKS.md by hand.
#
# Usage: scripts/bench-collection-scale.sh [--skip-build] [--only ingest|traffic|small|memory|reproject]...
#        [--train-questions N] [--passes N] [--candidates K] [--negatives N] [--ef-search N]
#        [--index-dir DIR (kept: later runs reuse its collections)] [--data-dir DIR] ...
#        (every option: the usage line the program prints for --help)
# Env: BENCH_HEAP  benchmark JVM heap (default 2g; the services get --service-heap, the trainers
#                  --trainer-heap)
#      JAVA_HOME   JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
# -am builds the four services too: the benchmark starts their jars.
bench_build
bench_exec "${BENCH_HEAP:-2g}" dev.distillmesh.bench.scale.CollectionScaleBenchmark
