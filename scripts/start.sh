#!/usr/bin/env bash
# Starts the mesh on the embedded default and shows it answering.
# Installs what is missing, builds, starts index-service in the background on 127.0.0.1:7401
# (data in ./data/index, log in ./data/logs), loads the quickstart collection and searches it.
# Stop with scripts/stop.sh. Env: DISTILLMESH_INDEX_PORT, DISTILLMESH_ADMIN_TOKEN, SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  scripts/setup.sh
  echo "building (first run downloads Maven dependencies)..."
  mvn -B -q -ntp -Dstyle.color=never package -DskipTests -pl index-service -am
fi

PORT="${DISTILLMESH_INDEX_PORT:-7401}"
mkdir -p data/logs data/run
PIDFILE=data/run/index-service.pid
alive() {  # a killed process can linger as a zombie; that is not "running"
  [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}
if [[ -f $PIDFILE ]] && alive "$(cat $PIDFILE)"; then
  echo "index-service already running (pid $(cat $PIDFILE))"
else
  nohup java -Xmx4g -jar index-service/target/index-service.jar --port "$PORT" --data-dir data/index \
    > data/logs/index-service.out 2> data/logs/index-service.log &
  echo $! > $PIDFILE
  for _ in $(seq 1 120); do
    grep -q "listening on" data/logs/index-service.out 2>/dev/null && break
    alive "$(cat $PIDFILE)" || { echo "index-service exited; see data/logs/index-service.log"; tail -20 data/logs/index-service.log; exit 1; }
    sleep 0.5
  done
  cat data/logs/index-service.out
fi

CLI=(scripts/index-cli.sh --target "127.0.0.1:$PORT")
if ! "${CLI[@]}" stats quickstart >/dev/null 2>&1; then
  "${CLI[@]}" create quickstart --dim 8 --spec HNSW32,Flat
  "${CLI[@]}" upsert quickstart examples/quickstart.jsonl
fi
"${CLI[@]}" stats quickstart
echo
echo "search: what happens to my writes if the process dies?"
"${CLI[@]}" search quickstart --vector 0.3,0,0,0,1,0,0,0.2 --k 3
cat <<MSG

index-service is running (pid $(cat $PIDFILE), port $PORT, data in data/index).
Try:   scripts/index-cli.sh --target 127.0.0.1:$PORT list
       kill -9 \$(cat $PIDFILE); SKIP_BUILD=1 scripts/start.sh     # everything acknowledged is still there
Stop:  scripts/stop.sh
MSG
