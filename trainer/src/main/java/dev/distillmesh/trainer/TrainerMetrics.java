package dev.distillmesh.trainer;

import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.common.metrics.Samples;
import dev.distillmesh.trainer.run.RunManager;
import dev.distillmesh.trainer.run.model.RunState;
import dev.distillmesh.trainer.run.model.RunStatus;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The trainer's own metrics, read at each scrape: runs by state, and the training run's progress
 * labelled with its id (absent while no run trains).
 */
final class TrainerMetrics {
  static final String RUNS = "distillmesh_trainer_runs";
  static final String STEP = "distillmesh_trainer_run_step";
  static final String MAX_STEPS = "distillmesh_trainer_run_max_steps";
  static final String LOSS = "distillmesh_trainer_run_loss";
  static final String PAIRS_PER_SECOND = "distillmesh_trainer_run_pairs_per_second";
  static final String HELDOUT_R_AT_1 = "distillmesh_trainer_run_heldout_r_at_1";

  private TrainerMetrics() {}

  static void register(MetricsRegistry registry, RunManager runs) {
    registry.gauges(RUNS, "Runs the trainer knows, by state.", List.of("state"), out -> {
      Map<RunState, Integer> byState = new EnumMap<>(RunState.class);
      for (RunStatus info : runs.list()) {
        byState.merge(info.state(), 1, Integer::sum);
      }
      byState.forEach((state, n) -> out.add((double) n, state.name()));
    });
    training(registry, runs, STEP, "Training steps the run has taken.", t -> t.info().step());
    training(registry, runs, MAX_STEPS, "Training steps the run will take.", t -> t.info().maxSteps());
    training(registry, runs, LOSS, "Mean training loss over the latest progress interval.",
        t -> t.progress() == null ? Double.NaN : t.progress().loss());
    training(registry, runs, PAIRS_PER_SECOND, "Training pairs per second over the latest progress interval.",
        t -> t.info().pairsPerSecond());
    training(registry, runs, HELDOUT_R_AT_1, "Held-out R@1 (Hits@1/K for dialogue runs) at the latest evaluation.",
        t -> t.info().latest() != null ? t.info().latest().rAt1() : Double.NaN);
  }

  private static void training(MetricsRegistry registry, RunManager runs, String name, String help,
      ToDoubleFunction<RunManager.Training> value) {
    Samples<Double> samples = out -> {
      RunManager.Training t = runs.training();
      if (t != null) {
        out.add(value.applyAsDouble(t), t.info().runId());
      }
    };
    registry.gauges(name, help, List.of("run"), samples);
  }
}
