package dev.distillmesh.index.faiss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.distillmesh.index.faiss.FaissIndex.Neighbors;
import dev.distillmesh.index.faiss.FaissIndex.SearchParams;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential tests: FAISS through our JNI binding against {@link ExactInnerProductIndex} on
 * seeded data. Flat must agree exactly (up to float rounding, and the order of near-equal
 * scores); HNSW and IVF must reach a recall@10 floor, and recall must not drop when the search
 * is given more effort.
 */
class FaissDifferentialTest {
  private static final int BASE = 20_000;
  private static final int QUERIES = 200;
  private static final int K = 10;
  /** Scores of unit vectors lie in [-1, 4]; FAISS computes in float, sometimes via BLAS. */
  private static final float TOLERANCE = 1e-4f;

  /**
   * A base set and a query set of unit vectors, with the recall@10 floors for HNSW at efSearch 256
   * and IVF at nprobe 16. Isotropic random data is the worst case for both (no structure to
   * exploit, worse as the dimension grows), so its floors are lower than for clustered data.
   */
  record DataSet(String name, int dimension, float[] base, float[] queries, double hnswFloor,
      double ivfFloor) {
    static DataSet random(int dimension, long seed, double hnswFloor, double ivfFloor) {
      return new DataSet("random-d" + dimension, dimension,
          TestVectors.gaussianUnit(BASE, dimension, seed),
          TestVectors.gaussianUnit(QUERIES, dimension, seed + 1), hnswFloor, ivfFloor);
    }

    /** Gaussian blobs around 50 centres. */
    static DataSet clustered(int dimension, long seed) {
      float[] centres = TestVectors.gaussianUnit(50, dimension, seed);
      return new DataSet("clustered-d" + dimension, dimension,
          TestVectors.blobs(centres, dimension, BASE, 0.6, seed + 1),
          TestVectors.blobs(centres, dimension, QUERIES, 0.6, seed + 2), 0.97, 0.97);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<DataSet> DATA_SETS = List.of(
      DataSet.random(64, 11, 0.97, 0.60), DataSet.random(384, 12, 0.70, 0.38),
      DataSet.clustered(64, 13), DataSet.clustered(384, 14));

  /** Reference indexes and their top-k answers, computed once per data set and metric. */
  private static final Map<String, ExactInnerProductIndex> EXACT = new HashMap<>();
  private static final Map<String, Neighbors> TRUTH = new HashMap<>();

  static Stream<DataSet> dataSets() {
    return DATA_SETS.stream();
  }

  /**
   * All but random-d384: building HNSW on it takes longer than the rest of this class together,
   * and isotropic 384-d data is still covered by the Flat and IVF tests.
   */
  static Stream<DataSet> hnswDataSets() {
    return DATA_SETS.stream().filter(data -> !data.name().equals("random-d384"));
  }

  static Stream<Arguments> dataSetsAndMetrics() {
    return DATA_SETS.stream().flatMap(data -> Stream.of(
        Arguments.of(data, Metric.INNER_PRODUCT), Arguments.of(data, Metric.L2)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("dataSetsAndMetrics")
  void flatAgreesWithExactReference(DataSet data, Metric metric) {
    try (FaissIndex index = filled(data, "Flat", metric)) {
      Neighbors found = index.search(data.queries(), K, SearchParams.DEFAULT);
      assertAgrees(data, metric, found, 0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hnswDataSets")
  void hnswRecallIsHighAndGrowsWithEfSearch(DataSet data) {
    try (FaissIndex index = filled(data, "HNSW32,Flat", Metric.INNER_PRODUCT)) {
      double[] recall = new double[3];
      int[] efSearch = {16, 64, 256};
      for (int i = 0; i < efSearch.length; i++) {
        recall[i] = recallAt10(data, index, new SearchParams(efSearch[i], 0, 2));
        System.out.printf("recall@10 %-14s HNSW32,Flat efSearch=%-3d %.4f%n",
            data, efSearch[i], recall[i]);
      }
      assertTrue(recall[0] <= recall[1] && recall[1] <= recall[2],
          data + ": recall fell as efSearch grew: " + Arrays.toString(recall));
      // Equal recall at 16 and 256 means the per-request efSearch was ignored.
      assertTrue(recall[0] < recall[2],
          data + ": efSearch had no effect " + Arrays.toString(recall));
      assertTrue(recall[2] >= data.hnswFloor(),
          data + ": recall@10 at efSearch 256 is " + recall[2] + " < " + data.hnswFloor());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dataSets")
  void ivfRecallIsHighAndGrowsWithNprobe(DataSet data) {
    try (FaissIndex index = FaissIndex.create(data.dimension(), "IVF64,Flat",
        Metric.INNER_PRODUCT)) {
      index.train(data.base(), 2);
      index.add(data.base(), 2);
      double[] recall = new double[4];
      int[] nprobe = {1, 4, 16, 64};
      for (int i = 0; i < nprobe.length; i++) {
        recall[i] = recallAt10(data, index, new SearchParams(0, nprobe[i], 2));
        System.out.printf("recall@10 %-14s IVF64,Flat  nprobe=%-3d  %.4f%n",
            data, nprobe[i], recall[i]);
        assertTrue(i == 0 || recall[i - 1] <= recall[i],
            data + ": recall fell as nprobe grew: " + Arrays.toString(recall));
      }
      assertTrue(recall[0] < recall[3], data + ": nprobe had no effect " + Arrays.toString(recall));
      assertTrue(recall[2] >= data.ivfFloor(),
          data + ": recall@10 at nprobe 16 is " + recall[2] + " < " + data.ivfFloor());
      // Probing every list is an exhaustive search.
      assertAgrees(data, Metric.INNER_PRODUCT,
          index.search(data.queries(), K, new SearchParams(0, 64, 2)), 0);
    }
  }

  @Test
  void batchesOfEverySizeMatchTheReference() {
    // Flat search switches from a per-query loop to BLAS at 20 queries; both paths must agree.
    DataSet data = DATA_SETS.get(0);
    int d = data.dimension();
    try (FaissIndex index = filled(data, "Flat", Metric.INNER_PRODUCT)) {
      for (int batch : new int[] {1, 7, 19, 20, 21, 64}) {
        for (int from = 0; from + batch <= QUERIES; from += batch) {
          float[] queries = TestVectors.rows(data.queries(), d, from, from + batch);
          Neighbors found = index.search(queries, K, SearchParams.DEFAULT);
          assertEquals(batch, found.queries());
          assertAgrees(data, Metric.INNER_PRODUCT, found, from);
        }
      }
    }
  }

  static Stream<Arguments> specsAndMetrics() {
    return Stream.of("Flat", "HNSW32,Flat", "IVF2,Flat").flatMap(spec -> Stream.of(
        Arguments.of(spec, Metric.INNER_PRODUCT), Arguments.of(spec, Metric.L2)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("specsAndMetrics")
  void kBeyondSizeFillsTheRestWithMinusOne(String spec, Metric metric) {
    int d = 8;
    float[] base = TestVectors.gaussianUnit(5, d, 21);
    float[] queries = TestVectors.gaussianUnit(3, d, 22);
    ExactInnerProductIndex exact = new ExactInnerProductIndex(d, metric);
    exact.add(base);
    try (FaissIndex index = FaissIndex.create(d, spec, metric)) {
      index.train(base, 1);
      index.add(base, 1);
      Neighbors found = index.search(queries, 8, new SearchParams(64, 2, 1));
      Neighbors expected = exact.search(queries, 8);
      assertArrayEquals(expected.slots(), found.slots(), "slots of " + spec);
      for (int i = 0; i < found.slots().length; i++) {
        if (found.slots()[i] >= 0) {
          assertEquals(expected.scores()[i], found.scores()[i], TOLERANCE, "score " + i);
        }
      }
    }
  }

  @Test
  void l2RanksByDistanceAndInnerProductBySimilarity() {
    // On a line: squared distances from (0.5, 0) are 6.25, 0.25, 9, 1.25, 90.25; inner products
    // are 1.5, 0.5, -1.25, 0, 5. All exact in float.
    float[] base = {3, 0, 1, 0, -2.5f, 0, 0, 1, 10, 0};
    float[] query = {0.5f, 0};
    Map<Metric, long[]> slots = Map.of(
        Metric.L2, new long[] {1, 3, 0, 2, 4}, Metric.INNER_PRODUCT, new long[] {4, 0, 1, 3, 2});
    Map<Metric, float[]> scores = Map.of(
        Metric.L2, new float[] {0.25f, 1.25f, 6.25f, 9, 90.25f},
        Metric.INNER_PRODUCT, new float[] {5, 1.5f, 0.5f, 0, -1.25f});
    for (Metric metric : Metric.values()) {
      ExactInnerProductIndex exact = new ExactInnerProductIndex(2, metric);
      exact.add(base);
      assertArrayEquals(slots.get(metric), exact.search(query, 5).slots(), "reference " + metric);
      for (String spec : new String[] {"Flat", "HNSW32,Flat"}) {
        try (FaissIndex index = FaissIndex.create(2, spec, metric)) {
          index.add(base, 1);
          Neighbors found = index.search(query, 5, SearchParams.DEFAULT);
          assertArrayEquals(slots.get(metric), found.slots(), spec + " " + metric);
          assertArrayEquals(scores.get(metric), found.scores(), 1e-6f, spec + " " + metric);
        }
      }
    }
  }

  private static FaissIndex filled(DataSet data, String spec, Metric metric) {
    FaissIndex index = FaissIndex.create(data.dimension(), spec, metric);
    assertEquals(0, index.add(data.base(), 2));
    assertEquals(BASE, index.size());
    return index;
  }

  private static ExactInnerProductIndex exact(DataSet data, Metric metric) {
    return EXACT.computeIfAbsent(data.name() + metric, key -> {
      ExactInnerProductIndex exact = new ExactInnerProductIndex(data.dimension(), metric);
      exact.add(data.base());
      return exact;
    });
  }

  private static Neighbors truth(DataSet data, Metric metric) {
    return TRUTH.computeIfAbsent(data.name() + metric,
        key -> exact(data, metric).search(data.queries(), K));
  }

  /**
   * Checks each row of {@code found} (answers to queries {@code firstQuery, firstQuery+1, ...})
   * against the exact answer: rank by rank the scores agree, and each returned slot's true score
   * is the score FAISS reported for it. So slots can differ only by swapping near-equal scores.
   */
  private static void assertAgrees(DataSet data, Metric metric, Neighbors found, int firstQuery) {
    ExactInnerProductIndex exact = exact(data, metric);
    Neighbors truth = truth(data, metric);
    for (int row = 0; row < found.queries(); row++) {
      int q = firstQuery + row;
      Set<Long> seen = new HashSet<>();
      for (int r = 0; r < K; r++) {
        long slot = found.slots()[row * K + r];
        float score = found.scores()[row * K + r];
        String where = data + " " + metric + " query " + q + " rank " + r + " slot " + slot;
        if (slot < 0 || slot >= BASE || !seen.add(slot)) {
          fail(where + ": missing, out of range or repeated");
        }
        assertEquals(truth.scores()[q * K + r], score, TOLERANCE, where + ": rank score");
        assertEquals(exact.score(data.queries(), q, (int) slot), score, TOLERANCE,
            where + ": reported score is not the slot's score");
      }
    }
  }

  private static double recallAt10(DataSet data, FaissIndex index, SearchParams params) {
    Neighbors truth = truth(data, Metric.INNER_PRODUCT);
    Neighbors found = index.search(data.queries(), K, params);
    int hits = 0;
    for (int q = 0; q < QUERIES; q++) {
      Set<Long> expected = new HashSet<>();
      for (int r = 0; r < K; r++) {
        expected.add(truth.slots()[q * K + r]);
      }
      for (int r = 0; r < K; r++) {
        hits += expected.contains(found.slots()[q * K + r]) ? 1 : 0;
      }
    }
    return hits / (double) (QUERIES * K);
  }
}
