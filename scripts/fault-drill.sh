#!/usr/bin/env bash
# Fault drill: the four services as separate processes on loopback; the index-service, the teacher
# and the trainer are each killed with SIGKILL under load and restarted, and the drill prints what
# the callers saw (answered / failed fast / failed slow / lost). A program, not a test: about five
# minutes on 2 cores. Results go in docs/RELIABILITY.md by hand.
#
# Usage: scripts/fault-drill.sh [--skip-build]
# Env: JAVA_HOME  JDK to run with (default: java on PATH); the services run on the same JDK.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

build=1
for a in "$@"; do
  case "$a" in
    --skip-build) build=0 ;;
    *) echo "usage: scripts/fault-drill.sh [--skip-build]" >&2; exit 2 ;;
  esac
done
if [[ $build -eq 1 ]]; then
  mvn -q -B -ntp -pl benchmarks -am package -DskipTests
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx1g -cp "$ROOT/benchmarks/target/benchmarks.jar" dev.distillmesh.bench.FaultDrill --root "$ROOT"
