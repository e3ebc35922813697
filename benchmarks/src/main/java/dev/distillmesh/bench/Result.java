package dev.distillmesh.bench;

import dev.distillmesh.bench.systems.AnnSystem.MemoryUse;

/**
 * One row of the results table: a system measured on a dataset at the smallest effort that reached
 * the recall target ({@code reached == false}: the largest effort tried, which did not).
 * {@code qpsMoreThreads} is the throughput with more client threads (0 when not measured);
 * {@code qpsBatched} the throughput with batches of queries per call (0 when the system has no
 * batch API or it was not measured). A failed
 * system has {@code error} set and nothing else meaningful.
 */
record Result(
    String system,
    String dataset,
    int size,
    double buildSeconds,
    MemoryUse memory,
    String effortName,
    int effort,
    double recall,
    boolean reached,
    LatencyStats latency,
    double qps,
    double qpsMoreThreads,
    double qpsBatched,
    Comparison comparison,
    String error) {

  /**
   * Single-query latency at another system's effort (the (b) row is also measured at (a)'s
   * ef_search, so the gRPC overhead is compared at equal work).
   */
  record Comparison(int effort, LatencyStats latency) {}

  static Result failed(String system, String dataset, int size, Throwable error) {
    return new Result(system, dataset, size, 0, null, "", 0, 0, false, null, 0, 0, 0, null,
        String.valueOf(error));
  }

  boolean ok() {
    return error == null;
  }

  /** The letter of the system list, "a".."d", taken from the "(x) ..." name. */
  String letter() {
    return system.length() > 2 && system.charAt(0) == '(' ? system.substring(1, 2) : "";
  }
}
