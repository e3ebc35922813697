#!/usr/bin/env bash
# Installs what is missing, then builds everything and runs unit and integration tests.
# Extra arguments go to Maven (e.g. -DskipITs, -pl index-service).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec mvn -B -ntp -Dstyle.color=never verify "$@"
