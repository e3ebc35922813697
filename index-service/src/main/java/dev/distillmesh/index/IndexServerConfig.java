package dev.distillmesh.index;

import dev.distillmesh.common.Settings;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every setting of the index server, read once at start from command-line flags, then environment
 * variables, then defaults. The names are here and nowhere else.
 *
 * @param bind address to listen on (loopback unless told otherwise)
 * @param port TCP port; 0 picks a free one (printed at start)
 * @param dataDir where collections are persisted
 * @param adminToken bearer token that admin RPCs need; null leaves them open (logged loudly)
 * @param searchThreads OpenMP threads one search request may use
 * @param buildThreads OpenMP threads for index building
 * @param maxMessageBytes largest request accepted
 * @param inlineReads run single-query Search, GetPayloads, GetCollection and ListCollections on
 *     the transport thread (saves two thread hand-offs per call); multi-query searches still run
 *     on a pool, so batches of one connection proceed in parallel
 * @param metricsPort port of the Prometheus endpoint ({@code GET /metrics}) on {@code bind}; 0 picks a
 *     free one, -1 serves none
 */
public record IndexServerConfig(
    String bind,
    int port,
    Path dataDir,
    String adminToken,
    int searchThreads,
    int buildThreads,
    int maxMessageBytes,
    boolean inlineReads,
    int metricsPort) {

  public static final String ENV_BIND = "DISTILLMESH_INDEX_BIND";
  public static final String ENV_PORT = "DISTILLMESH_INDEX_PORT";
  public static final String ENV_DATA_DIR = "DISTILLMESH_INDEX_DATA_DIR";
  public static final String ENV_ADMIN_TOKEN = "DISTILLMESH_ADMIN_TOKEN";
  public static final String ENV_SEARCH_THREADS = "DISTILLMESH_INDEX_SEARCH_THREADS";
  public static final String ENV_BUILD_THREADS = "DISTILLMESH_INDEX_BUILD_THREADS";
  public static final String ENV_MAX_MESSAGE_MB = "DISTILLMESH_INDEX_MAX_MESSAGE_MB";
  public static final String ENV_INLINE_READS = "DISTILLMESH_INDEX_INLINE_READS";
  public static final String ENV_METRICS_PORT = "DISTILLMESH_INDEX_METRICS_PORT";

  static final String USAGE = """
      usage: index-service [--bind ADDR] [--port N] [--data-dir DIR] [--search-threads N]
                           [--build-threads N] [--max-message-mb N] [--inline-reads true|false]
                           [--metrics-port N]
        --bind            address to listen on            (env %s, default 127.0.0.1)
        --port            TCP port, 0 = any free port     (env %s, default 7401)
        --data-dir        where collections are persisted (env %s, default ./data/index)
        --search-threads  threads per search request      (env %s, default 2)
        --build-threads   threads for index building      (env %s, default 2)
        --max-message-mb  largest request in MiB          (env %s, default 64)
        --inline-reads    run single-query reads on the transport thread (env %s, default
                          true): ~0.06 ms less per call; batches still go to a thread pool
        --metrics-port    Prometheus metrics at http://ADDR:N/metrics, 0 = any free port,
                          -1 = off (env %s, default -1)
      The admin token is read from %s only (never from flags, which other users can see).
      """.formatted(ENV_BIND, ENV_PORT, ENV_DATA_DIR, ENV_SEARCH_THREADS, ENV_BUILD_THREADS,
      ENV_MAX_MESSAGE_MB, ENV_INLINE_READS, ENV_METRICS_PORT, ENV_ADMIN_TOKEN);

  /** Parses flags (and the environment); throws IllegalArgumentException with the usage text. */
  public static IndexServerConfig parse(String[] args, Map<String, String> env) {
    Settings s = Settings.parse(args, env, USAGE);
    IndexServerConfig config = new IndexServerConfig(
        s.string("bind", ENV_BIND, "127.0.0.1"),
        s.integer("port", ENV_PORT, 7401, 0, 65535),
        Path.of(s.string("data-dir", ENV_DATA_DIR, "data/index")),
        s.secret(ENV_ADMIN_TOKEN),
        s.integer("search-threads", ENV_SEARCH_THREADS, 2, 1, 256),
        s.integer("build-threads", ENV_BUILD_THREADS, 2, 1, 256),
        s.integer("max-message-mb", ENV_MAX_MESSAGE_MB, 64, 1, 1024) << 20,
        s.bool("inline-reads", ENV_INLINE_READS, true),
        s.integer("metrics-port", ENV_METRICS_PORT, -1, -1, 65535));
    s.rejectUnknown();
    return config;
  }

  @Override
  public String toString() {
    return "IndexServerConfig[bind=" + bind + ", port=" + port + ", dataDir=" + dataDir
        + ", adminToken=" + (adminToken == null ? "none" : "set") + ", searchThreads=" + searchThreads
        + ", buildThreads=" + buildThreads + ", maxMessageBytes=" + maxMessageBytes
        + ", inlineReads=" + inlineReads + ", metricsPort=" + metricsPort + "]";
  }
}
