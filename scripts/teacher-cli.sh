#!/usr/bin/env bash
# Command-line client of a running teacher-service (score, generate, info); --help lists them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="$ROOT/teacher-service/target/teacher-service.jar"
[[ -f "$JAR" ]] || { echo "build first: mvn -pl teacher-service -am package -DskipTests" >&2; exit 2; }
exec java -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$JAR" dev.distillmesh.teacher.cli.TeacherCli "$@"
