package dev.distillmesh.index.faiss;

import java.util.Arrays;
import java.util.Random;

/** Seeded vector sets for the FAISS tests, as row-major flat arrays of unit vectors. */
final class TestVectors {
  private TestVectors() {}

  /** {@code n} vectors with i.i.d. Gaussian components, each scaled to length 1. */
  static float[] gaussianUnit(int n, int dimension, long seed) {
    Random random = new Random(seed);
    float[] out = new float[n * dimension];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) random.nextGaussian();
    }
    normalise(out, dimension);
    return out;
  }

  /**
   * {@code n} unit vectors in Gaussian blobs: each is a centre chosen at random plus noise of
   * expected length {@code spread}, then scaled to length 1.
   */
  static float[] blobs(float[] centres, int dimension, int n, double spread, long seed) {
    Random random = new Random(seed);
    int centreCount = centres.length / dimension;
    double sigma = spread / Math.sqrt(dimension);
    float[] out = new float[n * dimension];
    for (int row = 0; row < n; row++) {
      int centre = random.nextInt(centreCount);
      for (int i = 0; i < dimension; i++) {
        out[row * dimension + i] =
            (float) (centres[centre * dimension + i] + sigma * random.nextGaussian());
      }
    }
    normalise(out, dimension);
    return out;
  }

  /** Row {@code row} of a flat array, as its own array. */
  static float[] row(float[] flat, int dimension, int row) {
    return Arrays.copyOfRange(flat, row * dimension, (row + 1) * dimension);
  }

  /** Rows {@code [from, to)} of a flat array. */
  static float[] rows(float[] flat, int dimension, int from, int to) {
    return Arrays.copyOfRange(flat, from * dimension, to * dimension);
  }

  private static void normalise(float[] flat, int dimension) {
    for (int start = 0; start < flat.length; start += dimension) {
      double sum = 0;
      for (int i = start; i < start + dimension; i++) {
        sum += (double) flat[i] * flat[i];
      }
      double inverse = 1 / Math.sqrt(sum);
      for (int i = start; i < start + dimension; i++) {
        flat[i] = (float) (flat[i] * inverse);
      }
    }
  }
}
