package dev.distillmesh.common.metrics;

import java.util.Arrays;

/**
 * A histogram's state at one instant.
 *
 * @param upperBounds the buckets' inclusive upper bounds, increasing, without +Inf
 * @param bucketCounts observations per bucket (not cumulative); one more element than
 *     {@code upperBounds}, the last counting the observations above every bound
 * @param sum the sum of all observations
 */
public record HistogramSnapshot(double[] upperBounds, long[] bucketCounts, double sum) {
  public HistogramSnapshot {
    if (bucketCounts.length != upperBounds.length + 1) {
      throw new IllegalArgumentException("need " + (upperBounds.length + 1) + " bucket counts for "
          + upperBounds.length + " bounds, got " + bucketCounts.length);
    }
  }

  /** All observations. */
  public long count() {
    long n = 0;
    for (long c : bucketCounts) {
      n += c;
    }
    return n;
  }

  /**
   * A histogram of whole-number observations given as a frequency table, such as a batcher's
   * batch sizes: {@code frequencies[v]} observations of value {@code v}.
   */
  public static HistogramSnapshot ofFrequencies(double[] upperBounds, long[] frequencies) {
    long[] counts = new long[upperBounds.length + 1];
    double sum = 0;
    for (int v = 0; v < frequencies.length; v++) {
      if (frequencies[v] != 0) {
        counts[Histogram.bucketOf(upperBounds, v)] += frequencies[v];
        sum += (double) v * frequencies[v];
      }
    }
    return new HistogramSnapshot(upperBounds, counts, sum);
  }

  @Override
  public String toString() {
    return "HistogramSnapshot[bounds=" + Arrays.toString(upperBounds) + ", counts="
        + Arrays.toString(bucketCounts) + ", sum=" + sum + "]";
  }
}
