package dev.distillmesh.student;

import dev.distillmesh.common.metrics.BatcherMetrics;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.student.adapter.Tower;
import dev.distillmesh.student.query.TowerEncoder;
import java.util.List;
import java.util.Map;

/** The student's own metrics, read at each scrape: the encoder batcher and the adapter versions served. */
final class StudentMetrics {
  static final String ADAPTER_VERSION = "distillmesh_student_adapter_version";
  static final String ENCODER_BATCHER = "encoder";

  private StudentMetrics() {}

  static void register(MetricsRegistry registry, TowerEncoder towers) {
    BatcherMetrics.register(registry, () -> Map.of(ENCODER_BATCHER, towers.batchStats()));
    registry.gauges(ADAPTER_VERSION, "Version of the adapter each tower applies (0: none, the base encoder).",
        List.of("tower"), out -> {
          for (Tower tower : Tower.values()) {
            out.add((double) towers.adapter(tower).version(), tower.label());
          }
        });
  }
}
