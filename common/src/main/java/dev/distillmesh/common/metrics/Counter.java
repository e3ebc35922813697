package dev.distillmesh.common.metrics;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonic count, optionally split by labels. Get one from {@link MetricsRegistry#counter}.
 * Thread-safe; {@link Child#inc} is a {@link LongAdder} increment.
 */
public final class Counter {
  private final LabelledChildren<Child> children;

  Counter(List<String> labelNames) {
    this.children = new LabelledChildren<>(labelNames, Child::new);
  }

  /** The series with these label values (created on first use). */
  public Child labels(String... labelValues) {
    return children.get(labelValues);
  }

  /** Adds one to the unlabelled series. */
  public void inc() {
    labels().inc();
  }

  void collect(Samples.Sink<Double> out) {
    children.forEach((labels, child) -> out.add((double) child.value(), labels));
  }

  /** One series. */
  public static final class Child {
    private final LongAdder count = new LongAdder();

    public void inc() {
      count.increment();
    }

    public void inc(long n) {
      if (n < 0) {
        throw new IllegalArgumentException("a counter only goes up; got " + n);
      }
      count.add(n);
    }

    public long value() {
      return count.sum();
    }
  }
}
