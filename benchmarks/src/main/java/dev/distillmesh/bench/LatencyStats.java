package dev.distillmesh.bench;

import java.util.Arrays;

/** Percentiles of a set of latencies given in nanoseconds, reported in milliseconds. */
public record LatencyStats(double p50Ms, double p99Ms, double meanMs, int count) {
  /** No calls were timed (zeros, count 0): for a caller that may have none to report. */
  public static final LatencyStats NONE = new LatencyStats(0, 0, 0, 0);

  /** The statistics of {@code nanos}; refused when there are none. */
  public static LatencyStats of(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no latencies");
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(sorted).average().orElse(0);
    return new LatencyStats(percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
        mean / 1e6, sorted.length);
  }

  /** Nearest-rank percentile of sorted values. */
  private static double percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
