package dev.distillmesh.trainer.run.model;

import java.util.Map;

/**
 * A run's loss and throughput over its latest interval of steps (the contract's {@code Progress}).
 * Immutable.
 *
 * @param terms the loss's terms, averaged over the interval: "kd", "ce", "identity"
 * @param trafficTaken TRAFFIC: queries taken from the student so far
 * @param trafficDropped TRAFFIC: queries the student dropped because the run fell behind
 */
public record Progress(double loss, Map<String, Double> terms, double pairsPerSecond, double stepsPerSecond,
    long trafficTaken, long trafficDropped) implements RunEvent.Payload {
  public Progress {
    terms = Map.copyOf(terms);
  }
}
