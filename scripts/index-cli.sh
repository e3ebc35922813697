#!/usr/bin/env bash
# Command-line client of a running index-service; run with --help for the commands.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/index-service/target/index-service.jar"
[[ -f "$JAR" ]] || { echo "build first: mvn -pl index-service -am package -DskipTests" >&2; exit 2; }
exec java -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$JAR" dev.distillmesh.index.cli.IndexCli "$@"
