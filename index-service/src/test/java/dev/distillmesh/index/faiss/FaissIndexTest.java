package dev.distillmesh.index.faiss;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.faiss.FaissIndex.Kind;
import dev.distillmesh.index.faiss.FaissIndex.Neighbors;
import dev.distillmesh.index.faiss.FaissIndex.SearchParams;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The contract of {@link FaissIndex}: lifecycle, argument checks, errors, persistence. */
class FaissIndexTest {
  private static final int D = 8;
  private static final float[] VECTORS = TestVectors.gaussianUnit(300, D, 5);
  private static final float[] QUERIES = TestVectors.gaussianUnit(20, D, 6);

  @TempDir Path dir;

  @Test
  void closeIsIdempotentAndEveryLaterCallThrowsIllegalState() {
    FaissIndex index = FaissIndex.create(D, "HNSW32,Flat", Metric.INNER_PRODUCT);
    index.add(VECTORS, 1);
    index.close();
    index.close();

    float[] one = TestVectors.row(VECTORS, D, 0);
    assertAll(
        closedCall("size", index::size),
        closedCall("isTrained", index::isTrained),
        closedCall("nlist", index::nlist),
        closedCall("add", () -> index.add(one, 1)),
        closedCall("train", () -> index.train(one, 1)),
        closedCall("search", () -> index.search(one, 1, SearchParams.DEFAULT)),
        closedCall("reconstruct", () -> index.reconstruct(0)),
        closedCall("reconstructRange", () -> index.reconstructRange(0, 1)),
        closedCall("write", () -> index.write(dir.resolve("closed.faiss"))),
        closedCall("setEfConstruction", () -> index.setEfConstruction(40)));
  }

  private static Executable closedCall(String name, Executable call) {
    return () -> {
      IllegalStateException e = assertThrows(IllegalStateException.class, call, name);
      assertEquals("FAISS index is closed", e.getMessage(), name);
    };
  }

  @Test
  void badFactoryStringIsAFaissExceptionCarryingFaissMessage() {
    FaissException e = assertThrows(FaissException.class,
        () -> FaissIndex.create(D, "NoSuchIndex42", Metric.L2));
    assertTrue(e.getMessage().startsWith("create index: "), e.getMessage());
    assertTrue(e.getMessage().contains("could not parse index string NoSuchIndex42"),
        e.getMessage());
  }

  @Test
  void readingAMissingFileIsAFaissException() {
    FaissException e = assertThrows(FaissException.class,
        () -> FaissIndex.read(dir.resolve("missing.faiss")));
    assertTrue(e.getMessage().startsWith("read index: "), e.getMessage());
  }

  @Test
  void wrongLengthsAndBadArgumentsAreIllegalArgument() {
    try (FaissIndex index = FaissIndex.create(D, "Flat", Metric.INNER_PRODUCT)) {
      index.add(VECTORS, 1);
      float[] one = TestVectors.row(QUERIES, D, 0);
      assertAll(
          () -> assertThrows(IllegalArgumentException.class, () -> index.add(new float[D + 1], 1)),
          () -> assertThrows(IllegalArgumentException.class, () -> index.add(new float[0], 1)),
          () -> assertThrows(IllegalArgumentException.class, () -> index.train(new float[3], 1)),
          () -> assertThrows(IllegalArgumentException.class,
              () -> index.search(new float[D - 1], 1, SearchParams.DEFAULT)),
          () -> assertThrows(IllegalArgumentException.class,
              () -> index.search(one, 0, SearchParams.DEFAULT)),
          () -> assertThrows(IllegalArgumentException.class, () -> index.reconstruct(-1)),
          () -> assertThrows(IllegalArgumentException.class, () -> index.reconstruct(300)),
          () -> assertThrows(IllegalArgumentException.class, () -> index.setEfConstruction(0)),
          () -> assertThrows(IllegalArgumentException.class,
              () -> FaissIndex.create(0, "Flat", Metric.L2)),
          () -> assertThrows(IllegalArgumentException.class, () -> new SearchParams(-1, 0, 1)),
          () -> assertThrows(IllegalArgumentException.class, () -> new SearchParams(0, -1, 1)));
      assertEquals(300, index.size(), "rejected adds must not change the index");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "Flat, INNER_PRODUCT, FLAT, 0",
      "Flat, L2, FLAT, 0",
      "'HNSW32,Flat', L2, HNSW, 0",
      "'IVF16,Flat', INNER_PRODUCT, IVF, 16",
      "PQ4, L2, OTHER, 0"})
  void kindMetricAndNlistMatchTheFactorySpec(String spec, Metric metric, Kind kind, int nlist) {
    try (FaissIndex index = FaissIndex.create(D, spec, metric)) {
      assertEquals(kind, index.kind());
      assertEquals(metric, index.metric());
      assertEquals(D, index.dimension());
      assertEquals(nlist, index.nlist());
      assertEquals(0, index.size());
    }
  }

  @Test
  void addReturnsTheFirstOfConsecutiveSlots() {
    try (FaissIndex index = FaissIndex.create(D, "Flat", Metric.L2)) {
      assertEquals(0, index.add(TestVectors.rows(VECTORS, D, 0, 3), 1));
      assertEquals(3, index.add(TestVectors.rows(VECTORS, D, 3, 5), 1));
      assertEquals(5, index.size());
      // Slot 3 is the first vector of the second batch: it is its own nearest neighbour.
      Neighbors found = index.search(TestVectors.row(VECTORS, D, 3), 1, SearchParams.DEFAULT);
      assertEquals(3, found.slots()[0]);
      assertEquals(0f, found.scores()[0], 1e-6f);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Flat", "'HNSW32,Flat'"})
  void reconstructReturnsTheStoredVector(String spec) {
    try (FaissIndex index = FaissIndex.create(D, spec, Metric.INNER_PRODUCT)) {
      index.add(VECTORS, 1);
      for (int slot : new int[] {0, 1, 150, 299}) {
        assertArrayEquals(TestVectors.row(VECTORS, D, slot), index.reconstruct(slot),
            "slot " + slot);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Flat", "'HNSW32,Flat'"})
  void reconstructRangeReturnsConsecutiveStoredVectors(String spec) {
    try (FaissIndex index = FaissIndex.create(D, spec, Metric.L2)) {
      index.add(VECTORS, 1);
      assertArrayEquals(TestVectors.rows(VECTORS, D, 0, 300), index.reconstructRange(0, 300));
      assertArrayEquals(TestVectors.rows(VECTORS, D, 17, 20), index.reconstructRange(17, 3));
      assertThrows(IllegalArgumentException.class, () -> index.reconstructRange(299, 2));
      assertThrows(IllegalArgumentException.class, () -> index.reconstructRange(-1, 1));
      assertThrows(IllegalArgumentException.class, () -> index.reconstructRange(0, 0));
    }
  }

  @Test
  void ivfRefusesToAddBeforeTraining() {
    try (FaissIndex index = FaissIndex.create(D, "IVF16,Flat", Metric.L2)) {
      assertFalse(index.isTrained());
      FaissException e = assertThrows(FaissException.class, () -> index.add(VECTORS, 1));
      assertTrue(e.getMessage().startsWith("add: "), e.getMessage());
      assertTrue(e.getMessage().contains("is_trained"), e.getMessage());
      assertEquals(0, index.size());

      index.train(VECTORS, 1);
      assertTrue(index.isTrained());
      assertEquals(0, index.add(VECTORS, 1));
      assertEquals(300, index.size());
    }
  }

  @Test
  void setEfConstructionOnANonHnswIndexIsAFaissException() {
    try (FaissIndex index = FaissIndex.create(D, "Flat", Metric.L2)) {
      FaissException e = assertThrows(FaissException.class, () -> index.setEfConstruction(80));
      assertTrue(e.getMessage().contains("not an HNSW index"), e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "Flat, INNER_PRODUCT",
      "'HNSW32,Flat', L2",
      "'HNSW32,Flat', INNER_PRODUCT",
      "'IVF16,Flat', INNER_PRODUCT",
      "'IVF16,Flat', L2"})
  void writeThenReadGivesTheSameIndexAndResults(String spec, Metric metric) {
    Path file = dir.resolve("index.faiss");
    SearchParams params = new SearchParams(32, 4, 1);
    Neighbors before;
    Kind kind;
    try (FaissIndex index = FaissIndex.create(D, spec, metric)) {
      index.train(VECTORS, 1);
      index.add(VECTORS, 1);
      before = index.search(QUERIES, 5, params);
      kind = index.kind();
      index.write(file);
    }
    try (FaissIndex index = FaissIndex.read(file)) {
      assertEquals(D, index.dimension());
      assertEquals(metric, index.metric());
      assertEquals(kind, index.kind());
      assertEquals(300, index.size());
      assertTrue(index.isTrained());
      Neighbors after = index.search(QUERIES, 5, params);
      assertArrayEquals(before.slots(), after.slots());
      assertArrayEquals(before.scores(), after.scores());
    }
  }
}
