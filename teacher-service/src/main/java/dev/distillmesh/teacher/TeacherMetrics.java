package dev.distillmesh.teacher;

import dev.distillmesh.common.metrics.BatcherMetrics;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.teacher.embedded.EmbeddedTeacher;

/** The teacher's own metrics, read at each scrape: its batchers and, for the embedded backend, its cache. */
final class TeacherMetrics {
  static final String CACHE_ENTRIES = "distillmesh_teacher_cache_entries";
  static final String CACHE_HIT_RATIO = "distillmesh_teacher_cache_hit_ratio";

  private TeacherMetrics() {}

  static void register(MetricsRegistry registry, Teacher teacher) {
    BatcherMetrics.register(registry, teacher::batchStats);
    if (teacher instanceof EmbeddedTeacher embedded) {
      registry.gauge(CACHE_ENTRIES, "Candidate embeddings held in the members' caches.", embedded::cacheEntries);
      registry.gauge(CACHE_HIT_RATIO, "Fraction of candidate lookups answered from the cache since start.",
          embedded::cacheHitRate);
    }
  }
}
