package dev.distillmesh.trainer;

import dev.distillmesh.common.Settings;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every setting of the trainer, read once at start from flags, then environment variables, then
 * defaults.
 *
 * @param bind address to listen on (loopback unless told otherwise)
 * @param port TCP port; 0 picks a free one (printed at start)
 * @param runsDir where runs keep their records, checkpoints and published adapters
 * @param studentTarget host:port of the student-service
 * @param teacherTarget host:port of the teacher-service
 * @param adminToken bearer token for StartRun/StopRun/Rollback, also presented to the student; null = open
 * @param metricsPort port of the Prometheus endpoint ({@code GET /metrics}) on {@code bind}; 0 picks a
 *     free one, -1 serves none
 */
public record TrainerServerConfig(String bind, int port, Path runsDir, String studentTarget, String teacherTarget,
    String indexTarget, String adminToken, int metricsPort) {

  public static final String ENV_BIND = "DISTILLMESH_TRAINER_BIND";
  public static final String ENV_PORT = "DISTILLMESH_TRAINER_PORT";
  public static final String ENV_RUNS_DIR = "DISTILLMESH_TRAINER_RUNS_DIR";
  public static final String ENV_STUDENT_TARGET = "DISTILLMESH_STUDENT_TARGET";
  public static final String ENV_TEACHER_TARGET = "DISTILLMESH_TEACHER_TARGET";
  public static final String ENV_INDEX_TARGET = "DISTILLMESH_INDEX_TARGET";
  public static final String ENV_ADMIN_TOKEN = "DISTILLMESH_ADMIN_TOKEN";
  public static final String ENV_METRICS_PORT = "DISTILLMESH_TRAINER_METRICS_PORT";

  static final String USAGE = """
      usage: trainer [--bind ADDR] [--port N] [--runs-dir DIR] [--student HOST:PORT] [--teacher HOST:PORT]
                     [--index HOST:PORT] [--metrics-port N]
        --bind      address to listen on                  (env %s, default 127.0.0.1)
        --port      TCP port, 0 = any free port           (env %s, default 7404)
        --runs-dir  run records, checkpoints, published adapters (env %s, default ./data/trainer/runs)
        --student   student-service host:port             (env %s, default 127.0.0.1:7402)
        --teacher   teacher-service host:port             (env %s, default 127.0.0.1:7403)
        --index     index-service host:port, for runs that train the response adapter and re-index
                    (env %s, default 127.0.0.1:7401)
        --metrics-port  Prometheus metrics at http://ADDR:N/metrics, 0 = any free port, -1 = off
                    (env %s, default -1)
      The admin token is read from %s only; the trainer also presents it to the student-service and
      the index-service.
      """.formatted(ENV_BIND, ENV_PORT, ENV_RUNS_DIR, ENV_STUDENT_TARGET, ENV_TEACHER_TARGET, ENV_INDEX_TARGET,
          ENV_METRICS_PORT, ENV_ADMIN_TOKEN);

  public static TrainerServerConfig parse(String[] args, Map<String, String> env) {
    Settings s = Settings.parse(args, env, USAGE);
    TrainerServerConfig c = new TrainerServerConfig(
        s.string("bind", ENV_BIND, "127.0.0.1"),
        s.integer("port", ENV_PORT, 7404, 0, 65535),
        Path.of(s.string("runs-dir", ENV_RUNS_DIR, "data/trainer/runs")),
        s.string("student", ENV_STUDENT_TARGET, "127.0.0.1:7402"),
        s.string("teacher", ENV_TEACHER_TARGET, "127.0.0.1:7403"),
        s.string("index", ENV_INDEX_TARGET, "127.0.0.1:7401"),
        s.secret(ENV_ADMIN_TOKEN),
        s.integer("metrics-port", ENV_METRICS_PORT, -1, -1, 65535));
    s.rejectUnknown();
    return c;
  }

  @Override
  public String toString() {
    return "TrainerServerConfig[bind=" + bind + ", port=" + port + ", runsDir=" + runsDir + ", student=" + studentTarget
        + ", teacher=" + teacherTarget + ", index=" + indexTarget + ", adminToken=" + (adminToken == null ? "none" : "set")
        + ", metricsPort=" + metricsPort + "]";
  }
}
