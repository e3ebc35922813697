package dev.distillmesh.trainer.learn;

/**
 * Adam (Kingma and Ba) with bias correction, over one flat parameter vector, updated in place.
 * Its state (step count and both moment vectors) is what a checkpoint must keep to resume exactly.
 * Not thread-safe.
 */
public final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final double learningRate;
  private final double[] m;
  private final double[] v;
  private long t;

  public Adam(int size, double learningRate) {
    this(learningRate, new double[size], new double[size], 0);
  }

  /** Resumes from a checkpointed state (the arrays are taken over, not copied). */
  public Adam(double learningRate, double[] m, double[] v, long t) {
    if (m.length != v.length) {
      throw new IllegalArgumentException("moment vectors differ in length: " + m.length + " vs " + v.length);
    }
    this.learningRate = learningRate;
    this.m = m;
    this.v = v;
    this.t = t;
  }

  /** One update of {@code params} by {@code grad}. */
  public void step(double[] params, double[] grad) {
    t++;
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    for (int i = 0; i < params.length; i++) {
      double g = grad[i];
      m[i] = BETA1 * m[i] + (1 - BETA1) * g;
      v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
      params[i] -= learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPSILON);
    }
  }

  public double[] firstMoment() {
    return m;
  }

  public double[] secondMoment() {
    return v;
  }

  public long steps() {
    return t;
  }
}
