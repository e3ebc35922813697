package dev.distillmesh.trainer.learn;

import java.util.Arrays;

/** Turning scores into distributions. */
public final class Distributions {
  private Distributions() {}

  /** softmax(scores / temperature), computed stably (the maximum is subtracted first). */
  public static double[] softmax(double[] scores, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (double s : scores) {
      max = Math.max(max, s);
    }
    double[] p = new double[scores.length];
    double sum = 0;
    for (int i = 0; i < scores.length; i++) {
      p[i] = Math.exp((scores[i] - max) / temperature);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /** softmax over float scores. */
  public static double[] softmax(float[] scores, double temperature) {
    double[] d = new double[scores.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = scores[i];
    }
    return softmax(d, temperature);
  }

  /** Indices of the {@code k} highest scores, highest first (all of them when k ≥ length). */
  public static int[] topK(float[] scores, int k) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Float.compare(scores[y], scores[x]));
    int n = Math.min(k, scores.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = order[i];
    }
    return out;
  }

  /** Indices of the {@code k} highest scores, highest first. */
  public static int[] topK(double[] scores, int k) {
    float[] f = new float[scores.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) scores[i];
    }
    return topK(f, k);
  }
}
