package dev.distillmesh.student;

import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.student.kafka.AdapterFeed;
import java.util.List;

/** Scale-out mode's rollout, as this replica sees it: caught up or not, lag, applied and skipped records. */
final class RolloutMetrics {
  static final String CAUGHT_UP = "distillmesh_student_rollout_caught_up";
  static final String LAG = "distillmesh_student_rollout_lag_records";
  static final String APPLIED = "distillmesh_student_rollout_applied_total";
  static final String SKIPPED = "distillmesh_student_rollout_skipped_total";

  private RolloutMetrics() {}

  static void register(MetricsRegistry registry, AdapterFeed feed) {
    registry.gauge(CAUGHT_UP, "1 once this replica has read the rollout topic up to its end at start (it is"
        + " NOT_SERVING before), else 0.", () -> feed.caughtUp() ? 1 : 0);
    registry.gauge(LAG, "Rollout records not yet read by this replica (-1 before it first reached the broker).",
        () -> (double) feed.lag());
    registry.counters(APPLIED, "Adapter versions this replica applied from the rollout topic.", List.of(),
        out -> out.add((double) feed.applied()));
    registry.counters(SKIPPED, "Rollout records this replica skipped, by reason: crc, schema, foreign, truncated"
        + " (unreadable), tower (not a context adapter), refused (the adapter rules or the disk refused it).",
        List.of("reason"), out -> feed.skipped().forEach((reason, n) -> out.add((double) n, reason)));
  }
}
