package dev.distillmesh.common.metrics;

/**
 * Reads a labelled metric's current values when it is scraped: for values a service already keeps
 * (a queue's depth, a collection's size), so nothing has to push them into the registry.
 * {@link #collect} runs on the scraping thread and should be cheap; an exception skips the metric
 * for that scrape.
 *
 * @param <T> {@link Double} for counters and gauges, {@link HistogramSnapshot} for histograms
 */
@FunctionalInterface
public interface Samples<T> {
  void collect(Sink<T> out);

  /** Takes one series: its value and its label values, in the order of the metric's label names. */
  @FunctionalInterface
  interface Sink<T> {
    void add(T value, String... labelValues);
  }
}
