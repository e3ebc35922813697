package dev.distillmesh.teacher;

import dev.distillmesh.common.metrics.BatcherMetrics;
import dev.distillmesh.common.metrics.MetricsRegistry;

/** The teacher's own metrics, read at each scrape: its batchers and, when it has one, its cache. */
final class TeacherMetrics {
  static final String CACHE_ENTRIES = "distillmesh_teacher_cache_entries";
  static final String CACHE_HIT_RATIO = "distillmesh_teacher_cache_hit_ratio";

  private TeacherMetrics() {}

  static void register(MetricsRegistry registry, Teacher teacher) {
    BatcherMetrics.register(registry, teacher::batchStats);
    if (teacher.cacheStats().isPresent()) {
      registry.gauge(CACHE_ENTRIES, "Candidate embeddings held in the members' caches.",
          () -> teacher.cacheStats().map(CacheStats::entries).orElse(0L));
      registry.gauge(CACHE_HIT_RATIO, "Fraction of candidate lookups answered from the cache since start.",
          () -> teacher.cacheStats().map(CacheStats::hitRate).orElse(0.0));
    }
  }
}
