package dev.distillmesh.trainer.run.model;

/**
 * A run's hyperparameters as they were asked for (the contract's {@code Hyperparameters}): 0 means
 * the default, and nothing is checked yet; {@link Hyper#of} applies the defaults and the ranges.
 * Unsigned contract fields are carried in their two's-complement bits. Immutable.
 *
 * @param negativeMass null when unset
 */
public record HyperSettings(double learningRate, double teacherTemperature, double studentScale, double alpha,
    int topK, int negatives, NegativeMass negativeMass, int batchSize, double identityWeight, long maxSteps,
    int epochs, int evalEvery, double tau1, double tau2, long seed, int generatedPerContext, int generateMinLength,
    int candidates, int efSearch) {

  /** Every field at its default. */
  public static final HyperSettings DEFAULTS = new HyperSettings(0, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** G2R: whether the teacher scores the random negatives, or their teacher mass is taken as 0. */
  public enum NegativeMass {
    SCORED,
    ZERO
  }
}
