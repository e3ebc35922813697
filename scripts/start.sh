#!/usr/bin/env bash
# Starts the mesh on the embedded default and shows it answering.
# Installs what is missing, builds, starts index-service (127.0.0.1:7401), student-service
# (127.0.0.1:7402), teacher-service (127.0.0.1:7403, the embedded e5-small-v2 teacher on CPU) and
# the trainer (127.0.0.1:7404) as four processes talking gRPC, ingests the bundled help-desk corpus
# (examples/helpdesk), asks the student a few questions and has the teacher judge candidate
# answers. Data in ./data, logs in ./data/logs. Stop with scripts/stop.sh. Env:
# DISTILLMESH_INDEX_PORT, DISTILLMESH_STUDENT_PORT, DISTILLMESH_TEACHER_PORT,
# DISTILLMESH_TRAINER_PORT, DISTILLMESH_ADMIN_TOKEN, SKIP_BUILD=1; the services' Prometheus metrics
# are served on 9401..9404 unless DISTILLMESH_{INDEX,STUDENT,TEACHER,TRAINER}_METRICS_PORT say
# otherwise (-1: none).
#
# scripts/start.sh --scale-out: scale-out mode on one machine. Also starts one Apache Kafka broker
# (KRaft, 127.0.0.1:7409, data in ./data/kafka) and three student replicas (7402, 7412, 7422;
# metrics 9402, 9412, 9422) that follow the adapter rollout topic; the trainer publishes through
# the broker and reaches the students by one round_robin target over the three
# (list:///127.0.0.1:7402,127.0.0.1:7412,127.0.0.1:7422). Shows a publish reaching all three.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE_OUT=0
for arg in "$@"; do
  case "$arg" in
    --scale-out) SCALE_OUT=1 ;;
    *) echo "usage: scripts/start.sh [--scale-out]" >&2; exit 2 ;;
  esac
done

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  scripts/setup.sh
  echo "building (first run downloads Maven dependencies)..."
  mvn -B -q -ntp -Dstyle.color=never package -DskipTests \
    -pl index-service,student-service,teacher-service,trainer,kafka-broker -am
fi

INDEX_PORT="${DISTILLMESH_INDEX_PORT:-7401}"
STUDENT_PORT="${DISTILLMESH_STUDENT_PORT:-7402}"
TEACHER_PORT="${DISTILLMESH_TEACHER_PORT:-7403}"
TRAINER_PORT="${DISTILLMESH_TRAINER_PORT:-7404}"
# The services read these themselves.
export DISTILLMESH_INDEX_METRICS_PORT="${DISTILLMESH_INDEX_METRICS_PORT:-9401}"
export DISTILLMESH_STUDENT_METRICS_PORT="${DISTILLMESH_STUDENT_METRICS_PORT:-9402}"
export DISTILLMESH_TEACHER_METRICS_PORT="${DISTILLMESH_TEACHER_METRICS_PORT:-9403}"
export DISTILLMESH_TRAINER_METRICS_PORT="${DISTILLMESH_TRAINER_METRICS_PORT:-9404}"
mkdir -p data/logs data/run
alive() {  # a killed process can linger as a zombie; that is not "running"
  [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}
# start NAME JAVA_ARGS...: runs the service in the background unless it is already running, and
# waits for its "listening on" line.
start() {
  local name=$1; shift
  local pidfile=data/run/$name.pid
  if [[ -f $pidfile ]] && alive "$(cat "$pidfile")"; then
    echo "$name already running (pid $(cat "$pidfile"))"
    return
  fi
  nohup java "$@" > "data/logs/$name.out" 2> "data/logs/$name.log" &
  echo $! > "$pidfile"
  for _ in $(seq 1 240); do
    grep -q "listening on" "data/logs/$name.out" 2>/dev/null && break
    alive "$(cat "$pidfile")" || { echo "$name exited; see data/logs/$name.log"; tail -20 "data/logs/$name.log"; exit 1; }
    sleep 0.5
  done
  cat "data/logs/$name.out"
}
KAFKA=()  # the scale-out settings the student replicas and the trainer get
REPLICA_1=()
STUDENT_TARGET="127.0.0.1:$STUDENT_PORT"
if [[ $SCALE_OUT == 1 ]]; then
  KAFKA_PORT="${DISTILLMESH_KAFKA_PORT:-7409}"
  # The broker's own JVM (512 MB heap) is started and stopped by this small one.
  start kafka -Xmx64m -jar kafka-broker/target/kafka-broker.jar data/kafka \
    data/logs/kafka-server.log "$KAFKA_PORT" "$((KAFKA_PORT + 1))"
  KAFKA=(--kafka "127.0.0.1:$KAFKA_PORT")
  REPLICA_1=(--replica-id student-1)
fi
start index-service -Xmx2g -jar index-service/target/index-service.jar --port "$INDEX_PORT" --data-dir data/index
start student-service -Xmx2g -jar student-service/target/student-service.jar --port "$STUDENT_PORT" \
  --index "127.0.0.1:$INDEX_PORT" --adapter-dir data/student/adapters ${KAFKA[@]+"${KAFKA[@]}"} \
  ${REPLICA_1[@]+"${REPLICA_1[@]}"}
if [[ $SCALE_OUT == 1 ]]; then
  for n in 2 3; do
    offset=$(( (n - 1) * 10 ))
    start "student-service-$n" -Xmx2g -jar student-service/target/student-service.jar \
      --port "$((STUDENT_PORT + offset))" --metrics-port "$((DISTILLMESH_STUDENT_METRICS_PORT + offset))" \
      --index "127.0.0.1:$INDEX_PORT" --adapter-dir "data/student-$n/adapters" "${KAFKA[@]}" --replica-id "student-$n"
  done
  STUDENT_TARGET="list:///127.0.0.1:$STUDENT_PORT,127.0.0.1:$((STUDENT_PORT + 10)),127.0.0.1:$((STUDENT_PORT + 20))"
fi
start teacher-service -Xmx2g -jar teacher-service/target/teacher-service.jar --port "$TEACHER_PORT"
# A run reads its data files only from these directories: the bundled examples, the shared
# datasets beside the checkout, and data/trainer/inputs (DISTILLMESH_TRAINER_DATA_DIRS overrides).
mkdir -p data/trainer/inputs
start trainer -Xmx2g -jar trainer/target/trainer.jar --port "$TRAINER_PORT" --runs-dir data/trainer/runs \
  --student "$STUDENT_TARGET" ${KAFKA[@]+"${KAFKA[@]}"} --teacher "127.0.0.1:$TEACHER_PORT" --index "127.0.0.1:$INDEX_PORT" \
  --data-dirs "${DISTILLMESH_TRAINER_DATA_DIRS:-examples,../shared/data,data/trainer/inputs}"

CLI=(scripts/student-cli.sh --target "127.0.0.1:$STUDENT_PORT")
INDEX_CLI=(scripts/index-cli.sh --target "127.0.0.1:$INDEX_PORT")
TEACHER_CLI=(scripts/teacher-cli.sh --target "127.0.0.1:$TEACHER_PORT")
if ! "${INDEX_CLI[@]}" stats helpdesk >/dev/null 2>&1; then
  "${CLI[@]}" ingest helpdesk examples/helpdesk/passages.jsonl --format passages
fi
if ! "${INDEX_CLI[@]}" stats helpdesk-chat >/dev/null 2>&1; then
  "${CLI[@]}" ingest helpdesk-chat examples/helpdesk/dialog.jsonl --format dialog
fi
echo
"${CLI[@]}" ask helpdesk "what happens to my writes if the process is killed?"
echo
"${CLI[@]}" ask helpdesk "how can I get more accurate search results?"
echo
"${CLI[@]}" respond helpdesk-chat "hi, my queries keep failing with UNAVAILABLE" --k 2
echo
"${TEACHER_CLI[@]}" score "what happens to my writes if the process is killed?" \
  "Acknowledged writes survive kill -9: they are fsync'ed to the log before the reply is sent." \
  "Add student replicas when query traffic grows." \
  "The teacher-service listens on port 7403."
if [[ $SCALE_OUT == 1 ]]; then
  echo
  echo "scale-out: a short trainer run, then its rollback to the untrained student, published through Kafka"
  TRAINER_CLI=(scripts/trainer-cli.sh --target "127.0.0.1:$TRAINER_PORT")
  run_out="$("${TRAINER_CLI[@]}" start --collection helpdesk --questions examples/helpdesk/questions.jsonl \
    --epochs 2 --watch true)"
  run_id="$(grep -o 'run-[0-9]*-[0-9]*-[0-9a-f]*' <<<"$run_out" | head -1)"
  "${TRAINER_CLI[@]}" rollback "$run_id" 0 | grep -E "rolled out|version|publish" || true
  for port in "$STUDENT_PORT" "$((STUDENT_PORT + 10))" "$((STUDENT_PORT + 20))"; do
    echo "replica on $port:"
    scripts/student-cli.sh --target "127.0.0.1:$port" info | grep -A3 "helpdesk\b" | head -4
  done
  echo
  echo "scale-out: each replica answers a question and sends it to the traffic topic (distillmesh.traffic)"
  for offset in 0 10 20; do
    scripts/student-cli.sh --target "127.0.0.1:$((STUDENT_PORT + offset))" ask helpdesk \
      "how do I add a student replica? ($offset)" >/dev/null
  done
  sleep 1
  if [[ $DISTILLMESH_STUDENT_METRICS_PORT -gt 0 ]]; then
    for offset in 0 10 20; do
      echo "replica on $((STUDENT_PORT + offset)): $(curl -s "http://127.0.0.1:$((DISTILLMESH_STUDENT_METRICS_PORT + offset))/metrics" \
        | grep -E '^distillmesh_student_traffic_(produced_total|pending) ' | tr '\n' ' ')"
    done
  fi
  echo "A TRAFFIC run trains on what all three replicas answered (each query once, through a trainer restart):"
  echo "  scripts/trainer-cli.sh start --collection helpdesk --source traffic --questions examples/helpdesk/questions.jsonl --watch true"
  echo
  echo "Scale-out mode: Kafka on 127.0.0.1:$KAFKA_PORT (data/kafka), student replicas on $STUDENT_PORT,"
  echo "$((STUDENT_PORT + 10)) and $((STUDENT_PORT + 20)); the trainer reaches them as $STUDENT_TARGET"
fi
cat <<MSG

The mesh is running: index-service on port $INDEX_PORT, student-service on port $STUDENT_PORT,
teacher-service on port $TEACHER_PORT, trainer on port $TRAINER_PORT (pids in data/run, logs in
data/logs).
Ask:   scripts/ask.sh "how do I change the admin token?"
       scripts/student-cli.sh respond helpdesk-chat "hello" "my search is slow, what can I tune?"
       scripts/student-cli.sh info          # the model and adapter versions being served
Judge: scripts/teacher-cli.sh score "how do I reset my password?" "Open Settings." "We close at 5."
       scripts/teacher-cli.sh info          # the teacher's backend, models and score kinds
Train: scripts/trainer-cli.sh start --collection helpdesk --watch true
         --questions examples/helpdesk/questions.jsonl
       (on the help desk the small e5 teacher is no better than the student, so expect no publish;
       see README, "Using the trainer", for SQuAD, where it is)
Train the chat side (both towers; a publish re-projects the collection into a new index generation):
       scripts/trainer-cli.sh start --task dialogue --collection helpdesk-chat --watch true --alpha 1 --epochs 10 --batch 16 --dialogues examples/helpdesk/dialog.jsonl --dialogue-eval examples/helpdesk/dialog-eval.jsonl --train-response-adapter true
       (125 training chats and 31 held out are too few to move Hits@1/10 reliably: a run publishes
       only if it improves; README, "Dialogue runs", shows DailyDialog, where it does)
Watch: curl -s http://127.0.0.1:$DISTILLMESH_STUDENT_METRICS_PORT/metrics   # Prometheus metrics; index on
       $DISTILLMESH_INDEX_METRICS_PORT, teacher on $DISTILLMESH_TEACHER_METRICS_PORT, trainer on $DISTILLMESH_TRAINER_METRICS_PORT (-1: off)
Stop:  scripts/stop.sh
MSG
