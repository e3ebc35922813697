package dev.distillmesh.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every setting of one benchmark run, parsed once from the command line. Paths are relative to the
 * working directory (scripts/bench-index.sh runs from the repository root) or start with "~/".
 */
record BenchConfig(
    boolean real,
    int syntheticSize,
    int queries,
    int realMax,
    int clusters,
    double spread,
    Set<String> systems,
    int m,
    int efConstruction,
    int buildThreads,
    int clientThreads,
    int extraClientThreads,
    int k,
    double targetRecall,
    int warmupQueries,
    int latencyQueries,
    int qpsQueries,
    int batchSize,
    long seed,
    int maxTokens,
    int encodeThreads,
    Path dataDir,
    Path cacheDir,
    Path serverJar,
    List<String> serverJvmOptions,
    String faissLabel) {

  static final String USAGE = String.join("\n",
      "usage: IndexBenchmark [options]",
      "  --synthetic N         clustered synthetic base vectors (default 1000000; 0 = none)",
      "  --real-only           only the MiniLM dataset      --synthetic-only  only synthetic",
      "  --queries N           queries per dataset (default 1000)",
      "  --real-max N          cap on real corpus texts (default 0 = all)",
      "  --clusters N          synthetic centres (default 1000)",
      "  --spread X            synthetic noise norm relative to the centre (default 1.0)",
      "  --systems a,b,c,d     a=index-service gRPC, b=FAISS in-process, c=Lucene, d=JVector",
      "  --m N                 HNSW M / maxConn / degree (default 32)",
      "  --ef-construction N   efConstruction / beamWidth (default 64: the index-service's own,",
      "                        which no request can change)",
      "  --build-threads N     (default 2)   --client-threads N (default 2)",
      "  --extra-client-threads N  also measure QPS with N client threads (default 8; 0 = off)",
      "  --k N                 (default 10)  --target-recall X (default 0.95)",
      "  --warmup-queries N    queries run at the tuned effort before measuring (default 20000; the JIT of client and server needs ~10k gRPC calls)",
      "  --latency-queries N   sequential single queries for p50/p99 (default 2000)",
      "  --batch N             queries per call for the batched QPS of (a) and (b) (default 32;"
          + " 1 = off)",
      "  --qps-queries N       queries for the throughput run (default 4000)",
      "  --seed N              (default 42)",
      "  --max-tokens N        MiniLM truncation (default 256)   --encode-threads N (default 2)",
      "  --data-dir DIR        shared data (default ../shared/data)",
      "  --cache-dir DIR       vector cache (default ~/.cache/distillmesh/bench)",
      "  --server-jar FILE     (default index-service/target/index-service.jar)",
      "  --server-jvm-opts S   space-separated options for the server JVM (default -Xmx4g)",
      "  --faiss-label S       suffix for the FAISS row, e.g. the variant forced with -D");

  static BenchConfig parse(String[] args) {
    boolean real = true;
    int synthetic = 1_000_000;
    int queries = 1000;
    int realMax = 0;
    int clusters = 1000;
    double spread = 1.0;
    Set<String> systems = new LinkedHashSet<>(List.of("a", "b", "c", "d"));
    int m = 32;
    int efc = 64;
    int buildThreads = 2;
    int clientThreads = 2;
    int extraClientThreads = 8;
    int k = 10;
    double target = 0.95;
    int warmupQueries = 20000;
    int latencyQueries = 2000;
    int batchSize = 32;
    int qpsQueries = 4000;
    long seed = 42;
    int maxTokens = 256;
    int encodeThreads = 2;
    String dataDir = "../shared/data";
    String cacheDir = "~/.cache/distillmesh/bench";
    String serverJar = "index-service/target/index-service.jar";
    List<String> serverOpts = List.of("-Xmx4g");
    String faissLabel = "";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--real-only" -> synthetic = 0;
        case "--synthetic-only" -> real = false;
        case "--synthetic" -> synthetic = Integer.parseInt(value(args, ++i, a));
        case "--queries" -> queries = Integer.parseInt(value(args, ++i, a));
        case "--real-max" -> realMax = Integer.parseInt(value(args, ++i, a));
        case "--clusters" -> clusters = Integer.parseInt(value(args, ++i, a));
        case "--spread" -> spread = Double.parseDouble(value(args, ++i, a));
        case "--systems" -> systems = new LinkedHashSet<>(
            Arrays.asList(value(args, ++i, a).toLowerCase().split(",")));
        case "--m" -> m = Integer.parseInt(value(args, ++i, a));
        case "--ef-construction" -> efc = Integer.parseInt(value(args, ++i, a));
        case "--build-threads" -> buildThreads = Integer.parseInt(value(args, ++i, a));
        case "--client-threads" -> clientThreads = Integer.parseInt(value(args, ++i, a));
        case "--extra-client-threads" ->
            extraClientThreads = Integer.parseInt(value(args, ++i, a));
        case "--k" -> k = Integer.parseInt(value(args, ++i, a));
        case "--target-recall" -> target = Double.parseDouble(value(args, ++i, a));
        case "--warmup-queries" -> warmupQueries = Integer.parseInt(value(args, ++i, a));
        case "--latency-queries" -> latencyQueries = Integer.parseInt(value(args, ++i, a));
        case "--batch" -> batchSize = Integer.parseInt(value(args, ++i, a));
        case "--qps-queries" -> qpsQueries = Integer.parseInt(value(args, ++i, a));
        case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
        case "--max-tokens" -> maxTokens = Integer.parseInt(value(args, ++i, a));
        case "--encode-threads" -> encodeThreads = Integer.parseInt(value(args, ++i, a));
        case "--data-dir" -> dataDir = value(args, ++i, a);
        case "--cache-dir" -> cacheDir = value(args, ++i, a);
        case "--server-jar" -> serverJar = value(args, ++i, a);
        case "--server-jvm-opts" -> serverOpts = splitOptions(value(args, ++i, a));
        case "--faiss-label" -> faissLabel = value(args, ++i, a);
        case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    for (String s : systems) {
      if (!Set.of("a", "b", "c", "d").contains(s)) {
        throw new IllegalArgumentException("unknown system " + s + "\n" + USAGE);
      }
    }
    if (!real && synthetic == 0) {
      throw new IllegalArgumentException("nothing to run: no real and no synthetic dataset");
    }
    return new BenchConfig(real, synthetic, queries, realMax, clusters, spread, systems, m, efc,
        buildThreads, clientThreads, extraClientThreads, k, target, warmupQueries, latencyQueries,
        qpsQueries, batchSize, seed, maxTokens, encodeThreads, path(dataDir), path(cacheDir), path(serverJar),
        serverOpts, faissLabel);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  private static List<String> splitOptions(String s) {
    List<String> out = new ArrayList<>();
    for (String part : s.trim().split("\\s+")) {
      if (!part.isEmpty()) {
        out.add(part);
      }
    }
    return out;
  }

  private static Path path(String s) {
    return s.startsWith("~/")
        ? Path.of(System.getProperty("user.home"), s.substring(2))
        : Path.of(s);
  }
}
