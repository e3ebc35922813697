package dev.distillmesh.common.metrics;

import dev.distillmesh.common.batch.DynamicBatcher;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Publishes {@link DynamicBatcher} statistics, read from {@link DynamicBatcher#stats()} at each
 * scrape, labelled by batcher name: batch sizes (a histogram built from the batcher's own
 * frequency table), queue depth, rejected submissions and items dropped at their deadline.
 */
public final class BatcherMetrics {
  public static final String BATCH_SIZE = "distillmesh_batcher_batch_size";
  public static final String QUEUE_DEPTH = "distillmesh_batcher_queue_depth";
  public static final String REJECTED = "distillmesh_batcher_rejected_total";
  public static final String EXPIRED = "distillmesh_batcher_expired_total";

  /** Powers of two up to the largest batch any service allows. */
  static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

  private BatcherMetrics() {}

  /** @param batchers each batcher's statistics by name, read at scrape time */
  public static void register(MetricsRegistry registry, Supplier<Map<String, DynamicBatcher.Stats>> batchers) {
    List<String> labels = List.of("batcher");
    registry.histograms(BATCH_SIZE, "Items per batch run by the batcher.", labels, out ->
        batchers.get().forEach((name, s) ->
            out.add(HistogramSnapshot.ofFrequencies(BATCH_SIZE_BUCKETS, s.batchSizeCounts()), name)));
    registry.gauges(QUEUE_DEPTH, "Items waiting in the batcher's queue.", labels, out ->
        batchers.get().forEach((name, s) -> out.add((double) s.queued(), name)));
    registry.counters(REJECTED, "Submissions refused because the batcher's queue was full.", labels, out ->
        batchers.get().forEach((name, s) -> out.add((double) s.rejected(), name)));
    registry.counters(EXPIRED, "Items dropped without running because their deadline passed while queued.", labels,
        out -> batchers.get().forEach((name, s) -> out.add((double) s.expired(), name)));
  }
}
