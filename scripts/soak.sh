#!/usr/bin/env bash
# Soak: the student's maximum Answer rate, then --minutes (default 10) of open-loop load at 80% of it
# against student-service + index-service processes, printing answered/failed calls, latency and
# resident memory every 30 s. A program, not a test: about 12 minutes. Results go in
# docs/RELIABILITY.md by hand.
#
# Usage: scripts/soak.sh [--skip-build] [--minutes N] [--fraction F]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

build=1
args=()
for a in "$@"; do
  case "$a" in
    --skip-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done
if [[ $build -eq 1 ]]; then
  mvn -q -B -ntp -pl benchmarks -am package -DskipTests
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx1g -cp "$ROOT/benchmarks/target/benchmarks.jar" dev.distillmesh.bench.Soak --root "$ROOT" \
  ${args[@]+"${args[@]}"}
