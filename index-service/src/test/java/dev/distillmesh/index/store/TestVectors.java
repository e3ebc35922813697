package dev.distillmesh.index.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded vectors and records for store tests. */
final class TestVectors {
  private TestVectors() {}

  static float[] unit(Random random, int d) {
    float[] v = new float[d];
    double norm = 0;
    for (int i = 0; i < d; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < d; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  /** Records "prefix-0".."prefix-(n-1)" with seeded unit vectors and text "text of <id>". */
  static List<RecordInput> records(String prefix, int n, int d, long seed) {
    Random random = new Random(seed);
    List<RecordInput> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      out.add(new RecordInput(id, unit(random, d), "text of " + id, "{\"i\":" + i + "}"));
    }
    return out;
  }

  static void upsertInBatches(Collection c, List<RecordInput> records, int batch) {
    for (int i = 0; i < records.size(); i += batch) {
      c.upsert(records.subList(i, Math.min(records.size(), i + batch)));
    }
  }
}
