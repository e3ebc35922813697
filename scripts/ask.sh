#!/usr/bin/env bash
# Asks the running mesh a question: scripts/ask.sh "how do I rebuild a collection?"
# Searches the help-desk collection loaded by scripts/start.sh unless DISTILLMESH_COLLECTION says
# otherwise; DISTILLMESH_STUDENT_TARGET (default 127.0.0.1:7402) names the student service.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: scripts/ask.sh QUESTION..." >&2; exit 2; }
exec "$(dirname "$0")/student-cli.sh" --target "${DISTILLMESH_STUDENT_TARGET:-127.0.0.1:7402}" \
  ask "${DISTILLMESH_COLLECTION:-helpdesk}" "$@"
