package dev.distillmesh.teacher;

import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.common.Settings;
import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.common.tls.ServerTls;
import java.time.Duration;
import java.util.Map;

/**
 * Every setting of the teacher server, read once at start from flags, then environment variables,
 * then defaults. The names are here and nowhere else.
 *
 * @param bind address to listen on (loopback unless told otherwise)
 * @param port TCP port; 0 picks a free one (printed at start)
 * @param backend "embedded" (ONNX encoder ensemble on CPU) or "triton"
 * @param ensemble the embedded ensemble, {@code MODEL[:WEIGHT],...} (see EnsembleSpec)
 * @param onnxThreads ONNX Runtime intra-op threads per run, per ensemble member
 * @param maxBatch largest encoder batch (embedded), or most pairs per ModelInfer call (triton)
 * @param maxWaitMicros longest wait for a batch to fill
 * @param queueCapacity texts (embedded) or pairs (triton) that may wait before RESOURCE_EXHAUSTED
 * @param cacheBytes memory for cached candidate embeddings, all members together (embedded)
 * @param maxRequestTime cap on any request's deadline (the client's is used when shorter)
 * @param streamWindow requests one StreamScores call may have in flight
 * @param maxMessageBytes largest request accepted
 * @param tritonTarget Triton's gRPC endpoint, host:port or dns:///host:port (triton)
 * @param tritonScorer scorer model name (triton)
 * @param tritonSelector selector model name, "" for none (triton)
 * @param tritonGenerator generator model name, "" for none (triton)
 * @param tls plaintext, TLS or mutual TLS for clients
 * @param tritonTls how to connect to Triton (triton)
 * @param maxConnectionAgeSeconds clients are asked to reconnect after this long; 0 = never
 * @param metricsPort port of the Prometheus endpoint ({@code GET /metrics}) on {@code bind}; 0 picks a
 *     free one, -1 serves none
 */
public record TeacherServerConfig(
    String bind, int port, String backend, String ensemble, int onnxThreads, int maxBatch, long maxWaitMicros,
    int queueCapacity, long cacheBytes, Duration maxRequestTime, int streamWindow, int maxMessageBytes,
    String tritonTarget, String tritonScorer, String tritonSelector, String tritonGenerator, ServerTls tls,
    ClientTls tritonTls, int maxConnectionAgeSeconds, int metricsPort) {

  public static final String EMBEDDED = "embedded";
  public static final String TRITON = "triton";

  public static final String ENV_BIND = "DISTILLMESH_TEACHER_BIND";
  public static final String ENV_PORT = "DISTILLMESH_TEACHER_PORT";
  public static final String ENV_BACKEND = "DISTILLMESH_TEACHER_BACKEND";
  public static final String ENV_ENSEMBLE = "DISTILLMESH_TEACHER_ENSEMBLE";
  public static final String ENV_ONNX_THREADS = "DISTILLMESH_TEACHER_ONNX_THREADS";
  public static final String ENV_MAX_BATCH = "DISTILLMESH_TEACHER_MAX_BATCH";
  public static final String ENV_MAX_WAIT_US = "DISTILLMESH_TEACHER_MAX_WAIT_US";
  public static final String ENV_QUEUE_CAPACITY = "DISTILLMESH_TEACHER_QUEUE_CAPACITY";
  public static final String ENV_CACHE_MB = "DISTILLMESH_TEACHER_CACHE_MB";
  public static final String ENV_REQUEST_TIMEOUT_MS = "DISTILLMESH_TEACHER_REQUEST_TIMEOUT_MS";
  public static final String ENV_STREAM_WINDOW = "DISTILLMESH_TEACHER_STREAM_WINDOW";
  public static final String ENV_MAX_MESSAGE_MB = "DISTILLMESH_TEACHER_MAX_MESSAGE_MB";
  public static final String ENV_TRITON_TARGET = "DISTILLMESH_TRITON_TARGET";
  public static final String ENV_TRITON_SCORER = "DISTILLMESH_TRITON_SCORER";
  public static final String ENV_TRITON_SELECTOR = "DISTILLMESH_TRITON_SELECTOR";
  public static final String ENV_TRITON_GENERATOR = "DISTILLMESH_TRITON_GENERATOR";
  public static final String ENV_METRICS_PORT = "DISTILLMESH_TEACHER_METRICS_PORT";

  static final String USAGE = """
      usage: teacher-service [--bind ADDR] [--port N] [--backend embedded|triton] [--ensemble SPEC]
                             [--onnx-threads N] [--max-batch N] [--max-wait-us N] [--queue-capacity N]
                             [--cache-mb N] [--request-timeout-ms N] [--stream-window N] [--max-message-mb N]
                             [--triton-target HOST:PORT] [--triton-scorer NAME] [--triton-selector NAME]
                             [--triton-generator NAME] [--metrics-port N]
                             [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
                             [--tls-ca FILE [--tls-client-cert FILE --tls-client-key FILE]]
                             [--tls-authority NAME] [--max-connection-age-s N]
        --bind                address to listen on                   (env %s, default 127.0.0.1)
        --port                TCP port, 0 = any free port            (env %s, default 7403)
        --backend             embedded (CPU encoder ensemble) or triton (env %s, default embedded)
        --ensemble            MODEL[:WEIGHT],... with MODEL a bundled name (all-minilm-l6-v2,
                              e5-small-v2, bge-small-en-v1.5) or a model directory
                                                                     (env %s, default e5-small-v2)
        --onnx-threads        ONNX Runtime threads per model run     (env %s, default 2)
        --max-batch           largest encoder batch (default 32), or pairs per Triton call
                              (1..256, default 64)                   (env %s)
        --max-wait-us         longest wait for a batch to fill, µs   (env %s, default 0)
        --queue-capacity      texts (default 4096) or Triton pairs (default 65536) waiting
                              before RESOURCE_EXHAUSTED              (env %s)
        --cache-mb            memory for cached candidate embeddings (env %s, default 256)
        --request-timeout-ms  cap on a request's deadline            (env %s, default 60000)
        --stream-window       requests in flight per StreamScores    (env %s, default 64)
        --max-message-mb      largest request in MiB                 (env %s, default 64)
        --triton-target       Triton gRPC endpoint, host:port or dns:///host:port
                                                                     (env %s, default 127.0.0.1:8001)
        --triton-scorer       scorer model (LOG_LIKELIHOOD, MUTUAL_INFORMATION) (env %s, default scorer)
        --triton-selector     selector model (COHERENCE), empty for none (env %s, default empty)
        --triton-generator    generator model (Generate), empty for none (env %s, default generator)
        --metrics-port        Prometheus metrics at http://ADDR:N/metrics, 0 = any free port,
                              -1 = off                               (env %s, default -1)
      """.formatted(ENV_BIND, ENV_PORT, ENV_BACKEND, ENV_ENSEMBLE, ENV_ONNX_THREADS, ENV_MAX_BATCH,
      ENV_MAX_WAIT_US, ENV_QUEUE_CAPACITY, ENV_CACHE_MB, ENV_REQUEST_TIMEOUT_MS, ENV_STREAM_WINDOW,
      ENV_MAX_MESSAGE_MB, ENV_TRITON_TARGET, ENV_TRITON_SCORER, ENV_TRITON_SELECTOR, ENV_TRITON_GENERATOR,
      ENV_METRICS_PORT)
      + MeshOptions.SERVER_USAGE + MeshOptions.CLIENT_USAGE.replace("the calls this server makes", "the calls to Triton");

  /** Parses flags (and the environment); throws IllegalArgumentException with the usage text. */
  public static TeacherServerConfig parse(String[] args, Map<String, String> env) {
    Settings s = Settings.parse(args, env, USAGE);
    String backend = s.string("backend", ENV_BACKEND, EMBEDDED);
    if (!backend.equals(EMBEDDED) && !backend.equals(TRITON)) {
      throw new IllegalArgumentException("--backend must be " + EMBEDDED + " or " + TRITON + ", got \"" + backend
          + "\"\n" + USAGE);
    }
    boolean triton = backend.equals(TRITON);
    // Triton batches pairs (the deployed models take up to 256 per call); the embedded backend
    // batches texts for ONNX Runtime. A queued pair is only a reference into its request, so the
    // Triton queue can hold several maximal requests.
    int maxBatch = s.integer("max-batch", ENV_MAX_BATCH, triton ? 64 : 32, 1, triton ? 256 : 4096);
    TeacherServerConfig config = new TeacherServerConfig(
        s.string("bind", ENV_BIND, "127.0.0.1"),
        s.integer("port", ENV_PORT, 7403, 0, 65535),
        backend,
        s.string("ensemble", ENV_ENSEMBLE, "e5-small-v2"),
        s.integer("onnx-threads", ENV_ONNX_THREADS, 2, 1, 256),
        maxBatch,
        s.longValue("max-wait-us", ENV_MAX_WAIT_US, 0, 0, 1_000_000),
        s.integer("queue-capacity", ENV_QUEUE_CAPACITY, triton ? 65536 : 4096, maxBatch, 1 << 20),
        (long) s.integer("cache-mb", ENV_CACHE_MB, 256, 0, 1 << 20) << 20,
        Duration.ofMillis(s.longValue("request-timeout-ms", ENV_REQUEST_TIMEOUT_MS, 60_000, 1, 3_600_000)),
        s.integer("stream-window", ENV_STREAM_WINDOW, 64, 1, 65536),
        s.integer("max-message-mb", ENV_MAX_MESSAGE_MB, 64, 1, 1024) << 20,
        s.string("triton-target", ENV_TRITON_TARGET, "127.0.0.1:8001"),
        s.string("triton-scorer", ENV_TRITON_SCORER, "scorer"),
        s.string("triton-selector", ENV_TRITON_SELECTOR, ""),
        s.string("triton-generator", ENV_TRITON_GENERATOR, "generator"),
        MeshOptions.serverTls(s),
        MeshOptions.clientTls(s),
        MeshOptions.maxConnectionAgeSeconds(s),
        s.integer("metrics-port", ENV_METRICS_PORT, -1, -1, 65535));
    s.rejectUnknown();
    return config;
  }
}
