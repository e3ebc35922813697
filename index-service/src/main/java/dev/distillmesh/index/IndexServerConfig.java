package dev.distillmesh.index;

import java.nio.file.Path;
import java.util.HashMap;
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
 */
public record IndexServerConfig(
    String bind,
    int port,
    Path dataDir,
    String adminToken,
    int searchThreads,
    int buildThreads,
    int maxMessageBytes,
    boolean inlineReads) {

  public static final String ENV_BIND = "DISTILLMESH_INDEX_BIND";
  public static final String ENV_PORT = "DISTILLMESH_INDEX_PORT";
  public static final String ENV_DATA_DIR = "DISTILLMESH_INDEX_DATA_DIR";
  public static final String ENV_ADMIN_TOKEN = "DISTILLMESH_ADMIN_TOKEN";
  public static final String ENV_SEARCH_THREADS = "DISTILLMESH_INDEX_SEARCH_THREADS";
  public static final String ENV_BUILD_THREADS = "DISTILLMESH_INDEX_BUILD_THREADS";
  public static final String ENV_MAX_MESSAGE_MB = "DISTILLMESH_INDEX_MAX_MESSAGE_MB";
  public static final String ENV_INLINE_READS = "DISTILLMESH_INDEX_INLINE_READS";

  static final String USAGE = """
      usage: index-service [--bind ADDR] [--port N] [--data-dir DIR] [--search-threads N]
                           [--build-threads N] [--max-message-mb N] [--inline-reads true|false]
        --bind            address to listen on            (env %s, default 127.0.0.1)
        --port            TCP port, 0 = any free port     (env %s, default 7401)
        --data-dir        where collections are persisted (env %s, default ./data/index)
        --search-threads  threads per search request      (env %s, default 2)
        --build-threads   threads for index building      (env %s, default 2)
        --max-message-mb  largest request in MiB          (env %s, default 64)
        --inline-reads    run single-query reads on the transport thread (env %s, default
                          true): ~0.06 ms less per call; batches still go to a thread pool
      The admin token is read from %s only (never from flags, which other users can see).
      """.formatted(ENV_BIND, ENV_PORT, ENV_DATA_DIR, ENV_SEARCH_THREADS, ENV_BUILD_THREADS,
      ENV_MAX_MESSAGE_MB, ENV_INLINE_READS, ENV_ADMIN_TOKEN);

  /** Parses flags (and the environment); throws IllegalArgumentException with the usage text. */
  public static IndexServerConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("unexpected argument " + a + "\n" + USAGE);
      }
      flags.put(a.substring(2), args[++i]);
    }
    String bind = pick(flags, "bind", env, ENV_BIND, "127.0.0.1");
    int port = intSetting(flags, "port", env, ENV_PORT, 7401, 0, 65535);
    Path dataDir = Path.of(pick(flags, "data-dir", env, ENV_DATA_DIR, "data/index"));
    int search = intSetting(flags, "search-threads", env, ENV_SEARCH_THREADS, 2, 1, 256);
    int build = intSetting(flags, "build-threads", env, ENV_BUILD_THREADS, 2, 1, 256);
    int maxMb = intSetting(flags, "max-message-mb", env, ENV_MAX_MESSAGE_MB, 64, 1, 1024);
    String inline = pick(flags, "inline-reads", env, ENV_INLINE_READS, "true");
    if (!inline.equals("true") && !inline.equals("false")) {
      throw new IllegalArgumentException("--inline-reads (" + ENV_INLINE_READS + ") must be true or false, got \"" + inline + "\"");
    }
    flags.keySet().removeAll(java.util.List.of("bind", "port", "data-dir", "search-threads",
        "build-threads", "max-message-mb", "inline-reads"));
    if (!flags.isEmpty()) {
      throw new IllegalArgumentException("unknown option --" + flags.keySet().iterator().next() + "\n" + USAGE);
    }
    String token = env.get(ENV_ADMIN_TOKEN);
    return new IndexServerConfig(bind, port, dataDir, token == null || token.isBlank() ? null : token,
        search, build, maxMb << 20, Boolean.parseBoolean(inline));
  }

  private static String pick(Map<String, String> flags, String flag, Map<String, String> env,
      String envName, String fallback) {
    String v = flags.get(flag);
    if (v == null) {
      v = env.get(envName);
    }
    return v == null || v.isBlank() ? fallback : v;
  }

  private static int intSetting(Map<String, String> flags, String flag, Map<String, String> env,
      String envName, int fallback, int min, int max) {
    String v = pick(flags, flag, env, envName, Integer.toString(fallback));
    try {
      int n = Integer.parseInt(v.strip());
      if (n < min || n > max) {
        throw new IllegalArgumentException("--" + flag + " (" + envName + ") must be in " + min + ".." + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + flag + " (" + envName + ") must be a number, got \"" + v + "\"");
    }
  }

  @Override
  public String toString() {
    return "IndexServerConfig[bind=" + bind + ", port=" + port + ", dataDir=" + dataDir
        + ", adminToken=" + (adminToken == null ? "none" : "set") + ", searchThreads=" + searchThreads
        + ", buildThreads=" + buildThreads + ", maxMessageBytes=" + maxMessageBytes
        + ", inlineReads=" + inlineReads + "]";
  }
}
