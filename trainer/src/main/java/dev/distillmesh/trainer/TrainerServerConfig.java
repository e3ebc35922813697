package dev.distillmesh.trainer;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.common.Settings;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.common.tls.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the trainer, read once at start from flags, then environment variables, then
 * defaults.
 *
 * @param bind address to listen on (loopback unless told otherwise)
 * @param port TCP port; 0 picks a free one (printed at start)
 * @param runsDir where runs keep their records, checkpoints and published adapters
 * @param studentTarget the student-service: host:port or a grpc target such as dns:///host:port
 * @param teacherTarget the teacher-service, likewise
 * @param indexTarget the index-service, likewise
 * @param access who may call StartRun/StopRun/Rollback (token, client certificates); its token is
 *     also presented to the student and the index
 * @param tls plaintext, TLS or mutual TLS for clients
 * @param clientTls how to connect to the student, the teacher and the index
 * @param maxConnectionAgeSeconds clients are asked to reconnect after this long; 0 = never
 * @param metricsPort port of the Prometheus endpoint ({@code GET /metrics}) on {@code bind}; 0 picks a
 *     free one, -1 serves none
 * @param dataDirs the only directories StartRun may read data files from (see {@code DataRoots})
 * @param meshLog scale-out mode's Kafka cluster (publishes go to the rollout topic and wait for every
 *     live student replica); null: the single-machine default (LoadAdapter on --student)
 * @param rolloutTimeout how long a publish waits for every live replica to serve it
 */
public record TrainerServerConfig(String bind, int port, Path runsDir, String studentTarget, String teacherTarget,
    String indexTarget, AccessPolicy access, ServerTls tls, ClientTls clientTls, int maxConnectionAgeSeconds,
    int metricsPort, List<Path> dataDirs, MeshLog meshLog, Duration rolloutTimeout) {

  public static final String ENV_BIND = "DISTILLMESH_TRAINER_BIND";
  public static final String ENV_PORT = "DISTILLMESH_TRAINER_PORT";
  public static final String ENV_RUNS_DIR = "DISTILLMESH_TRAINER_RUNS_DIR";
  public static final String ENV_STUDENT_TARGET = "DISTILLMESH_STUDENT_TARGET";
  public static final String ENV_TEACHER_TARGET = "DISTILLMESH_TEACHER_TARGET";
  public static final String ENV_INDEX_TARGET = "DISTILLMESH_INDEX_TARGET";
  public static final String ENV_ADMIN_TOKEN = MeshOptions.ENV_ADMIN_TOKEN;
  public static final String ENV_METRICS_PORT = "DISTILLMESH_TRAINER_METRICS_PORT";
  public static final String ENV_DATA_DIRS = "DISTILLMESH_TRAINER_DATA_DIRS";
  public static final String ENV_ROLLOUT_TIMEOUT_S = "DISTILLMESH_TRAINER_ROLLOUT_TIMEOUT_S";
  static final String DEFAULT_DATA_DIRS = "data/trainer/inputs";

  static final String USAGE = """
      usage: trainer [--bind ADDR] [--port N] [--runs-dir DIR] [--student HOST:PORT] [--teacher HOST:PORT]
                     [--index HOST:PORT] [--metrics-port N] [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
                     [--tls-ca FILE [--tls-client-cert FILE --tls-client-key FILE]] [--tls-authority NAME]
                     [--admin-clients A,B] [--require-auth-for-queries true|false] [--max-connection-age-s N]
                     [--data-dirs DIR,DIR] [--kafka HOST:PORT [--kafka-properties FILE]]
                     [--rollout-timeout-s N]
        --bind      address to listen on                  (env %s, default 127.0.0.1)
        --port      TCP port, 0 = any free port           (env %s, default 7404)
        --runs-dir  run records, checkpoints, published adapters (env %s, default ./data/trainer/runs)
        --student   student-service host:port             (env %s, default 127.0.0.1:7402)
        --teacher   teacher-service host:port             (env %s, default 127.0.0.1:7403)
        --index     index-service host:port: a QA run's candidates and evaluation, and a response
                    adapter's re-projection (env %s, default 127.0.0.1:7401)
        --metrics-port  Prometheus metrics at http://ADDR:N/metrics, 0 = any free port, -1 = off
                    (env %s, default -1)
        --data-dirs the only directories a run's data files (questions, dialogues,
                    dialogue_eval) are read from, comma-separated; a path in StartRun must name a
                    regular file inside one of them, absolute or relative to them (env %s,
                    default %s)
        --rollout-timeout-s  scale-out mode: how long a publish waits for every live student
                    replica to serve it before it fails naming the ones behind (env %s, default 120)
      Targets may also be dns:///host:port. The trainer presents the admin token (%s) to the
      student-service and the index-service with every call; with mutual TLS its client certificate
      can be their admin credential instead. One --tls-ca (etc.) serves all three targets.
      """.formatted(ENV_BIND, ENV_PORT, ENV_RUNS_DIR, ENV_STUDENT_TARGET, ENV_TEACHER_TARGET, ENV_INDEX_TARGET,
          ENV_METRICS_PORT, ENV_DATA_DIRS, DEFAULT_DATA_DIRS, ENV_ROLLOUT_TIMEOUT_S, ENV_ADMIN_TOKEN)
      + MeshLog.USAGE + """
        In scale-out mode a publish is a record on the rollout topic, complete when every live
        student replica reports it; only the trainer's Kafka credential should be allowed to write
        that topic (Kafka ACLs; see the README).
      """ + MeshOptions.SERVER_USAGE + MeshOptions.CLIENT_USAGE + MeshOptions.ACCESS_USAGE;

  public static TrainerServerConfig parse(String[] args, Map<String, String> env) {
    Settings s = Settings.parse(args, env, USAGE);
    ServerTls tls = MeshOptions.serverTls(s);
    TrainerServerConfig c = new TrainerServerConfig(
        s.string("bind", ENV_BIND, "127.0.0.1"),
        s.integer("port", ENV_PORT, 7404, 0, 65535),
        Path.of(s.string("runs-dir", ENV_RUNS_DIR, "data/trainer/runs")),
        s.string("student", ENV_STUDENT_TARGET, "127.0.0.1:7402"),
        s.string("teacher", ENV_TEACHER_TARGET, "127.0.0.1:7403"),
        s.string("index", ENV_INDEX_TARGET, "127.0.0.1:7401"),
        MeshOptions.access(s, tls),
        tls,
        MeshOptions.clientTls(s),
        MeshOptions.maxConnectionAgeSeconds(s),
        s.integer("metrics-port", ENV_METRICS_PORT, -1, -1, 65535),
        dataDirs(s.string("data-dirs", ENV_DATA_DIRS, DEFAULT_DATA_DIRS)),
        MeshLog.from(s),
        Duration.ofSeconds(s.integer("rollout-timeout-s", ENV_ROLLOUT_TIMEOUT_S, 120, 1, 86_400)));
    s.rejectUnknown();
    return c;
  }

  private static List<Path> dataDirs(String value) {
    List<Path> dirs = Arrays.stream(value.split(",")).map(String::strip).filter(d -> !d.isEmpty()).map(Path::of).toList();
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("--data-dirs (" + ENV_DATA_DIRS + ") names no directory\n" + USAGE);
    }
    return dirs;
  }

  /** The bearer token StartRun/StopRun/Rollback accept and the trainer presents; null if none. */
  public String adminToken() {
    return access.adminToken();
  }

  @Override
  public String toString() {
    return "TrainerServerConfig[bind=" + bind + ", port=" + port + ", runsDir=" + runsDir + ", student=" + studentTarget
        + ", teacher=" + teacherTarget + ", index=" + indexTarget + ", access=" + access + ", tls=" + tls
        + ", clientTls=" + clientTls + ", maxConnectionAgeSeconds=" + maxConnectionAgeSeconds
        + ", metricsPort=" + metricsPort + ", dataDirs=" + dataDirs
        + ", log=" + (meshLog == null ? "none (single machine)" : meshLog) + ", rolloutTimeout=" + rolloutTimeout + "]";
  }
}
