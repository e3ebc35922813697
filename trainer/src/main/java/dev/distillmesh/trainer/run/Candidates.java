package dev.distillmesh.trainer.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Small operations on candidate index lists that the objectives share. Stateless. */
final class Candidates {
  private Candidates() {}

  /** 0, 1, …, n−1. */
  static int[] all(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** A seeded permutation of 0..n−1. */
  static int[] shuffled(int n, long seed) {
    List<Integer> idx = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, new Random(seed));
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  static int[] append(int[] a, int v) {
    int[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = v;
    return out;
  }

  /** {@code row[indices[i]]} for each i. */
  static float[] pick(float[] row, int[] indices) {
    float[] out = new float[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = row[indices[i]];
    }
    return out;
  }

  /** {@code vectors[indices[i]]} for each i (the same arrays, not copies). */
  static float[][] rows(float[][] vectors, int[] indices) {
    float[][] out = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      out[i] = vectors[indices[i]];
    }
    return out;
  }
}
