package dev.distillmesh.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextFormatTest {

  @Test
  void rendersCountersGaugesAndHistogramsExactly() {
    MetricsRegistry r = new MetricsRegistry();
    Counter calls = r.counter("calls_total", "Calls by method.", "method", "code");
    calls.labels("Search", "OK").inc(3);
    calls.labels("Get", "NOT_FOUND").inc();
    r.gauge("queue_depth", "Items waiting.", () -> 7);
    r.gauges("collection_records", "Records per \"collection\",\nlive.", List.of("collection"), out -> {
      out.add(12.0, "faq");
      out.add(0.25, "a\"b\\c\nd");
    });
    Histogram h = r.histogram("latency_seconds", "Latency.", new double[] {0.005, 0.1, 1}, "method");
    h.labels("Search").observe(0.001);
    h.labels("Search").observe(0.005); // on a bound: counts in that bucket
    h.labels("Search").observe(0.05);
    h.labels("Search").observe(3);

    assertEquals("""
        # HELP calls_total Calls by method.
        # TYPE calls_total counter
        calls_total{method="Get",code="NOT_FOUND"} 1
        calls_total{method="Search",code="OK"} 3
        # HELP queue_depth Items waiting.
        # TYPE queue_depth gauge
        queue_depth 7
        # HELP collection_records Records per "collection",\\nlive.
        # TYPE collection_records gauge
        collection_records{collection="faq"} 12
        collection_records{collection="a\\"b\\\\c\\nd"} 0.25
        # HELP latency_seconds Latency.
        # TYPE latency_seconds histogram
        latency_seconds_bucket{method="Search",le="0.005"} 2
        latency_seconds_bucket{method="Search",le="0.1"} 3
        latency_seconds_bucket{method="Search",le="1"} 3
        latency_seconds_bucket{method="Search",le="+Inf"} 4
        latency_seconds_sum{method="Search"} 3.056
        latency_seconds_count{method="Search"} 4
        """, r.render());
  }

  @Test
  void unlabelledHistogramAndSpecialValues() {
    MetricsRegistry r = new MetricsRegistry();
    Histogram h = r.histogram("size", "Sizes.", new double[] {0.0005, 2});
    h.observe(1);
    r.gauge("nan", "Not a number.", () -> Double.NaN);
    r.gauge("inf", "Infinite.", () -> Double.NEGATIVE_INFINITY);
    assertEquals("""
        # HELP size Sizes.
        # TYPE size histogram
        size_bucket{le="0.0005"} 0
        size_bucket{le="2"} 1
        size_bucket{le="+Inf"} 1
        size_sum 1
        size_count 1
        # HELP nan Not a number.
        # TYPE nan gauge
        nan NaN
        # HELP inf Infinite.
        # TYPE inf gauge
        inf -Inf
        """, r.render());
  }

  @Test
  void frequencyTablesBecomeHistograms() {
    MetricsRegistry r = new MetricsRegistry();
    long[] batches = {0, 5, 1, 0, 2}; // five batches of 1, one of 2, two of 4
    r.histograms("batch", "Batch sizes.", List.of("batcher"),
        out -> out.add(HistogramSnapshot.ofFrequencies(new double[] {1, 2, 3}, batches), "encoder"));
    assertEquals("""
        # HELP batch Batch sizes.
        # TYPE batch histogram
        batch_bucket{batcher="encoder",le="1"} 5
        batch_bucket{batcher="encoder",le="2"} 6
        batch_bucket{batcher="encoder",le="3"} 6
        batch_bucket{batcher="encoder",le="+Inf"} 8
        batch_sum{batcher="encoder"} 15
        batch_count{batcher="encoder"} 8
        """, r.render());
  }

  @Test
  void aFailingCallbackLeavesOnlyItsMetricOut() {
    MetricsRegistry r = new MetricsRegistry();
    r.gauge("broken", "Throws.", () -> {
      throw new IllegalStateException("closed");
    });
    r.gauge("fine", "Works.", () -> 1);
    assertEquals("# HELP fine Works.\n# TYPE fine gauge\nfine 1\n", r.render());
  }

  @Test
  void liveMetricsAreSharedByNameAndConflictsRefused() {
    MetricsRegistry r = new MetricsRegistry();
    Counter a = r.counter("x_total", "X.", "m");
    assertEquals(a, r.counter("x_total", "X.", "m"));
    assertThrows(IllegalArgumentException.class, () -> r.counter("x_total", "X.", "other"));
    assertThrows(IllegalArgumentException.class, () -> r.histogram("x_total", "X.", new double[] {1}, "m"));
    assertThrows(IllegalArgumentException.class, () -> r.gauge("x_total", "X.", () -> 1));
    assertThrows(IllegalArgumentException.class, () -> r.counter("calls", "No _total."));
    assertThrows(IllegalArgumentException.class, () -> r.gauge("bad-name", "Dash.", () -> 1));
    assertThrows(IllegalArgumentException.class, () -> r.histogram("h", "H.", new double[] {1}, "le"));
    assertThrows(IllegalArgumentException.class, () -> r.histogram("h2", "H.", new double[] {2, 1}));
    assertThrows(IllegalArgumentException.class, () -> a.labels("one", "two"));
  }
}
