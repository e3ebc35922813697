package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Dataset;
import dev.distillmesh.bench.data.GroundTruth;
import dev.distillmesh.bench.data.RealEmbeddings;
import dev.distillmesh.bench.data.SyntheticVectors;
import dev.distillmesh.bench.systems.AnnSystem;
import dev.distillmesh.bench.systems.FaissInProcess;
import dev.distillmesh.bench.systems.GrpcIndexService;
import dev.distillmesh.bench.systems.HnswParams;
import dev.distillmesh.bench.systems.IndexServerProcess;
import dev.distillmesh.bench.systems.JVectorHnsw;
import dev.distillmesh.bench.systems.LuceneHnsw;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.index.faiss.FaissIndex;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark of the index service: on MiniLM embeddings of the
 * shared texts and on clustered synthetic vectors, in one run on one machine, measures (a) the
 * index-service over gRPC, (b) the same FAISS in-process, (c) Lucene HNSW and (d) JVector, each at
 * its smallest search effort reaching recall@10 >= 0.95, and prints the table and the ratios.
 *
 * <p>{@code main} only wires: parse the config, load the datasets, run each system in turn (one
 * at a time, closed before the next starts), print. Run it through scripts/bench-index.sh.
 */
public final class IndexBenchmark {
  private final BenchConfig config;
  private final PrintStream out;
  private final HnswParams hnsw;

  IndexBenchmark(BenchConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
    this.hnsw = new HnswParams(config.m(), config.efConstruction(), config.buildThreads());
  }

  public static void main(String[] args) throws Exception {
    BenchConfig config;
    try {
      config = BenchConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    new IndexBenchmark(config, System.out).run();
  }

  void run() throws Exception {
    printHeader();
    List<Result> results = new ArrayList<>();
    try (SearchBench bench = new SearchBench(config, out)) {
      if (config.real()) {
        Dataset real = new RealEmbeddings(config.dataDir(), config.cacheDir(), config.maxTokens(),
            config.encodeThreads(), out).load(config.queries(), config.realMax(), config.seed());
        results.addAll(runAll(bench, real));
        printTable(results);
      }
      if (config.syntheticSize() > 0) {
        out.printf("%ngenerating %,d clustered synthetic vectors (%d centres, spread %.2f,"
            + " seed %d)%n",
            config.syntheticSize(), config.clusters(), config.spread(), config.seed());
        Dataset synthetic = new SyntheticVectors(384, config.clusters(), config.spread(),
            config.seed()).generate(config.syntheticSize(), config.queries());
        results.addAll(runAll(bench, synthetic));
      }
    }
    out.printf("%n== Results (%s; load average at the end %s) ==%n", describeParams(),
        loadAverage());
    printTable(results);
  }

  private void printTable(List<Result> results) {
    ResultTable.print(results, config.k(), config.clientThreads(), config.extraClientThreads(),
        out);
  }

  private List<Result> runAll(SearchBench bench, Dataset data) {
    long t0 = System.nanoTime();
    int[][] truth = GroundTruth.exactTopK(data, config.k(), config.buildThreads());
    out.printf("%n[%s] %,d base vectors, %,d queries, dim %d; exact top-%d in %.1f s%n",
        data.name(), data.size(), data.queries().length, data.dimension(), config.k(),
        (System.nanoTime() - t0) / 1e9);
    List<Result> results = new ArrayList<>();
    int grpcEffort = 0; // (b) is also measured at (a)'s ef_search, for the overhead at equal work
    for (String system : List.of("a", "b", "c", "d")) {
      if (!config.systems().contains(system)) {
        continue;
      }
      try {
        Result r = system.equals("a") ? runOverGrpc(bench, data, truth)
            : runInProcess(bench, data, truth, system, system.equals("b") ? grpcEffort : 0);
        grpcEffort = system.equals("a") ? r.effort() : grpcEffort;
        results.add(r);
      } catch (Exception | OutOfMemoryError e) {
        out.printf("[%s] system (%s) FAILED: %s%n", data.name(), system, e);
        e.printStackTrace(out);
        results.add(Result.failed("(" + system + ")", data.name(), data.size(), e));
      }
      MemoryProbe.heapUsedAfterGc(); // let the closed system's garbage go before the next
    }
    return results;
  }

  private Result runInProcess(SearchBench bench, Dataset data, int[][] truth, String letter,
      int compareAt) throws Exception {
    try (AnnSystem system = switch (letter) {
      case "b" -> new FaissInProcess(hnsw, config.faissLabel());
      case "c" -> new LuceneHnsw(hnsw);
      case "d" -> new JVectorHnsw(hnsw);
      default -> throw new IllegalArgumentException(letter);
    }) {
      return bench.run(system, data, truth, compareAt);
    }
  }

  /** Starts a fresh server process and channel for this dataset; closes both afterwards. */
  private Result runOverGrpc(SearchBench bench, Dataset data, int[][] truth) throws Exception {
    try (IndexServerProcess server = IndexServerProcess.start(config.serverJar(),
        config.serverJvmOptions())) {
      out.printf("[%s] index-service pid %d on 127.0.0.1:%d, log %s%n", data.name(), server.pid(),
          server.port(), server.log());
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
          .usePlaintext()
          .maxInboundMessageSize(16 << 20)
          .build();
      try (GrpcIndexService system = new GrpcIndexService(channel, server, hnsw)) {
        return bench.run(system, data, truth, 0);
      } finally {
        channel.shutdown();
        if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      }
    }
  }

  private void printHeader() throws IOException {
    out.println("== distillmesh index benchmark ==");
    out.println("date:    " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
    out.println("machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
        + " cores, " + (totalMemoryKb() >> 20) + " GB RAM");
    out.println("java:    " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version") + ", max heap "
        + (Runtime.getRuntime().maxMemory() >> 20) + " MB");
    out.println("faiss:   " + FaissIndex.nativeLibrary());
    out.println("params:  " + describeParams());
    out.println("load:    " + loadAverage() + " (1/5/15 min; the machine may be shared)");
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private String describeParams() {
    return String.format("M=%d efConstruction/beamWidth=%d, %d build threads, %d client threads"
            + " (and %d), k=%d, recall target %.2f, %d warm-up, %d latency and %d QPS queries",
        config.m(), config.efConstruction(), config.buildThreads(), config.clientThreads(),
        config.extraClientThreads(), config.k(), config.targetRecall(), config.warmupQueries(),
        config.latencyQueries(), config.qpsQueries());
  }

  private static String cpuModel() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return System.getProperty("os.arch");
  }

  private static long totalMemoryKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
