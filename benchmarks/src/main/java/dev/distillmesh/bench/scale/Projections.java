package dev.distillmesh.bench.scale;

import dev.distillmesh.common.AdapterRules;
import java.util.Random;

/**
 * The matrices the benchmarks send: the identity, and a seeded non-identity I + noise that a
 * trained adapter could be (close to I, well inside {@link AdapterRules}); the reprojection part's
 * B and the rollout benchmark's adapters.
 */
public final class Projections {
  private Projections() {}

  public static float[] identity(int d) {
    float[] m = new float[d * d];
    for (int i = 0; i < d; i++) {
      m[i * d + i] = 1;
    }
    return m;
  }

  /**
   * I + {@code noise} * G / sqrt(d), G with independent standard normal entries from {@code seed}:
   * a perturbation of spectral norm about 2 * noise, so for noise below about 0.4 the symmetric
   * part stays positive definite.
   *
   * @throws dev.distillmesh.common.DomainException when the result breaks the adapter rules (too
   *     much noise), so a refused Reproject can only be the service's doing
   */
  public static float[] noisyIdentity(int d, double noise, long seed) {
    Random rnd = new Random(seed);
    float[] m = identity(d);
    double scale = noise / Math.sqrt(d);
    for (int i = 0; i < m.length; i++) {
      m[i] += (float) (scale * rnd.nextGaussian());
    }
    AdapterRules.checkMatrix(m, d);
    return m;
  }

  /** Largest |a - b| over the entries. */
  static double maxDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }
}
