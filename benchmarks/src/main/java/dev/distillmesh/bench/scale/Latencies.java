package dev.distillmesh.bench.scale;

import java.util.Arrays;

/** Nearest-rank percentiles of latencies given in nanoseconds, reported in milliseconds. */
record Latencies(double p50Ms, double p99Ms, double maxMs, int count) {
  static final Latencies NONE = new Latencies(0, 0, 0, 0);

  static Latencies of(long[] nanos) {
    if (nanos.length == 0) {
      return NONE;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Latencies(percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
        sorted[sorted.length - 1] / 1e6, sorted.length);
  }

  /** The value of rank ceil(p * n) (1-based) of sorted values. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
