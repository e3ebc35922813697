#!/usr/bin/env bash
# Command-line client of a running trainer (start, watch, status, list, stop, rollback); --help lists them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/trainer/target/trainer.jar"
[[ -f "$JAR" ]] || { echo "build first: mvn -pl trainer -am package -DskipTests" >&2; exit 2; }
exec java -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$JAR" dev.distillmesh.trainer.cli.TrainerCli "$@"
