#!/usr/bin/env bash
# Soak: the student's maximum Answer rate, then --minutes (default 10) of open-loop load at 80% of it
# against student-service + index-service processes, printing answered/failed calls, latency and
# resident memory every 30 s. A program, not a test: about 12 minutes. Results go in
# docs/RELIABILITY.md by hand.
#
# Usage: scripts/soak.sh [--skip-build] [--minutes N] [--fraction F]
set -euo pipefail
source "$(dirname "$0")/lib/bench.sh"
bench_args "$@"
bench_build
bench_exec 1g dev.distillmesh.bench.Soak
