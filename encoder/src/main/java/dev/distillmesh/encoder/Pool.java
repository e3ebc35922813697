package dev.distillmesh.encoder;

import java.nio.FloatBuffer;

/** Pooling of a [batch, seq, dim] hidden-state tensor into [batch, dim], and L2 normalisation. */
final class Pool {
  private Pool() {}

  static float[][] pool(Pooling pooling, FloatBuffer hidden, long[] mask, int batch, int seq, int dim) {
    float[][] out = new float[batch][dim];
    for (int b = 0; b < batch; b++) {
      float[] acc = out[b];
      if (pooling == Pooling.CLS) {
        hidden.get((b * seq) * dim, acc);
        continue;
      }
      int tokens = 0;
      for (int t = 0; t < seq; t++) {
        if (mask[b * seq + t] == 0) {
          continue;
        }
        tokens++;
        int base = (b * seq + t) * dim;
        for (int d = 0; d < dim; d++) {
          acc[d] += hidden.get(base + d);
        }
      }
      for (int d = 0; d < dim && tokens > 0; d++) {
        acc[d] /= tokens;
      }
    }
    return out;
  }

  /** Scales {@code v} to unit length in place; a zero vector stays zero. */
  static void normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      return;
    }
    float inv = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
  }
}
