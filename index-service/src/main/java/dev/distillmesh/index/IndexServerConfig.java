package dev.distillmesh.index;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.common.Settings;
import dev.distillmesh.common.tls.ServerTls;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every setting of the index server, read once at start from command-line flags, then environment
 * variables, then defaults. The names are here and nowhere else.
 *
 * @param bind address to listen on (loopback unless told otherwise)
 * @param port TCP port; 0 picks a free one (printed at start)
 * @param dataDir where collections are persisted
 * @param access who may call admin RPCs (token, client certificates); open when neither is set (logged
 *     loudly, and refused on an address other than loopback unless {@code --allow-insecure-remote})
 * @param searchThreads OpenMP threads one search request may use
 * @param buildThreads OpenMP threads for index building
 * @param maxMessageBytes largest request accepted
 * @param inlineReads run single-query Search, GetPayloads, GetCollection and ListCollections on
 *     the transport thread (saves two thread hand-offs per call); multi-query searches still run
 *     on a pool, so batches of one connection proceed in parallel
 * @param tls plaintext, TLS or mutual TLS for clients
 * @param maxConnectionAgeSeconds clients are asked to reconnect after this long; 0 = never
 * @param metricsPort port of the Prometheus endpoint ({@code GET /metrics}) on {@code bind}; 0 picks a
 *     free one, -1 serves none
 */
public record IndexServerConfig(
    String bind,
    int port,
    Path dataDir,
    AccessPolicy access,
    int searchThreads,
    int buildThreads,
    int maxMessageBytes,
    boolean inlineReads,
    ServerTls tls,
    int maxConnectionAgeSeconds,
    int metricsPort) {

  public static final String ENV_BIND = "DISTILLMESH_INDEX_BIND";
  public static final String ENV_PORT = "DISTILLMESH_INDEX_PORT";
  public static final String ENV_DATA_DIR = "DISTILLMESH_INDEX_DATA_DIR";
  public static final String ENV_ADMIN_TOKEN = MeshOptions.ENV_ADMIN_TOKEN;
  public static final String ENV_SEARCH_THREADS = "DISTILLMESH_INDEX_SEARCH_THREADS";
  public static final String ENV_BUILD_THREADS = "DISTILLMESH_INDEX_BUILD_THREADS";
  public static final String ENV_MAX_MESSAGE_MB = "DISTILLMESH_INDEX_MAX_MESSAGE_MB";
  public static final String ENV_INLINE_READS = "DISTILLMESH_INDEX_INLINE_READS";
  public static final String ENV_METRICS_PORT = "DISTILLMESH_INDEX_METRICS_PORT";
  public static final String ENV_ALLOW_INSECURE_REMOTE = "DISTILLMESH_INDEX_ALLOW_INSECURE_REMOTE";

  static final String USAGE = """
      usage: index-service [--bind ADDR] [--port N] [--data-dir DIR] [--search-threads N]
                           [--build-threads N] [--max-message-mb N] [--inline-reads true|false]
                           [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
                           [--admin-clients A,B] [--require-auth-for-queries true|false]
                           [--max-connection-age-s N]
                           [--metrics-port N] [--allow-insecure-remote true|false]
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
        --allow-insecure-remote  serve on an address other than loopback with no admin credential
                          (no %s, no --admin-clients), so anyone who reaches it may write
                          and drop collections (env %s, default false: such a start is
                          refused)
      """.formatted(ENV_BIND, ENV_PORT, ENV_DATA_DIR, ENV_SEARCH_THREADS, ENV_BUILD_THREADS,
      ENV_MAX_MESSAGE_MB, ENV_INLINE_READS, ENV_METRICS_PORT, ENV_ADMIN_TOKEN, ENV_ALLOW_INSECURE_REMOTE)
      + MeshOptions.SERVER_USAGE + MeshOptions.ACCESS_USAGE;

  /** Parses flags (and the environment); throws IllegalArgumentException with the usage text. */
  public static IndexServerConfig parse(String[] args, Map<String, String> env) {
    Settings s = Settings.parse(args, env, USAGE);
    ServerTls tls = MeshOptions.serverTls(s);
    IndexServerConfig config = new IndexServerConfig(
        s.string("bind", ENV_BIND, "127.0.0.1"),
        s.integer("port", ENV_PORT, 7401, 0, 65535),
        Path.of(s.string("data-dir", ENV_DATA_DIR, "data/index")),
        MeshOptions.access(s, tls),
        s.integer("search-threads", ENV_SEARCH_THREADS, 2, 1, 256),
        s.integer("build-threads", ENV_BUILD_THREADS, 2, 1, 256),
        s.integer("max-message-mb", ENV_MAX_MESSAGE_MB, 64, 1, 1024) << 20,
        s.bool("inline-reads", ENV_INLINE_READS, true),
        tls,
        MeshOptions.maxConnectionAgeSeconds(s),
        s.integer("metrics-port", ENV_METRICS_PORT, -1, -1, 65535));
    boolean allowInsecureRemote = s.bool("allow-insecure-remote", ENV_ALLOW_INSECURE_REMOTE, false);
    s.rejectUnknown();
    if (config.access().adminOpen() && !allowInsecureRemote && !isLoopback(config.bind())) {
      throw new IllegalArgumentException("refusing to serve on " + config.bind() + " with no admin credential: anyone"
          + " who can reach it could write, delete and drop collections. Set " + ENV_ADMIN_TOKEN + " (or mutual TLS"
          + " with --admin-clients), bind 127.0.0.1, or pass --allow-insecure-remote true (env "
          + ENV_ALLOW_INSECURE_REMOTE + ") to accept open access");
    }
    return config;
  }

  /**
   * Whether {@code bind} is a loopback address. The wildcard (0.0.0.0, ::) and any name that does
   * not resolve count as remote: only an address that is certainly local is let through.
   */
  static boolean isLoopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The bearer token admin RPCs accept; null if none. */
  public String adminToken() {
    return access.adminToken();
  }

  @Override
  public String toString() {
    return "IndexServerConfig[bind=" + bind + ", port=" + port + ", dataDir=" + dataDir
        + ", access=" + access + ", searchThreads=" + searchThreads
        + ", buildThreads=" + buildThreads + ", maxMessageBytes=" + maxMessageBytes
        + ", inlineReads=" + inlineReads + ", tls=" + tls + ", maxConnectionAgeSeconds=" + maxConnectionAgeSeconds
        + ", metricsPort=" + metricsPort + "]";
  }
}
