#!/usr/bin/env bash
# Overload campaign: index-service and student-service as separate JVMs on loopback with the help
# desk sample, then 50, 100 and 200 closed-loop Answer callers for 20 s each; prints accepted
# p50/p99 and QPS, RESOURCE_EXHAUSTED refusals with their latency p50/p99, other failures and the
# student's peak RSS. A program, not a test: about two minutes on 2 cores. Results go in
# docs/RELIABILITY.md by hand.
#
# Usage: scripts/overload.sh [--skip-build] [options]
#   --skip-build            do not run Maven first
#   --student-jar JAR       another student build to measure (e.g. one of the previous release)
#   --student-flags "..."   extra student flags, e.g. "--max-in-flight-queries 32"
#   --levels 50,100,200 --seconds 20 --warmup-seconds 8 --backoff-ms 20 --deadline-ms 10000 --clients 8
# Env: JAVA_HOME  JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
bench_build
bench_exec 1g dev.distillmesh.bench.Overload
