package dev.distillmesh.index.faiss;

import java.util.Arrays;

/**
 * Exact brute-force nearest-neighbour search in plain Java: the reference the FAISS binding is
 * checked against. Deliberately simple — every score is computed in double precision, and the
 * top k are kept in a sorted array by insertion — so that it is obviously correct.
 *
 * <p>Scores follow FAISS's conventions: the inner product for {@link Metric#INNER_PRODUCT} (larger
 * is better) and the <em>squared</em> Euclidean distance for {@link Metric#L2} (smaller is
 * better). Equal scores are ordered by the lower slot. When fewer than k vectors exist the
 * remaining entries have slot -1 and score NaN.
 *
 * <p>Not thread-safe: the test that owns an instance uses it from one thread.
 */
final class ExactInnerProductIndex {
  private final int dimension;
  private final Metric metric;
  private float[] vectors = new float[0];
  private int size;

  ExactInnerProductIndex(int dimension, Metric metric) {
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be > 0");
    }
    this.dimension = dimension;
    this.metric = metric;
  }

  int size() {
    return size;
  }

  /** Appends {@code flat.length / dimension} vectors; returns the slot of the first. */
  int add(float[] flat) {
    if (flat.length % dimension != 0) {
      throw new IllegalArgumentException(
          "length " + flat.length + " not a multiple of " + dimension);
    }
    int first = size;
    vectors = Arrays.copyOf(vectors, vectors.length + flat.length);
    System.arraycopy(flat, 0, vectors, first * dimension, flat.length);
    size += flat.length / dimension;
    return first;
  }

  /** The exact score of stored vector {@code slot} against row {@code row} of {@code queries}. */
  double score(float[] queries, int row, int slot) {
    double sum = 0;
    for (int i = 0; i < dimension; i++) {
      double q = queries[row * dimension + i];
      double v = vectors[slot * dimension + i];
      if (metric == Metric.L2) {
        sum += (q - v) * (q - v);
      } else {
        sum += q * v;
      }
    }
    return sum;
  }

  /** Searches every row of {@code queries}; the layout matches {@link FaissIndex#search}. */
  FaissIndex.Neighbors search(float[] queries, int k) {
    int n = queries.length / dimension;
    float[] scores = new float[n * k];
    long[] slots = new long[n * k];
    for (int q = 0; q < n; q++) {
      double[] bestScores = new double[k];
      int[] bestSlots = new int[k];
      int found = 0;
      for (int slot = 0; slot < size; slot++) {
        double s = score(queries, q, slot);
        // Position where this candidate belongs; a later slot never passes an equal score, so
        // ties stay ordered by slot.
        int pos = found;
        while (pos > 0 && isBetter(s, bestScores[pos - 1])) {
          pos--;
        }
        if (pos >= k) {
          continue;
        }
        int last = Math.min(found, k - 1);
        System.arraycopy(bestScores, pos, bestScores, pos + 1, last - pos);
        System.arraycopy(bestSlots, pos, bestSlots, pos + 1, last - pos);
        bestScores[pos] = s;
        bestSlots[pos] = slot;
        found = Math.min(found + 1, k);
      }
      for (int r = 0; r < k; r++) {
        scores[q * k + r] = r < found ? (float) bestScores[r] : Float.NaN;
        slots[q * k + r] = r < found ? bestSlots[r] : -1;
      }
    }
    return new FaissIndex.Neighbors(n, k, scores, slots);
  }

  /** True when score {@code a} is strictly better than {@code b} under this metric. */
  boolean isBetter(double a, double b) {
    return metric.higherIsBetter() ? a > b : a < b;
  }
}
