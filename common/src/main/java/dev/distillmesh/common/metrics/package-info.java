/**
 * Prometheus metrics without a client library: a {@link dev.distillmesh.common.metrics.MetricsRegistry}
 * of counters, gauges and fixed-bucket histograms, rendered in the text exposition format 0.0.4
 * ({@link dev.distillmesh.common.metrics.TextFormat}) and served at {@code GET /metrics} by the
 * JDK's own HTTP server ({@link dev.distillmesh.common.metrics.MetricsHttpServer}).
 *
 * <p>Values that a service already keeps (queue depths, index sizes, adapter versions) are read at
 * scrape time through callbacks, so domain classes stay free of metrics code.
 */
package dev.distillmesh.common.metrics;
