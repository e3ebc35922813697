package dev.distillmesh.index.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillmesh.index.faiss.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded base records, projection matrices and the checks the base-vector store tests share. */
final class BaseVectors {
  private BaseVectors() {}

  /** A collection that keeps base vectors. */
  static CollectionConfig config(String name, int d, String spec) {
    return new CollectionConfig(name, d, IndexSpec.parse(spec), Metric.INNER_PRODUCT, true, Projection.IDENTITY);
  }

  /** Records "prefix-i" carrying seeded unit base vectors and no served vector. */
  static List<RecordInput> records(String prefix, int n, int d, long seed) {
    Random random = new Random(seed);
    List<RecordInput> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      out.add(RecordInput.withBase(id, TestVectors.unit(random, d), "text of " + id, "{\"i\":" + i + "}"));
    }
    return out;
  }

  /**
   * A matrix the adapter rules accept: {@code scale * I} plus a seeded skew-symmetric part (so its
   * symmetric part is {@code scale * I}), row-major d x d.
   */
  static float[] matrix(int d, double scale, long seed) {
    Random random = new Random(seed);
    float[] m = new float[d * d];
    for (int r = 0; r < d; r++) {
      m[r * d + r] = (float) scale;
      for (int c = r + 1; c < d; c++) {
        float x = (float) (0.3 * random.nextGaussian() / Math.sqrt(d));
        m[r * d + c] = x;
        m[c * d + r] = -x;
      }
    }
    return m;
  }

  /** {@code m · v} in doubles: the reference the store's projection is checked against. */
  static float[] times(float[] m, float[] v) {
    int d = v.length;
    float[] out = new float[d];
    for (int r = 0; r < d; r++) {
      double s = 0;
      for (int c = 0; c < d; c++) {
        s += (double) m[r * d + c] * v[c];
      }
      out[r] = (float) s;
    }
    return out;
  }

  /**
   * Checks that every record is served as {@code m · base} (the identity when m is null) on every
   * read path: a search for its served vector finds it first, carrying both vectors; GetPayloads'
   * lookup and a listing return the same.
   */
  static void assertServed(Collection c, List<RecordInput> records, float[] m) {
    int found = 0;
    for (RecordInput r : records) {
      float[] served = m == null ? r.baseVector() : times(m, r.baseVector());
      SearchHit hit = c.search(new float[][] {served}, 1, 0, 0, true, true).hits().get(0).get(0);
      if (hit.id().equals(r.id())) {
        found++;
        assertArrayEquals(served, hit.vector(), 1e-5f, r.id());
        assertArrayEquals(r.baseVector(), hit.baseVector(), r.id());
        assertEquals(r.text(), hit.payload().text());
      }
      RecordPage.Item item = c.records(List.of(r.id()), true).get(0);
      assertArrayEquals(served, item.vector(), 1e-5f, r.id());
      assertArrayEquals(r.baseVector(), item.baseVector(), r.id());
    }
    assertEquals(records.size(), found, "records found first by their served vector");
    java.util.Map<String, RecordInput> byId = new java.util.HashMap<>();
    records.forEach(r -> byId.put(r.id(), r));
    int listed = 0;
    String token = "";
    do {
      RecordPage page = c.listRecords(token, 0, true);
      for (RecordPage.Item item : page.records()) {
        RecordInput r = byId.get(item.id());
        if (r != null) {
          assertArrayEquals(r.baseVector(), item.baseVector(), r.id());
          assertArrayEquals(m == null ? r.baseVector() : times(m, r.baseVector()), item.vector(), 1e-5f, r.id());
          listed++;
        }
      }
      token = page.nextPageToken();
    } while (!token.isEmpty());
    assertEquals(records.size(), listed, "records listed with their vectors");
  }
}
