package dev.distillmesh.common.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * A service's metrics, rendered in registration order by {@link #render()}. Two kinds:
 * <ul>
 *   <li>live metrics ({@link Counter}, {@link Histogram}) that code updates as things happen;
 *       asking again for one with the same name, type and labels returns the same object, so
 *       several interceptors can share a metric;
 *   <li>read-at-scrape metrics ({@link #gauge}, {@link #gauges}, {@link #counters},
 *       {@link #histograms}) whose values come from a callback, for numbers a service already keeps.
 * </ul>
 * Names follow Prometheus rules; counter names end in {@code _total}. Thread-safe.
 */
public final class MetricsRegistry {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  enum Type {
    COUNTER, GAUGE, HISTOGRAM;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One metric family. {@code samples} is a {@code Samples<Double>} or, for histograms, a
   * {@code Samples<HistogramSnapshot>}; {@code live} is the Counter or Histogram behind it, if any.
   */
  record Family(String name, String help, Type type, List<String> labelNames, Samples<?> samples, Object live) {}

  private final Map<String, Family> families = new LinkedHashMap<>();

  /** A counter updated by the caller; {@code name} must end in {@code _total}. */
  public synchronized Counter counter(String name, String help, String... labelNames) {
    Family existing = existing(name, Type.COUNTER, labelNames);
    if (existing != null) {
      return (Counter) existing.live();
    }
    requireTotal(name);
    Counter c = new Counter(List.of(labelNames));
    add(new Family(name, help, Type.COUNTER, List.of(labelNames), (Samples<Double>) c::collect, c));
    return c;
  }

  /** A histogram with fixed buckets ({@code upperBounds}, increasing; +Inf is implied). */
  public synchronized Histogram histogram(String name, String help, double[] upperBounds, String... labelNames) {
    Family existing = existing(name, Type.HISTOGRAM, labelNames);
    if (existing != null) {
      return (Histogram) existing.live();
    }
    Histogram h = new Histogram(upperBounds, List.of(labelNames));
    add(new Family(name, help, Type.HISTOGRAM, List.of(labelNames), (Samples<HistogramSnapshot>) h::collect, h));
    return h;
  }

  /** An unlabelled gauge read from {@code value} at each scrape. */
  public void gauge(String name, String help, DoubleSupplier value) {
    gauges(name, help, List.of(), out -> out.add(value.getAsDouble()));
  }

  /** Gauges whose series (one per label-value combination) are read at each scrape. */
  public synchronized void gauges(String name, String help, List<String> labelNames, Samples<Double> samples) {
    add(new Family(name, help, Type.GAUGE, List.copyOf(labelNames), samples, null));
  }

  /** Counters kept elsewhere (a total that only grows), read at each scrape. */
  public synchronized void counters(String name, String help, List<String> labelNames, Samples<Double> samples) {
    requireTotal(name);
    add(new Family(name, help, Type.COUNTER, List.copyOf(labelNames), samples, null));
  }

  /** Histograms kept elsewhere (e.g. a frequency table), read at each scrape. */
  public synchronized void histograms(String name, String help, List<String> labelNames,
      Samples<HistogramSnapshot> samples) {
    add(new Family(name, help, Type.HISTOGRAM, List.copyOf(labelNames), samples, null));
  }

  /** Every metric in the Prometheus text exposition format 0.0.4. */
  public String render() {
    List<Family> all;
    synchronized (this) {
      all = new ArrayList<>(families.values());
    }
    StringBuilder out = new StringBuilder(4096);
    for (Family f : all) {
      TextFormat.write(f, out);
    }
    return out.toString();
  }

  private Family existing(String name, Type type, String[] labelNames) {
    Family f = families.get(name);
    if (f == null) {
      return null;
    }
    if (f.live() == null || f.type() != type || !f.labelNames().equals(List.of(labelNames))) {
      throw new IllegalArgumentException("metric " + name + " is already registered as a " + f.type().label()
          + " with labels " + f.labelNames());
    }
    return f;
  }

  private void add(Family f) {
    if (!METRIC_NAME.matcher(f.name()).matches()) {
      throw new IllegalArgumentException("invalid metric name \"" + f.name() + "\"");
    }
    for (String label : f.labelNames()) {
      if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")
          || (f.type() == Type.HISTOGRAM && label.equals("le"))) {
        throw new IllegalArgumentException("invalid label name \"" + label + "\" for " + f.name());
      }
    }
    if (families.containsKey(f.name())) {
      throw new IllegalArgumentException("metric " + f.name() + " is already registered");
    }
    families.put(f.name(), f);
  }

  private static void requireTotal(String name) {
    if (!name.endsWith("_total")) {
      throw new IllegalArgumentException("counter names end in _total, got " + name);
    }
  }
}
