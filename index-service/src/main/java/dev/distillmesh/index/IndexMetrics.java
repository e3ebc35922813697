package dev.distillmesh.index;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.index.store.Collection;
import dev.distillmesh.index.store.CollectionInfo;
import dev.distillmesh.index.store.CollectionStore;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The index service's own metrics, read from {@link Collection#info()} at each scrape. */
final class IndexMetrics {
  static final String LIVE_RECORDS = "distillmesh_index_live_records";
  static final String TOMBSTONES = "distillmesh_index_tombstones";
  static final String GENERATION = "distillmesh_index_generation";
  static final String REBUILDING = "distillmesh_index_rebuilding";
  static final String DAMAGED = "distillmesh_index_damaged";

  private IndexMetrics() {}

  static void register(MetricsRegistry registry, CollectionStore store) {
    perCollection(registry, store, LIVE_RECORDS, "Records a search can return, per collection.", CollectionInfo::liveCount);
    perCollection(registry, store, TOMBSTONES, "Deleted or replaced records still held until the next compaction.",
        CollectionInfo::tombstoneCount);
    perCollection(registry, store, GENERATION, "Number of the index generation serving searches.",
        CollectionInfo::generation);
    perCollection(registry, store, REBUILDING, "1 while a rebuild of the collection is in progress.",
        info -> info.rebuilding() ? 1 : 0);
    registry.gauges(DAMAGED, "1 for a collection found damaged at start and not served until repaired.",
        List.of("collection"), out -> store.damaged().keySet().forEach(name -> out.add(1.0, name)));
  }

  private static void perCollection(MetricsRegistry registry, CollectionStore store, String name, String help,
      ToDoubleFunction<CollectionInfo> value) {
    registry.gauges(name, help, List.of("collection"), out -> {
      for (Collection c : store.list()) {
        CollectionInfo info;
        try {
          info = c.info();
        } catch (DomainException e) { // dropped while the scrape ran
          continue;
        }
        out.add(value.applyAsDouble(info), c.name());
      }
    });
  }
}
