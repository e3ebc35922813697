package dev.distillmesh.trainer.learn;

import dev.distillmesh.common.AdapterRules;

/**
 * A trainable tower adapter (d×d, row-major, in double precision while training): the context
 * adapter {@code A} and, when a run trains it, the response adapter {@code B}. The student serves
 * {@code (A·e_c)·(B·e_r)}, and training optimises that same inner product.
 *
 * <p>Not thread-safe: one training loop owns it.
 */
public final class QueryAdapter {
  private final int dim;
  private final double[] a;

  private QueryAdapter(int dim, double[] a) {
    this.dim = dim;
    this.a = a;
  }

  /** The identity: an untrained student is exactly the pretrained one. */
  public static QueryAdapter identity(int dim) {
    double[] a = new double[dim * dim];
    for (int i = 0; i < dim; i++) {
      a[i * dim + i] = 1;
    }
    return new QueryAdapter(dim, a);
  }

  /** An adapter over {@code values} (row-major d×d), which it takes ownership of. */
  public static QueryAdapter of(int dim, double[] values) {
    if (values.length != dim * dim) {
      throw new IllegalArgumentException("a " + dim + "x" + dim + " adapter needs " + dim * dim + " values, got "
          + values.length);
    }
    return new QueryAdapter(dim, values);
  }

  public int dim() {
    return dim;
  }

  /** The live parameters (the optimizer updates them in place). */
  public double[] values() {
    return a;
  }

  /**
   * Keeps the adapter publishable: when its symmetric part has fallen below the margin the student
   * and the index require ({@link AdapterRules#checkMatrix}: no direction of the embedding space
   * collapsed or reversed), adds the smallest {@code c·I} (found by bisection, to 1/1000 of the
   * first sufficient shift) that restores it, so training goes on from a matrix that can be
   * served. Returns {@code c}, 0 when the adapter met the rule.
   */
  public double shiftIntoRules() {
    if (AdapterRules.meetsSymmetricMargin(toFloats(), dim)) {
      return 0;
    }
    double lo = 0;
    double hi = 1e-3;
    while (!meetsWithShift(hi)) {
      lo = hi;
      hi *= 2;
      if (hi > 1e6) {
        throw new IllegalStateException("no shift c*I makes the adapter meet the adapter rules");
      }
    }
    double tolerance = hi / 1000;
    while (hi - lo > tolerance) {
      double mid = (lo + hi) / 2;
      if (meetsWithShift(mid)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    for (int i = 0; i < dim; i++) {
      a[i * dim + i] += hi;
    }
    return hi;
  }

  private boolean meetsWithShift(double c) {
    float[] m = toFloats();
    for (int i = 0; i < dim; i++) {
      m[i * dim + i] = (float) (a[i * dim + i] + c);
    }
    return AdapterRules.meetsSymmetricMargin(m, dim);
  }

  /** {@code A·e}. */
  public double[] apply(float[] e) {
    double[] u = new double[dim];
    for (int r = 0; r < dim; r++) {
      double acc = 0;
      int row = r * dim;
      for (int c = 0; c < dim; c++) {
        acc += a[row + c] * e[c];
      }
      u[r] = acc;
    }
    return u;
  }

  /** {@code A·e} in single precision, as the student applies it. */
  public float[] applyFloat(float[] e) {
    double[] u = apply(e);
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      out[i] = (float) u[i];
    }
    return out;
  }

  /** Adds {@code left ⊗ right} to the row-major matrix {@code grad}: the gradient of a linear map. */
  public static void addOuter(double[] left, float[] right, double[] grad) {
    int dim = right.length;
    for (int r = 0; r < left.length; r++) {
      double l = left[r];
      if (l == 0) {
        continue;
      }
      int row = r * dim;
      for (int c = 0; c < dim; c++) {
        grad[row + c] += l * right[c];
      }
    }
  }

  /** The matrix as the student's LoadAdapter takes it (row-major floats). */
  public float[] toFloats() {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) a[i];
    }
    return out;
  }

  /**
   * Adds {@code λ·||A − I||²} to the loss and its gradient {@code 2λ(A − I)} to {@code grad};
   * returns the loss term.
   */
  public double identityPull(double lambda, double[] grad) {
    double loss = 0;
    for (int r = 0; r < dim; r++) {
      for (int c = 0; c < dim; c++) {
        int i = r * dim + c;
        double diff = a[i] - (r == c ? 1 : 0);
        loss += diff * diff;
        grad[i] += 2 * lambda * diff;
      }
    }
    return lambda * loss;
  }
}
