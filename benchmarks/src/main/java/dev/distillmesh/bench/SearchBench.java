package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Dataset;
import dev.distillmesh.bench.systems.AnnSystem;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures one system on one dataset, the same way for every system:
 *
 * <ol>
 *   <li>build, timed (wall clock);
 *   <li>tune: walk up {@link #EFFORTS} and stop at the first effort whose recall@k over all queries
 *       reaches the target (queries run on the client threads);
 *   <li>warm-up: {@code warmupQueries} queries on the client threads at that effort (the JIT of
 *       a Java server needs thousands of calls);
 *   <li>latency: {@code latencyQueries} single queries one after another on one thread (p50, p99);
 *   <li>throughput: {@code qpsQueries} single queries spread over the client threads (QPS), and
 *       again over {@code extraClientThreads} threads (more requests in flight: for the gRPC
 *       service, 2 blocking clients measure latency more than server capacity);
 *   <li>batched throughput, for systems with a batch API: the same queries in calls of {@code
 *       batchSize} queries each, over the client threads.
 * </ol>
 *
 * Not thread-safe; owns a pool of client threads, closed by {@link #close}.
 */
final class SearchBench implements AutoCloseable {
  /** Search efforts tried in order; each system's knob means "candidate list size". */
  static final int[] EFFORTS = {10, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 56, 64, 72, 80, 96,
      112, 128, 144, 160, 192, 224, 256, 288, 320, 384, 448, 512, 640, 768, 1024, 1536, 2048};

  private final BenchConfig config;
  private final PrintStream log;
  private final ExecutorService clients;

  SearchBench(BenchConfig config, PrintStream log) {
    this.config = config;
    this.log = log;
    this.clients = Executors.newFixedThreadPool(
        Math.max(config.clientThreads(), config.extraClientThreads()));
  }

  /**
   * @param compareAt an effort at which to measure latency as well (another system's tuned
   *     effort), or 0 for none
   */
  Result run(AnnSystem system, Dataset data, int[][] truth, int compareAt) throws Exception {
    log.printf("%n[%s] %s: building %d vectors%n", data.name(), system.name(), data.size());
    long start = System.nanoTime();
    AnnSystem.MemoryUse memory = system.build(data);
    double buildSeconds = (System.nanoTime() - start) / 1e9;
    log.printf("[%s] %s: built in %.1f s, memory %.0f MB (%s)%n", data.name(), system.name(),
        buildSeconds, memory.bytes() / 1048576.0, memory.how());

    int effort = 0;
    double recall = 0;
    for (int candidate : EFFORTS) {
      if (candidate < config.k()) {
        continue;
      }
      effort = candidate;
      recall = recall(system, data.queries(), truth, effort);
      log.printf("  %s=%d recall@%d=%.4f%n", system.effortName(), effort, config.k(), recall);
      if (recall >= config.targetRecall()) {
        break;
      }
    }
    boolean reached = recall >= config.targetRecall();

    throughput(system, data.queries(), effort, config.clientThreads(), config.warmupQueries());
    LatencyStats latency = latency(system, data.queries(), effort);
    double qps = throughput(system, data.queries(), effort, config.clientThreads(),
        config.qpsQueries());
    double qpsMore = config.extraClientThreads() > 0 ? throughput(system, data.queries(), effort,
        config.extraClientThreads(), config.qpsQueries()) : 0;
    double qpsBatched = system.supportsBatch() && config.batchSize() > 1
        ? batchThroughput(system, data.queries(), effort, config.clientThreads(), config.qpsQueries())
        : 0;
    if (qpsBatched > 0) {
      log.printf("[%s] %s: batches of %d queries per call: QPS=%.0f (%d threads)%n", data.name(),
          system.name(), config.batchSize(), qpsBatched, config.clientThreads());
    }
    log.printf("[%s] %s: %s=%d recall=%.4f p50=%.3f ms p99=%.3f ms QPS=%.0f (%d threads),"
            + " %.0f (%d threads)%n", data.name(), system.name(), system.effortName(), effort,
        recall, latency.p50Ms(), latency.p99Ms(), qps, config.clientThreads(), qpsMore,
        config.extraClientThreads());
    Result.Comparison comparison = null;
    if (compareAt > 0) {
      LatencyStats other = latency(system, data.queries(), compareAt);
      comparison = new Result.Comparison(compareAt, other);
      log.printf("[%s] %s: at %s=%d p50=%.3f ms p99=%.3f ms%n", data.name(), system.name(),
          system.effortName(), compareAt, other.p50Ms(), other.p99Ms());
    }
    return new Result(system.name(), data.name(), data.size(), buildSeconds, memory,
        system.effortName(), effort, recall, reached, latency, qps, qpsMore, qpsBatched, comparison,
        null);
  }

  /** Mean recall@k over all queries (fraction of the true top k found in the returned k). */
  private double recall(AnnSystem system, float[][] queries, int[][] truth, int effort)
      throws Exception {
    int k = config.k();
    AtomicInteger next = new AtomicInteger();
    List<Callable<Long>> workers = new ArrayList<>();
    for (int t = 0; t < config.clientThreads(); t++) {
      workers.add(() -> {
        long hits = 0;
        for (int q = next.getAndIncrement(); q < queries.length; q = next.getAndIncrement()) {
          int[] found = system.search(queries[q], k, effort);
          for (int id : found) {
            for (int j = 0; j < k; j++) {
              if (truth[q][j] == id) {
                hits++;
                break;
              }
            }
          }
        }
        return hits;
      });
    }
    long hits = 0;
    for (Future<Long> f : clients.invokeAll(workers)) {
      hits += f.get();
    }
    return hits / (double) (queries.length * (long) k);
  }

  private LatencyStats latency(AnnSystem system, float[][] queries, int effort) throws Exception {
    long[] nanos = new long[config.latencyQueries()];
    for (int i = 0; i < nanos.length; i++) {
      float[] q = queries[i % queries.length];
      long t0 = System.nanoTime();
      system.search(q, config.k(), effort);
      nanos[i] = System.nanoTime() - t0;
    }
    return LatencyStats.of(nanos);
  }

  /** Queries per second of {@code total} single queries spread over {@code threads} threads. */
  private double throughput(AnnSystem system, float[][] queries, int effort, int threads,
      int total) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Callable<Void>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(() -> {
        for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
          system.search(queries[i % queries.length], config.k(), effort);
        }
        return null;
      });
    }
    long t0 = System.nanoTime();
    for (Future<Void> f : clients.invokeAll(workers)) {
      f.get();
    }
    return total / ((System.nanoTime() - t0) / 1e9);
  }

  /** Queries per second of {@code total} queries sent in batches, spread over {@code threads}. */
  private double batchThroughput(AnnSystem system, float[][] queries, int effort, int threads,
      int total) throws Exception {
    int batch = config.batchSize();
    int calls = (total + batch - 1) / batch;
    AtomicInteger next = new AtomicInteger();
    List<Callable<Void>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(() -> {
        for (int c = next.getAndIncrement(); c < calls; c = next.getAndIncrement()) {
          float[][] rows = new float[batch][];
          for (int r = 0; r < batch; r++) {
            rows[r] = queries[(c * batch + r) % queries.length];
          }
          system.searchBatch(rows, config.k(), effort);
        }
        return null;
      });
    }
    long t0 = System.nanoTime();
    for (Future<Void> f : clients.invokeAll(workers)) {
      f.get();
    }
    return calls * (double) batch / ((System.nanoTime() - t0) / 1e9);
  }

  @Override
  public void close() {
    clients.shutdownNow();
  }
}
