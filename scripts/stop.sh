#!/usr/bin/env bash
# Stops the services started by scripts/start.sh (SIGTERM: drain calls, checkpoint, exit); the
# Kafka broker of --scale-out last, after the services that write to it.
set -euo pipefail
cd "$(dirname "$0")/.."
for pidfile in $(ls data/run/*.pid 2>/dev/null | grep -v '/kafka.pid$') data/run/kafka.pid; do
  [[ -f $pidfile ]] || continue
  pid="$(cat "$pidfile")"
  if [[ -r /proc/$pid/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"; then
    kill "$pid"
    for _ in $(seq 1 60); do
      { [[ -r /proc/$pid/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"; } || break
      sleep 0.5
    done
    echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
  fi
  rm -f "$pidfile"
done
