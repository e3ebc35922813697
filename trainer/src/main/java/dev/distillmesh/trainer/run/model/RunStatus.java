package dev.distillmesh.trainer.run.model;

import java.util.List;

/**
 * A snapshot of a run's record (the contract's {@code RunInfo}): what GetRun and ListRuns show
 * and what is checkpointed. Immutable.
 *
 * @param studentAtStart the untrained student on the held-out examples; null before it is measured
 * @param teacher the teacher on them; null before it is measured
 * @param latest the latest evaluation of the trained student; null before the first
 * @param best its best evaluation; null before the first
 * @param message why the run failed or what it is waiting for
 * @param resumed times the run resumed from a checkpoint after the trainer restarted
 */
public record RunStatus(String runId, RunSpec spec, RunState state, long step, long maxSteps,
    Evaluation studentAtStart, Evaluation teacher, Evaluation latest, Evaluation best, List<Publish> publishes,
    String message, long startedAtUnixMs, double pairsPerSecond, double stepsPerSecond, int resumed,
    long generatedResponses) {
  public RunStatus {
    publishes = List.copyOf(publishes);
  }
}
