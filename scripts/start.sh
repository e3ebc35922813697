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
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  scripts/setup.sh
  echo "building (first run downloads Maven dependencies)..."
  mvn -B -q -ntp -Dstyle.color=never package -DskipTests -pl index-service,student-service,teacher-service,trainer -am
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
# start NAME JAR ARGS...: runs the service in the background unless it is already running, and
# waits for its "listening on" line.
start() {
  local name=$1 jar=$2; shift 2
  local pidfile=data/run/$name.pid
  if [[ -f $pidfile ]] && alive "$(cat "$pidfile")"; then
    echo "$name already running (pid $(cat "$pidfile"))"
    return
  fi
  nohup java -Xmx2g -jar "$jar" "$@" > "data/logs/$name.out" 2> "data/logs/$name.log" &
  echo $! > "$pidfile"
  for _ in $(seq 1 240); do
    grep -q "listening on" "data/logs/$name.out" 2>/dev/null && break
    alive "$(cat "$pidfile")" || { echo "$name exited; see data/logs/$name.log"; tail -20 "data/logs/$name.log"; exit 1; }
    sleep 0.5
  done
  cat "data/logs/$name.out"
}
start index-service index-service/target/index-service.jar --port "$INDEX_PORT" --data-dir data/index
start student-service student-service/target/student-service.jar --port "$STUDENT_PORT" \
  --index "127.0.0.1:$INDEX_PORT" --adapter-dir data/student/adapters
start teacher-service teacher-service/target/teacher-service.jar --port "$TEACHER_PORT"
# A run reads its data files only from these directories: the bundled examples, the shared
# datasets beside the checkout, and data/trainer/inputs (DISTILLMESH_TRAINER_DATA_DIRS overrides).
mkdir -p data/trainer/inputs
start trainer trainer/target/trainer.jar --port "$TRAINER_PORT" --runs-dir data/trainer/runs \
  --student "127.0.0.1:$STUDENT_PORT" --teacher "127.0.0.1:$TEACHER_PORT" --index "127.0.0.1:$INDEX_PORT" \
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
