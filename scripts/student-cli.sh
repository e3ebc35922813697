#!/usr/bin/env bash
# Command-line client of a running student-service (ask, respond, ingest, info, load-adapter, traffic); --help lists them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/student-service/target/student-service.jar"
[[ -f "$JAR" ]] || { echo "build first: mvn -pl student-service -am package -DskipTests" >&2; exit 2; }
exec java -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$JAR" dev.distillmesh.student.cli.StudentCli "$@"
