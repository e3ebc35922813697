#!/usr/bin/env bash
# Fault drill: the four services as separate processes on loopback; the index-service, the teacher
# and the trainer are each killed with SIGKILL under load and restarted, and the drill prints what
# the callers saw (answered / failed fast / failed slow / lost). A program, not a test: about five
# minutes on 2 cores. Results go in docs/RELIABILITY.md by hand.
#
# Usage: scripts/fault-drill.sh [--skip-build]
# Env: JAVA_HOME  JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
if [[ ${#BENCH_ARGS[@]} -gt 0 ]]; then
  echo "usage: scripts/fault-drill.sh [--skip-build]" >&2
  exit 2
fi
bench_build
bench_exec 1g dev.distillmesh.bench.FaultDrill
