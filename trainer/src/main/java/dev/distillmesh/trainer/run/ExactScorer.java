package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.ListwiseLoss;
import dev.distillmesh.trainer.run.model.Evaluation;

/**
 * The student's score, exactly as training optimises it and the student serves it: the inner
 * product of the adapted query {@code u = A·e_q} with each candidate's served embedding. Evaluation
 * and RDR's hard-negative search both rank by it (it is {@link ListwiseLoss#dot}, written once).
 * Stateless.
 */
final class ExactScorer {
  private ExactScorer() {}

  /** {@code u·v_j} for every row j of {@code vectors}. */
  static double[] scores(double[] u, float[][] vectors) {
    double[] s = new double[vectors.length];
    for (int j = 0; j < vectors.length; j++) {
      s[j] = ListwiseLoss.dot(u, vectors[j]);
    }
    return s;
  }

  /** {@code u·v_j} for the rows {@code indices} of {@code vectors}, in that order. */
  static double[] scores(double[] u, float[][] vectors, int[] indices) {
    double[] s = new double[indices.length];
    for (int j = 0; j < indices.length; j++) {
      s[j] = ListwiseLoss.dot(u, vectors[indices[j]]);
    }
    return s;
  }

  /** The row of {@code vectors} with the highest score (the first of equals). */
  static int best(double[] u, float[][] vectors) {
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < vectors.length; j++) {
      double score = ListwiseLoss.dot(u, vectors[j]);
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    }
    return best;
  }

  /** A teacher's scores, widened for ranking. */
  static double[] widen(float[] row) {
    double[] out = new double[row.length];
    for (int j = 0; j < row.length; j++) {
      out[j] = row[j];
    }
    return out;
  }
}
