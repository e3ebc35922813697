package dev.distillmesh.common.metrics;

import java.math.BigDecimal;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus text exposition format, version 0.0.4: a HELP and a TYPE line per metric, then
 * one line per series; histograms as cumulative {@code _bucket} series with an {@code le} label
 * (ending in {@code +Inf}), then {@code _sum} and {@code _count}.
 */
public final class TextFormat {
  /** The Content-Type of a scrape response. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger log = LoggerFactory.getLogger(TextFormat.class);

  private TextFormat() {}

  /**
   * Appends one metric family. A callback that throws leaves the family out of this scrape
   * rather than failing the whole scrape.
   */
  @SuppressWarnings("unchecked")
  static void write(MetricsRegistry.Family f, StringBuilder out) {
    StringBuilder series = new StringBuilder();
    try {
      if (f.type() == MetricsRegistry.Type.HISTOGRAM) {
        ((Samples<HistogramSnapshot>) f.samples()).collect(
            (h, labels) -> histogram(series, f.name(), f.labelNames(), labels, h));
      } else {
        ((Samples<Double>) f.samples()).collect(
            (v, labels) -> line(series, f.name(), f.labelNames(), labels, null, v));
      }
    } catch (RuntimeException e) {
      log.warn("metric {} left out of this scrape: {}", f.name(), e.toString());
      return;
    }
    out.append("# HELP ").append(f.name()).append(' ');
    escape(out, f.help(), false);
    out.append('\n');
    out.append("# TYPE ").append(f.name()).append(' ').append(f.type().label()).append('\n');
    out.append(series);
  }

  private static void histogram(StringBuilder out, String name, List<String> labelNames, String[] labels,
      HistogramSnapshot h) {
    long cumulative = 0;
    double[] bounds = h.upperBounds();
    long[] counts = h.bucketCounts();
    for (int i = 0; i < bounds.length; i++) {
      cumulative += counts[i];
      line(out, name + "_bucket", labelNames, labels, number(bounds[i]), cumulative);
    }
    cumulative += counts[bounds.length];
    line(out, name + "_bucket", labelNames, labels, "+Inf", cumulative);
    line(out, name + "_sum", labelNames, labels, null, h.sum());
    line(out, name + "_count", labelNames, labels, null, cumulative);
  }

  private static void line(StringBuilder out, String name, List<String> labelNames, String[] labels, String le,
      double value) {
    if (labels.length != labelNames.size()) {
      throw new IllegalArgumentException(name + " has labels " + labelNames + " but a sample gave "
          + labels.length + " values");
    }
    out.append(name);
    if (!labelNames.isEmpty() || le != null) {
      out.append('{');
      for (int i = 0; i < labels.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labelNames.get(i)).append("=\"");
        escape(out, labels[i], true);
        out.append('"');
      }
      if (le != null) {
        out.append(labels.length > 0 ? "," : "").append("le=\"").append(le).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(number(value)).append('\n');
  }

  /** Backslash and newline (and, in label values, double quote) escaped, as the format requires. */
  static void escape(StringBuilder out, String s, boolean labelValue) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '"' -> out.append(labelValue ? "\\\"" : "\"");
        default -> out.append(c);
      }
    }
  }

  /** Whole numbers without a fraction ("3", not "3.0"), others in plain decimal ("0.0005"). */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    return a >= 1e-6 && a < 1e15 ? BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() : Double.toString(v);
  }
}
