package dev.distillmesh.trainer.learn;

/**
 * The loss every objective reduces to, for one question over its candidate passages:
 *
 * <pre>
 *   s_j   = scale · (A·e_q)·p_j                     student logits: the served score, scaled
 *   P_S   = softmax(s)
 *   L     = w_kd · Σ_j −P_T(j) log P_S(j)  +  w_ce · −log P_S(gold)
 * </pre>
 *
 * with {@code P_T} the teacher's distribution over the same candidates (already at the teacher's
 * temperature). KD as cross-entropy has the gradient of KL(P_T || P_S):
 *
 * <pre>
 *   ∂L/∂s_j = w_kd (P_S(j) − P_T(j)) + w_ce (P_S(j) − [j = gold])
 *   g_u     = scale · Σ_j ∂L/∂s_j · p_j              (u = A·e_q)
 *   ∂L/∂A   = g_u ⊗ e_q
 *   ∂L/∂p_j = scale · ∂L/∂s_j · u                   (for a trained response adapter B, p_j = B·e_j
 *                                                   and ∂L/∂B = Σ_j ∂L/∂p_j ⊗ e_j, summed by the
 *                                                   caller over each distinct candidate)
 * </pre>
 *
 * The score is the inner product the student serves, not a cosine: {@code |A·e_q|} is free to act
 * as the student's own inverse temperature. (With a cosine, a teacher broader than the student
 * can only be matched by turning every query toward the passages' common direction, and the
 * query embeddings collapse: conicity climbs and held-out recall falls.)
 *
 * Proven by a finite-difference check in the tests. Stateless.
 */
public final class ListwiseLoss {
  /** The loss's two terms for one question. */
  public record Terms(double kd, double ce) {
    public double total() {
      return kd + ce;
    }
  }

  private ListwiseLoss() {}

  /**
   * Adds this question's gradient to {@code grad} and returns its loss terms.
   *
   * @param query the base (un-adapted) embedding of the question
   * @param candidates the candidates' served embeddings, unit length
   * @param teacher P_T over the candidates (sums to 1), or null when w_kd is 0
   * @param gold index of the gold candidate, or -1 (then w_ce must be 0)
   * @param candidateGrad where to add ∂L/∂p_j for each candidate (row j), or null when the
   *     response side is frozen
   */
  public static Terms accumulate(QueryAdapter adapter, float[] query, float[][] candidates, double[] teacher,
      int gold, double scale, double wKd, double wCe, double[] grad, double[][] candidateGrad) {
    int dim = adapter.dim();
    double[] u = adapter.apply(query);
    int n = candidates.length;
    double[] logits = new double[n];
    for (int j = 0; j < n; j++) {
      logits[j] = scale * dot(u, candidates[j]);
    }
    double[] p = Distributions.softmax(logits, 1);
    double kd = 0;
    double ce = 0;
    double[] ds = new double[n];
    for (int j = 0; j < n; j++) {
      double logP = Math.log(Math.max(p[j], 1e-300));
      if (wKd != 0) {
        kd -= wKd * teacher[j] * logP;
        ds[j] += wKd * (p[j] - teacher[j]);
      }
      if (wCe != 0) {
        ds[j] += wCe * (p[j] - (j == gold ? 1 : 0));
      }
    }
    if (wCe != 0) {
      ce = -wCe * Math.log(Math.max(p[gold], 1e-300));
    }
    double[] gu = new double[dim];
    for (int j = 0; j < n; j++) {
      double w = scale * ds[j];
      if (w == 0) {
        continue;
      }
      float[] c = candidates[j];
      for (int i = 0; i < dim; i++) {
        gu[i] += w * c[i];
      }
      if (candidateGrad != null) {
        double[] gp = candidateGrad[j];
        for (int i = 0; i < dim; i++) {
          gp[i] += w * u[i];
        }
      }
    }
    QueryAdapter.addOuter(gu, query, grad);
    return new Terms(kd, ce);
  }

  /** {@code a·b}. */
  public static double dot(double[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
