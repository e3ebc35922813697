package dev.distillmesh.common.metrics;

import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Observations counted into fixed buckets, optionally split by labels. Get one from
 * {@link MetricsRegistry#histogram}. Thread-safe; an observation is two adder updates. A scrape
 * may see a sum and counts that are one observation apart, which Prometheus tolerates.
 */
public final class Histogram {
  /**
   * Latency buckets in seconds: from half a millisecond (an in-memory index search) to a minute
   * (a large ingest or a teacher run).
   */
  public static final double[] LATENCY_SECONDS = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  private final double[] upperBounds;
  private final LabelledChildren<Child> children;

  Histogram(double[] upperBounds, List<String> labelNames) {
    this.upperBounds = checkBounds(upperBounds);
    this.children = new LabelledChildren<>(labelNames, () -> new Child(this.upperBounds));
  }

  /** The series with these label values (created on first use). */
  public Child labels(String... labelValues) {
    return children.get(labelValues);
  }

  /** Records one value in the unlabelled series. */
  public void observe(double value) {
    labels().observe(value);
  }

  void collect(Samples.Sink<HistogramSnapshot> out) {
    children.forEach((labels, child) -> out.add(child.snapshot(), labels));
  }

  /** Index of the first bucket whose bound is at least {@code value}; the +Inf bucket if none. */
  static int bucketOf(double[] upperBounds, double value) {
    int lo = 0;
    int hi = upperBounds.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (upperBounds[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  static double[] checkBounds(double[] bounds) {
    if (bounds.length == 0) {
      throw new IllegalArgumentException("a histogram needs at least one bucket bound");
    }
    for (int i = 0; i < bounds.length; i++) {
      if (!Double.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
        throw new IllegalArgumentException("bucket bounds must be finite and increasing, got " + bounds[i]
            + " at " + i);
      }
    }
    return bounds.clone();
  }

  /** One series. */
  public static final class Child {
    private final double[] upperBounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();

    private Child(double[] upperBounds) {
      this.upperBounds = upperBounds;
      this.counts = new LongAdder[upperBounds.length + 1];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    public void observe(double value) {
      counts[bucketOf(upperBounds, value)].increment();
      sum.add(value);
    }

    public HistogramSnapshot snapshot() {
      long[] c = new long[counts.length];
      for (int i = 0; i < c.length; i++) {
        c[i] = counts[i].sum();
      }
      return new HistogramSnapshot(upperBounds, c, sum.sum());
    }
  }
}
