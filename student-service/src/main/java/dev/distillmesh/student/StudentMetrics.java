package dev.distillmesh.student;

import dev.distillmesh.common.metrics.BatcherMetrics;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.common.resilience.InFlightLimit;
import dev.distillmesh.student.adapter.AdapterStore;
import dev.distillmesh.student.query.TowerEncoder;
import java.util.List;
import java.util.Map;

/**
 * The student's own metrics, read at each scrape: the encoder batcher, the context adapter version
 * each collection is served with, and the admission of query calls (in flight, refused as
 * overloaded).
 */
final class StudentMetrics {
  static final String ADAPTER_VERSION = "distillmesh_student_adapter_version";
  static final String ENCODER_BATCHER = "encoder";
  static final String QUERIES_IN_FLIGHT = "distillmesh_student_queries_in_flight";
  static final String QUERIES_REFUSED = "distillmesh_student_queries_refused_total";

  private StudentMetrics() {}

  static void register(MetricsRegistry registry, TowerEncoder towers, AdapterStore adapters, InFlightLimit admission) {
    registry.gauge(QUERIES_IN_FLIGHT, "Answer, Respond and Encode calls being served now (at most the in-flight limit).",
        () -> admission.inFlight());
    registry.counters(QUERIES_REFUSED, "Query calls refused at once with RESOURCE_EXHAUSTED: the in-flight limit was"
        + " reached.", List.of(), out -> out.add((double) admission.rejected()));
    BatcherMetrics.register(registry, () -> Map.of(ENCODER_BATCHER, towers.batchStats()));
    registry.gauges(ADAPTER_VERSION, "Version of the context adapter each collection's queries are encoded with;"
        + " a collection without one (the identity) is not listed. Response adapters are the index's projections.",
        List.of("collection"), out -> {
          for (String collection : adapters.collections()) {
            out.add((double) adapters.current(collection).version(), collection);
          }
        });
  }
}
