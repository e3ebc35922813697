package dev.distillmesh.student;

import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.student.kafka.TrafficPublisher;
import java.util.List;

/**
 * Scale-out mode's traffic, as this replica sends it: every sampled query is, at any moment,
 * exactly one of produced, dropped (by reason) or pending, so {@code sampled = produced + dropped +
 * pending}.
 */
final class TrafficMetrics {
  static final String SAMPLED = "distillmesh_student_traffic_sampled_total";
  static final String PRODUCED = "distillmesh_student_traffic_produced_total";
  static final String DROPPED = "distillmesh_student_traffic_dropped_total";
  static final String PENDING = "distillmesh_student_traffic_pending";

  private TrafficMetrics() {}

  static void register(MetricsRegistry registry, TrafficPublisher traffic) {
    registry.counters(SAMPLED, "Answered queries this replica sampled for the traffic topic.", List.of(),
        out -> out.add((double) traffic.sampled()));
    registry.counters(PRODUCED, "Sampled queries the broker acknowledged on the traffic topic (they survive this"
        + " replica's death).", List.of(), out -> out.add((double) traffic.produced()));
    registry.counters(DROPPED, "Sampled queries not sent, by reason: queue_full (the send queue was full, e.g. while"
        + " the broker was away), broker (not acknowledged in time), too_large.", List.of("reason"),
        out -> traffic.dropped().forEach((reason, n) -> out.add((double) n, reason)));
    registry.gauge(PENDING, "Sampled queries queued or sent and not yet acknowledged.", () -> (double) traffic.pending());
  }
}
