package dev.distillmesh.bench.data;

import java.util.Objects;

/**
 * Base vectors and query vectors of one benchmark dataset, all of the same dimension and all unit
 * length (inner product = cosine). Rows are owned by the dataset; systems may keep references to
 * them but must not modify them.
 *
 * @param name short label printed in the results table
 * @param base the vectors that are indexed; row {@code i} has id {@code i}
 * @param queries the vectors that are searched for
 */
public record Dataset(String name, float[][] base, float[][] queries) {
  public Dataset {
    Objects.requireNonNull(name, "name");
    if (base.length == 0 || queries.length == 0) {
      throw new IllegalArgumentException(name + ": empty base or query set");
    }
    int dim = base[0].length;
    for (float[] row : base) {
      requireDim(name, row, dim);
    }
    for (float[] row : queries) {
      requireDim(name, row, dim);
    }
  }

  public int dimension() {
    return base[0].length;
  }

  public int size() {
    return base.length;
  }

  /** Rows {@code [from, to)} of {@code rows} concatenated, the layout FAISS takes. */
  public static float[] flatten(float[][] rows, int from, int to) {
    int dim = rows[from].length;
    float[] flat = new float[(to - from) * dim];
    for (int i = from; i < to; i++) {
      System.arraycopy(rows[i], 0, flat, (i - from) * dim, dim);
    }
    return flat;
  }

  /** Scales {@code v} to unit length in place (no-op for the zero vector); returns it. */
  public static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum > 0) {
      float inv = (float) (1.0 / Math.sqrt(sum));
      for (int i = 0; i < v.length; i++) {
        v[i] *= inv;
      }
    }
    return v;
  }

  private static void requireDim(String name, float[] row, int dim) {
    if (row.length != dim) {
      throw new IllegalArgumentException(
          name + ": rows of dimension " + row.length + " and " + dim);
    }
  }
}
