package dev.distillmesh.trainer.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written gradients against central finite differences of the loss, for every
 * combination of terms the objectives use; and Adam's behaviour and resumability.
 */
class GradientCheckTest {
  private static final int DIM = 7;
  private static final double H = 1e-6;

  private static float[] unit(Random rnd) {
    float[] v = new float[DIM];
    double n = 0;
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
      n += v[i] * v[i];
    }
    for (int i = 0; i < DIM; i++) {
      v[i] /= (float) Math.sqrt(n);
    }
    return v;
  }

  private static QueryAdapter perturbedIdentity(Random rnd) {
    QueryAdapter a = QueryAdapter.identity(DIM);
    for (int i = 0; i < a.values().length; i++) {
      a.values()[i] += 0.3 * rnd.nextGaussian();
    }
    return a;
  }

  private static double loss(QueryAdapter a, float[] q, float[][] c, double[] teacher, int gold, double scale,
      double wKd, double wCe, double lambda) {
    double[] scratch = new double[DIM * DIM];
    return ListwiseLoss.accumulate(a, q, c, teacher, gold, scale, wKd, wCe, scratch, null).total()
        + a.identityPull(lambda, scratch);
  }

  private static void check(double wKd, double wCe, double lambda, long seed) {
    Random rnd = new Random(seed);
    QueryAdapter a = perturbedIdentity(rnd);
    float[] q = unit(rnd);
    float[][] c = new float[6][];
    for (int j = 0; j < c.length; j++) {
      c[j] = unit(rnd);
    }
    double[] raw = new double[c.length];
    for (int j = 0; j < raw.length; j++) {
      raw[j] = rnd.nextGaussian();
    }
    double[] teacher = Distributions.softmax(raw, 0.5);
    int gold = 2;
    double scale = 20;

    double[] grad = new double[DIM * DIM];
    ListwiseLoss.accumulate(a, q, c, teacher, gold, scale, wKd, wCe, grad, null);
    a.identityPull(lambda, grad);

    double worst = 0;
    for (int i = 0; i < grad.length; i++) {
      double keep = a.values()[i];
      a.values()[i] = keep + H;
      double up = loss(a, q, c, teacher, gold, scale, wKd, wCe, lambda);
      a.values()[i] = keep - H;
      double down = loss(a, q, c, teacher, gold, scale, wKd, wCe, lambda);
      a.values()[i] = keep;
      double numeric = (up - down) / (2 * H);
      double relative = Math.abs(numeric - grad[i]) / Math.max(1e-4, Math.abs(numeric) + Math.abs(grad[i]));
      worst = Math.max(worst, relative);
    }
    assertTrue(worst < 1e-5, "worst relative gradient error " + worst + " (kd " + wKd + ", ce " + wCe
        + ", identity " + lambda + ")");
  }

  @Test
  void knowledgeDistillationGradientMatchesFiniteDifferences() {
    check(1, 0, 0, 1);
  }

  @Test
  void crossEntropyGradientMatchesFiniteDifferences() {
    check(0, 1, 0, 2);
  }

  @Test
  void mixedLossWithIdentityPullMatchesFiniteDifferences() {
    check(0.5, 0.5, 0.01, 3);
    check(1, 0.3, 0.1, 4);
  }

  /**
   * ∂L/∂p_j, what a trained response adapter's gradient is built from. The step is a power of
   * two, so p_j ± h is exact in the float candidates the loss reads.
   */
  @Test
  void candidateGradientMatchesFiniteDifferences() {
    Random rnd = new Random(6);
    QueryAdapter a = perturbedIdentity(rnd);
    float[] q = unit(rnd);
    float[][] c = new float[5][];
    for (int j = 0; j < c.length; j++) {
      c[j] = unit(rnd);
    }
    double[] teacher = Distributions.softmax(new double[] {0.3, -1, 2, 0.1, 0.5}, 0.7);
    double scale = 5;
    double[][] candidateGrad = new double[c.length][DIM];
    ListwiseLoss.accumulate(a, q, c, teacher, 1, scale, 0.6, 0.4, new double[DIM * DIM], candidateGrad);
    float h = 0x1.0p-12f;
    double worst = 0;
    for (int j = 0; j < c.length; j++) {
      for (int i = 0; i < DIM; i++) {
        float keep = c[j][i];
        c[j][i] = keep + h;
        double up = ListwiseLoss.accumulate(a, q, c, teacher, 1, scale, 0.6, 0.4, new double[DIM * DIM], null).total();
        c[j][i] = keep - h;
        double down = ListwiseLoss.accumulate(a, q, c, teacher, 1, scale, 0.6, 0.4, new double[DIM * DIM], null).total();
        c[j][i] = keep;
        double numeric = (up - down) / (2 * h);
        double analytic = candidateGrad[j][i];
        worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(1e-4, Math.abs(numeric) + Math.abs(analytic)));
      }
    }
    assertTrue(worst < 1e-4, "worst relative candidate-gradient error " + worst);
  }

  @Test
  void responseAdapterGradientIsTheOuterProductOfCandidateGradientsAndBaseEmbeddings() {
    // p = B·e, so ∂L/∂B[r][c] = Σ_j ∂L/∂p_j[r] · e_j[c]; checked here on B = I + ε at one entry.
    Random rnd = new Random(7);
    float[] e = unit(rnd);
    double[] gp = new double[DIM];
    for (int i = 0; i < DIM; i++) {
      gp[i] = rnd.nextGaussian();
    }
    double[] grad = new double[DIM * DIM];
    QueryAdapter.addOuter(gp, e, grad);
    for (int r = 0; r < DIM; r++) {
      for (int col = 0; col < DIM; col++) {
        assertEquals(gp[r] * e[col], grad[r * DIM + col], 1e-12);
      }
    }
  }

  @Test
  void kdLossIsTheTeachersCrossEntropyAndZeroGradientAtTheTeacher() {
    // A student whose distribution equals the teacher's has a zero KD gradient.
    Random rnd = new Random(5);
    QueryAdapter a = QueryAdapter.identity(DIM);
    float[] q = unit(rnd);
    float[][] c = {unit(rnd), unit(rnd), unit(rnd)};
    double[] logits = new double[3];
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < DIM; i++) {
        logits[j] += 10.0 * q[i] * c[j][i];
      }
    }
    double[] teacher = Distributions.softmax(logits, 1);
    double[] grad = new double[DIM * DIM];
    ListwiseLoss.Terms t = ListwiseLoss.accumulate(a, q, c, teacher, -1, 10, 1, 0, grad, null);
    double entropy = 0;
    for (double p : teacher) {
      entropy -= p * Math.log(p);
    }
    assertEquals(entropy, t.kd(), 1e-6, "cross-entropy of a distribution with itself is its entropy");
    for (double g : grad) {
      assertEquals(0, g, 1e-6);
    }
  }

  @Test
  void adamDescendsAndResumesExactlyFromItsState() {
    double[] x = {3, -2};
    Adam adam = new Adam(2, 0.1);
    for (int i = 0; i < 500; i++) {
      adam.step(x, new double[] {2 * x[0], 2 * x[1]});
    }
    assertEquals(0, x[0], 0.05);
    assertEquals(0, x[1], 0.05);

    double[] straight = {1, 1};
    Adam one = new Adam(2, 0.05);
    double[] resumedParams = {1, 1};
    Adam first = new Adam(2, 0.05);
    for (int i = 0; i < 10; i++) {
      one.step(straight, new double[] {straight[0] - 4, 3 * straight[1]});
      first.step(resumedParams, new double[] {resumedParams[0] - 4, 3 * resumedParams[1]});
    }
    Adam resumed = new Adam(0.05, first.firstMoment().clone(), first.secondMoment().clone(), first.steps());
    for (int i = 0; i < 10; i++) {
      one.step(straight, new double[] {straight[0] - 4, 3 * straight[1]});
      resumed.step(resumedParams, new double[] {resumedParams[0] - 4, 3 * resumedParams[1]});
    }
    assertArrayEquals(straight, resumedParams, 0);
  }
}
