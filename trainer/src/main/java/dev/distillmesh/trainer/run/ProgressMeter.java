package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.run.model.Progress;
import java.util.Map;

/**
 * The loss and throughput of a run over an interval of steps, reported every {@link #EVERY} steps
 * (and at the last). Owned by the run's thread.
 */
final class ProgressMeter {
  static final int EVERY = 5;

  private long intervalStart = System.nanoTime();
  private long pairs;
  private int steps;
  private double loss;
  private double kd;
  private double ce;
  private double identity;

  /** Adds a step; returns the interval's report when it is due (then a new interval starts), else null. */
  Progress add(Adapters.StepLoss step, boolean last, long trafficTaken, long trafficDropped) {
    steps++;
    pairs += step.pairs();
    kd += step.kd();
    ce += step.ce();
    identity += step.identity();
    loss += step.total();
    if (steps < EVERY && !last) {
      return null;
    }
    double seconds = (System.nanoTime() - intervalStart) / 1e9;
    Progress p = new Progress(loss / steps, Map.of("kd", kd / steps, "ce", ce / steps, "identity", identity / steps),
        pairs / seconds, steps / seconds, trafficTaken, trafficDropped);
    intervalStart = System.nanoTime();
    pairs = 0;
    steps = 0;
    loss = kd = ce = identity = 0;
    return p;
  }
}
