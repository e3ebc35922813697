package dev.distillmesh.trainer.run;

import dev.distillmesh.common.RankMetrics;
import dev.distillmesh.trainer.run.model.Evaluation;
import java.util.List;

/** Retrieval metrics over held-out questions: R@1, R@5, MRR@10, the top-K ceiling and conicity. */
final class Metrics {
  /** The rank of a gold passage the search did not return at all. */
  static final int MISSED = Integer.MAX_VALUE;

  private Metrics() {}

  /** 1-based rank of {@code gold} among {@code scores} (ties count against it). */
  static int rank(double[] scores, int gold) {
    double g = scores[gold];
    int rank = 1;
    for (int j = 0; j < scores.length; j++) {
      if (j != gold && scores[j] >= g) {
        rank++;
      }
    }
    return rank;
  }

  /**
   * @param ranks rank of each held-out question's gold passage
   * @param queries the query embeddings the student would search with, or null (teacher)
   */
  static Evaluation evaluation(long step, int[] ranks, List<double[]> queries) {
    RankMetrics m = RankMetrics.of(ranks);
    return new Evaluation(step, m.items(), m.at1(), m.at5(), m.mrrAt10(), queries == null ? 0 : conicity(queries),
        0, 0, 0, 0, 0, 0);
  }

  /**
   * Metrics of ranks within a retrieved top {@code k} ({@link #MISSED} where the gold was not
   * retrieved), with the ceiling: the share of questions whose gold was retrieved at all.
   */
  static Evaluation withinTopK(long step, int[] ranks, int k, List<double[]> queries) {
    Evaluation e = evaluation(step, ranks, queries);
    int retrieved = 0;
    for (int r : ranks) {
      retrieved += r == MISSED ? 0 : 1;
    }
    return new Evaluation(e.step(), e.questions(), e.rAt1(), e.rAt5(), e.mrrAt10(), e.conicity(), 0, 0, k, 0, 0,
        (double) retrieved / ranks.length);
  }

  /** Mean cosine of each vector to the mean of the unit vectors (Chandrahas et al.). */
  static double conicity(List<double[]> vectors) {
    int dim = vectors.get(0).length;
    double[] mean = new double[dim];
    for (double[] v : vectors) {
      double norm = Math.sqrt(dot(v, v));
      for (int i = 0; i < dim; i++) {
        mean[i] += v[i] / norm / vectors.size();
      }
    }
    double meanNorm = Math.sqrt(dot(mean, mean));
    double sum = 0;
    for (double[] v : vectors) {
      sum += dot(v, mean) / (Math.sqrt(dot(v, v)) * meanNorm);
    }
    return sum / vectors.size();
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
