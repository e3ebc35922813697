package dev.distillmesh.student;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.common.Settings;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.common.tls.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Every setting of the student server, read once at start from flags, then environment variables,
 * then defaults. The names are here and nowhere else.
 *
 * @param bind address to listen on (loopback unless told otherwise)
 * @param port TCP port; 0 picks a free one (printed at start)
 * @param indexTarget the index service: host:port or a grpc target such as dns:///host:port
 * @param modelDir a model directory (model.onnx, tokenizer.json, encoder.json); null = bundled MiniLM
 * @param maxTokens overrides the model's maximum length; 0 keeps it
 * @param adapterDir where adapter versions are persisted
 * @param onnxThreads ONNX Runtime intra-op threads per run
 * @param maxBatch largest encoder batch
 * @param maxWaitMicros longest wait for a batch to fill
 * @param queueCapacity texts that may wait for the encoder before RESOURCE_EXHAUSTED
 * @param maxRequestTime cap on any query's deadline (the client's is used when shorter)
 * @param maxIngestTime cap on an Ingest stream's deadline
 * @param access who may call admin rpcs (token, client certificates); its token is also sent to the index service
 * @param maxMessageBytes largest request accepted
 * @param inlineQueries run Answer and Respond on the transport thread (they never block)
 * @param trafficBuffer answered queries kept for TakeTraffic; 0 records none
 * @param trafficSampleRate fraction of answered queries recorded, in [0, 1]
 * @param tls plaintext, TLS or mutual TLS for clients
 * @param indexTls how to connect to the index service
 * @param maxConnectionAgeSeconds clients are asked to reconnect after this long; 0 = never
 * @param metricsPort port of the Prometheus endpoint ({@code GET /metrics}) on {@code bind}; 0 picks a
 *     free one, -1 serves none
 * @param maxInFlightQueries Answer, Respond and Encode calls served at once; one more is refused at
 *     once with RESOURCE_EXHAUSTED
 * @param meshLog the Kafka cluster of scale-out mode (adapters from the rollout topic); null: the
 *     single-machine default (LoadAdapter)
 * @param replicaId this replica's name on the status topic; empty: host name and port
 */
public record StudentServerConfig(
    String bind, int port, String indexTarget, Path modelDir, int maxTokens, Path adapterDir,
    int onnxThreads, int maxBatch, long maxWaitMicros, int queueCapacity, Duration maxRequestTime,
    Duration maxIngestTime, AccessPolicy access, int maxMessageBytes, boolean inlineQueries, int trafficBuffer,
    double trafficSampleRate, ServerTls tls, ClientTls indexTls, int maxConnectionAgeSeconds, int metricsPort,
    int maxInFlightQueries, MeshLog meshLog, String replicaId) {

  public static final String ENV_BIND = "DISTILLMESH_STUDENT_BIND";
  public static final String ENV_PORT = "DISTILLMESH_STUDENT_PORT";
  public static final String ENV_INDEX_TARGET = "DISTILLMESH_INDEX_TARGET";
  public static final String ENV_MODEL_DIR = "DISTILLMESH_STUDENT_MODEL_DIR";
  public static final String ENV_MAX_TOKENS = "DISTILLMESH_STUDENT_MAX_TOKENS";
  public static final String ENV_ADAPTER_DIR = "DISTILLMESH_STUDENT_ADAPTER_DIR";
  public static final String ENV_ONNX_THREADS = "DISTILLMESH_STUDENT_ONNX_THREADS";
  public static final String ENV_MAX_BATCH = "DISTILLMESH_STUDENT_MAX_BATCH";
  public static final String ENV_MAX_WAIT_US = "DISTILLMESH_STUDENT_MAX_WAIT_US";
  public static final String ENV_QUEUE_CAPACITY = "DISTILLMESH_STUDENT_QUEUE_CAPACITY";
  public static final String ENV_REQUEST_TIMEOUT_MS = "DISTILLMESH_STUDENT_REQUEST_TIMEOUT_MS";
  public static final String ENV_INGEST_TIMEOUT_S = "DISTILLMESH_STUDENT_INGEST_TIMEOUT_S";
  public static final String ENV_ADMIN_TOKEN = MeshOptions.ENV_ADMIN_TOKEN;
  public static final String ENV_MAX_MESSAGE_MB = "DISTILLMESH_STUDENT_MAX_MESSAGE_MB";
  public static final String ENV_INLINE_QUERIES = "DISTILLMESH_STUDENT_INLINE_QUERIES";
  public static final String ENV_TRAFFIC_BUFFER = "DISTILLMESH_STUDENT_TRAFFIC_BUFFER";
  public static final String ENV_TRAFFIC_SAMPLE_RATE = "DISTILLMESH_STUDENT_TRAFFIC_SAMPLE_RATE";
  public static final String ENV_METRICS_PORT = "DISTILLMESH_STUDENT_METRICS_PORT";
  public static final String ENV_MAX_IN_FLIGHT_QUERIES = "DISTILLMESH_STUDENT_MAX_IN_FLIGHT_QUERIES";
  public static final String ENV_REPLICA_ID = "DISTILLMESH_STUDENT_REPLICA_ID";

  /**
   * Enough to keep the encoder's batches full (two batches of the default 32) while a client that
   * finds it full learns so at once; more would only queue.
   */
  public static final int DEFAULT_MAX_IN_FLIGHT_QUERIES = 64;

  static final String USAGE = """
      usage: student-service [--bind ADDR] [--port N] [--index HOST:PORT] [--model-dir DIR]
                             [--max-tokens N] [--adapter-dir DIR] [--onnx-threads N] [--max-batch N]
                             [--max-wait-us N] [--queue-capacity N] [--request-timeout-ms N]
                             [--ingest-timeout-s N] [--max-message-mb N] [--inline-queries true|false]
                             [--traffic-buffer N] [--traffic-sample-rate R] [--metrics-port N]
                             [--max-in-flight-queries N] [--kafka HOST:PORT [--kafka-properties FILE]]
                             [--replica-id NAME]
                             [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
                             [--tls-ca FILE [--tls-client-cert FILE --tls-client-key FILE]]
                             [--tls-authority NAME] [--admin-clients A,B]
                             [--require-auth-for-queries true|false] [--max-connection-age-s N]
        --bind                address to listen on                  (env %s, default 127.0.0.1)
        --port                TCP port, 0 = any free port           (env %s, default 7402)
        --index               index-service host:port or dns:///host:port (env %s,
                              default 127.0.0.1:7401)
        --model-dir           model.onnx + tokenizer.json + encoder.json (env %s,
                              default: the bundled all-MiniLM-L6-v2)
        --max-tokens          maximum word pieces per text, 0 = the model's (env %s, default 0)
        --adapter-dir         where adapter versions are kept       (env %s, default ./data/student/adapters)
        --onnx-threads        ONNX Runtime threads per model run    (env %s, default 2)
        --max-batch           largest encoder batch                 (env %s, default 32)
        --max-wait-us         longest wait for a batch to fill, µs  (env %s, default 0: never wait;
                              requests arriving while a batch runs form the next one)
        --queue-capacity      texts waiting for the encoder before RESOURCE_EXHAUSTED (env %s, default 1024)
        --max-in-flight-queries  Answer/Respond/Encode calls served at once; one more is
                              refused at once with RESOURCE_EXHAUSTED, before any work
                              (env %s, default 64)
        --request-timeout-ms  cap on a query's deadline; past it the call ends
                              DEADLINE_EXCEEDED and its queued texts are dropped
                              (env %s, default 10000)
        --ingest-timeout-s    cap on an Ingest stream's deadline    (env %s, default 3600)
        --max-message-mb      largest request in MiB                (env %s, default 64)
        --inline-queries      run Answer/Respond on the transport thread (env %s, default true):
                              they only tokenize and queue, and it saves a thread hand-off
        --traffic-buffer      answered queries kept for a trainer's TakeTraffic, 0..1000000;
                              0 records none; when full, new queries are dropped and counted
                              (env %s, default 10000)
        --traffic-sample-rate fraction of answered queries recorded, 0..1 (env %s, default 1.0)
        --metrics-port        Prometheus metrics at http://ADDR:N/metrics, 0 = any free port,
                              -1 = off                              (env %s, default -1)
        --replica-id          this replica's name in scale-out mode's status reports
                              (env %s, default HOSTNAME:PORT)
      The student presents the admin token (%s) to the index service with every call; with
      mutual TLS its client certificate can be the index's admin credential instead.
      """.formatted(ENV_BIND, ENV_PORT, ENV_INDEX_TARGET, ENV_MODEL_DIR, ENV_MAX_TOKENS, ENV_ADAPTER_DIR,
      ENV_ONNX_THREADS, ENV_MAX_BATCH, ENV_MAX_WAIT_US, ENV_QUEUE_CAPACITY, ENV_MAX_IN_FLIGHT_QUERIES,
      ENV_REQUEST_TIMEOUT_MS,
      ENV_INGEST_TIMEOUT_S, ENV_MAX_MESSAGE_MB, ENV_INLINE_QUERIES, ENV_TRAFFIC_BUFFER, ENV_TRAFFIC_SAMPLE_RATE,
      ENV_METRICS_PORT, ENV_REPLICA_ID, ENV_ADMIN_TOKEN) + MeshLog.USAGE + """
        In scale-out mode every replica applies the adapters the trainer publishes to the rollout
        topic, in order, reports what it serves, and is NOT_SERVING until it has caught up;
        LoadAdapter is refused (it would reach one replica only).
      """ + MeshOptions.SERVER_USAGE + MeshOptions.CLIENT_USAGE + MeshOptions.ACCESS_USAGE;

  /** Parses flags (and the environment); throws IllegalArgumentException with the usage text. */
  public static StudentServerConfig parse(String[] args, Map<String, String> env) {
    Settings s = Settings.parse(args, env, USAGE);
    String modelDir = s.string("model-dir", ENV_MODEL_DIR, "");
    int maxBatch = s.integer("max-batch", ENV_MAX_BATCH, 32, 1, 1024);
    ServerTls tls = MeshOptions.serverTls(s);
    StudentServerConfig config = new StudentServerConfig(
        s.string("bind", ENV_BIND, "127.0.0.1"),
        s.integer("port", ENV_PORT, 7402, 0, 65535),
        s.string("index", ENV_INDEX_TARGET, "127.0.0.1:7401"),
        modelDir.isEmpty() ? null : Path.of(modelDir),
        s.integer("max-tokens", ENV_MAX_TOKENS, 0, 0, 8192),
        Path.of(s.string("adapter-dir", ENV_ADAPTER_DIR, "data/student/adapters")),
        s.integer("onnx-threads", ENV_ONNX_THREADS, 2, 1, 256),
        maxBatch,
        s.longValue("max-wait-us", ENV_MAX_WAIT_US, 0, 0, 1_000_000),
        s.integer("queue-capacity", ENV_QUEUE_CAPACITY, 1024, maxBatch, 1 << 20),
        Duration.ofMillis(s.longValue("request-timeout-ms", ENV_REQUEST_TIMEOUT_MS, 10_000, 1, 3_600_000)),
        Duration.ofSeconds(s.longValue("ingest-timeout-s", ENV_INGEST_TIMEOUT_S, 3600, 1, 7 * 86400)),
        MeshOptions.access(s, tls),
        s.integer("max-message-mb", ENV_MAX_MESSAGE_MB, 64, 1, 1024) << 20,
        s.bool("inline-queries", ENV_INLINE_QUERIES, true),
        s.integer("traffic-buffer", ENV_TRAFFIC_BUFFER, 10_000, 0, 1_000_000),
        fraction(s, "traffic-sample-rate", ENV_TRAFFIC_SAMPLE_RATE, 1.0),
        tls,
        MeshOptions.clientTls(s),
        MeshOptions.maxConnectionAgeSeconds(s),
        s.integer("metrics-port", ENV_METRICS_PORT, -1, -1, 65535),
        s.integer("max-in-flight-queries", ENV_MAX_IN_FLIGHT_QUERIES, DEFAULT_MAX_IN_FLIGHT_QUERIES, 1, 100_000),
        MeshLog.from(s),
        replicaId(s.string("replica-id", ENV_REPLICA_ID, "")));
    s.rejectUnknown();
    return config;
  }

  private static String replicaId(String id) {
    String v = id.strip();
    if (v.length() > 200 || !v.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new IllegalArgumentException("--replica-id (" + ENV_REPLICA_ID + ") must be at most 200 printable ASCII"
          + " characters without spaces, got \"" + v + "\"");
    }
    return v;
  }

  /** A number in [0, 1], e.g. "0.25"; {@link Settings} has integers only. */
  private static double fraction(Settings s, String flag, String envName, double fallback) {
    String v = s.string(flag, envName, Double.toString(fallback)).strip();
    double r;
    try {
      r = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      r = Double.NaN;
    }
    if (!(r >= 0 && r <= 1)) {
      throw new IllegalArgumentException("--" + flag + " (" + envName + ") must be a number in 0..1 (e.g. 0.25 for"
          + " one query in four), got \"" + v + "\"");
    }
    return r;
  }

  /** The bearer token admin rpcs accept and the student sends to the index service; null if none. */
  public String adminToken() {
    return access.adminToken();
  }

  @Override
  public String toString() {
    return "StudentServerConfig[bind=" + bind + ", port=" + port + ", index=" + indexTarget
        + ", model=" + (modelDir == null ? "bundled" : modelDir) + ", maxTokens=" + maxTokens
        + ", adapterDir=" + adapterDir + ", onnxThreads=" + onnxThreads + ", maxBatch=" + maxBatch
        + ", maxWaitMicros=" + maxWaitMicros + ", queueCapacity=" + queueCapacity
        + ", maxRequestTime=" + maxRequestTime + ", maxIngestTime=" + maxIngestTime
        + ", access=" + access + ", maxMessageBytes=" + maxMessageBytes + ", inlineQueries=" + inlineQueries
        + ", trafficBuffer=" + trafficBuffer + ", trafficSampleRate=" + trafficSampleRate + ", tls=" + tls
        + ", indexTls=" + indexTls + ", maxConnectionAgeSeconds=" + maxConnectionAgeSeconds
        + ", metricsPort=" + metricsPort + ", maxInFlightQueries=" + maxInFlightQueries
        + ", log=" + (meshLog == null ? "none (single machine)" : meshLog) + ", replicaId=" + replicaId + "]";
  }
}
