package dev.distillmesh.index.store;

import static dev.distillmesh.index.store.TestStores.D;
import static dev.distillmesh.index.store.TestStores.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproject over real FAISS and real files: every record served as B·base from its stored base
 * vector, the projection kept with its generation through a crash and a restart, the swap atomic
 * (searches answer from the old generation while writes are refused), and every bad request
 * refused with its status, changing nothing.
 */
class ReprojectStoreTest {
  @TempDir Path dir;
  @RegisterExtension final TestStores stores = new TestStores();

  private CollectionStore open() throws IOException {
    return stores.open(dir, OPTIONS);
  }

  @Test
  void aReprojectionServesBTimesBaseAndTheProjectionSurvivesACrashAndARestart() throws IOException {
    CollectionStore first = open();
    Collection c = first.create(BaseVectors.config("docs", D, "HNSW16,Flat"));
    assertEquals(0, c.projection().projection().version());
    assertArrayEquals(new Projection(null, 0, "", 0).matrixOf(D), c.projection().matrix());
    List<RecordInput> before = BaseVectors.records("a", 200, D, 31);
    TestVectors.upsertInBatches(c, before, 40);
    float[] b = BaseVectors.matrix(D, 2.0, 32);
    long start = System.currentTimeMillis();
    CollectionInfo info = c.reproject(D, D, b, 3, "run 7", c.info().lastSequence());
    assertEquals(2, info.generation());
    assertEquals(200, info.liveCount());
    assertEquals(3, info.config().projection().version());
    assertEquals("run 7", info.config().projection().description());
    assertTrue(info.config().projection().projectedAtMillis() >= start);
    assertFalse(info.rebuilding());
    assertArrayEquals(b, c.projection().matrix());
    assertEquals(2, c.projection().generation());
    BaseVectors.assertServed(c, before, b);
    List<RecordInput> after = BaseVectors.records("b", 60, D, 33);
    c.upsert(after); // projected with B: the generation's matrix, whoever writes
    BaseVectors.assertServed(c, after, b);
    assertFalse(Files.exists(dir.resolve("collections/docs/gen-00000001")), "the old generation is gone");
    assertTrue(Files.exists(dir.resolve("collections/docs/gen-00000002/projection.bin")));

    // Crash: the new generation's log replays with its own projection.
    CollectionStore second = open();
    Collection replayed = second.get("docs");
    assertEquals(3, replayed.info().config().projection().version());
    assertEquals("run 7", replayed.info().config().projection().description());
    assertEquals(info.config().projection().projectedAtMillis(), replayed.info().config().projection().projectedAtMillis());
    assertArrayEquals(b, replayed.projection().matrix());
    BaseVectors.assertServed(replayed, before, b);
    BaseVectors.assertServed(replayed, after, b);
    stores.close(second);
    Collection restarted = open().get("docs");
    assertEquals(260, restarted.info().liveCount());
    assertArrayEquals(b, restarted.projection().matrix());
    BaseVectors.assertServed(restarted, before, b);
    BaseVectors.assertServed(restarted, after, b);

    float[] rollback = BaseVectors.matrix(D, 1.0, 34);
    restarted.reproject(D, D, rollback, 4, "rollback", 0);
    BaseVectors.assertServed(restarted, after, rollback);
    assertEquals(3, restarted.info().generation());
  }

  @Test
  void whileAReprojectionRunsSearchesAnswerFromTheOldGenerationAndWritesAreRefused() throws Exception {
    int d = 32;
    Collection c = open().create(BaseVectors.config("big", d, "HNSW16,Flat"));
    List<RecordInput> records = BaseVectors.records("r", 10_000, d, 35);
    TestVectors.upsertInBatches(c, records, 4096);
    RecordInput probe = records.get(123);
    float[] b = BaseVectors.matrix(d, 3.0, 36);
    CompletableFuture<CollectionInfo> reprojection = CompletableFuture.supplyAsync(() -> {
      try {
        return c.reproject(d, d, b, 1, "", 0);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    boolean started = false;
    while (!started && !reprojection.isDone()) {
      started = c.info().rebuilding(); // from here on, a write that goes through comes after the swap
    }
    assertTrue(started, "the reprojection was seen running");
    int answeredDuring = 0;
    int refused = 0;
    int writesAfter = 0;
    while (!reprojection.isDone()) {
      boolean before = c.info().rebuilding();
      SearchResult r = c.search(new float[][] {probe.baseVector()}, 1, 0, 0, false, true);
      boolean after = c.info().rebuilding();
      SearchHit hit = r.hits().get(0).get(0);
      assertEquals(probe.id(), hit.id());
      if (r.generation() == 1) {
        assertArrayEquals(probe.baseVector(), hit.vector(), "generation 1 serves the identity");
        answeredDuring += before && after ? 1 : 0;
      } else {
        assertEquals(2, r.generation());
        assertArrayEquals(BaseVectors.times(b, probe.baseVector()), hit.vector(), 1e-5f);
      }
      // A write is refused exactly while the reprojection runs; one that goes through came after the swap.
      try {
        c.upsert(List.of(probe));
        writesAfter++;
        assertEquals(2, c.info().generation(), "a write went through before the swap");
      } catch (DomainException e) {
        assertEquals(DomainException.Kind.FAILED_PRECONDITION, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("collection big is being reprojected; writes resume when the Reproject"
            + " call returns"), e.getMessage());
        refused++;
      }
      Thread.sleep(1); // leave the build its share of the CPU
    }
    CollectionInfo done = reprojection.get();
    assertEquals(2, done.generation());
    assertEquals(10_000, done.liveCount());
    assertEquals(1, done.config().projection().version());
    assertTrue(answeredDuring > 0 && refused > 0, "searches answered (" + answeredDuring + ") and writes were refused ("
        + refused + ") while the reprojection ran");
    assertEquals(10_000 + writesAfter, c.info().lastSequence(), "no write slipped in before the swap");
    assertEquals(1, c.delete(List.of("nobody")).notFound(), "deletes work again");
    c.startRebuild("").abort();
    BaseVectors.assertServed(c, records.subList(0, 200), b);
  }

  @Test
  void aStaleExpectedSequenceIsAbortedAndChangesNothing() throws IOException {
    Collection c = open().create(BaseVectors.config("docs", D, "Flat"));
    c.upsert(BaseVectors.records("a", 20, D, 37));
    long read = c.info().lastSequence();
    c.upsert(BaseVectors.records("b", 1, D, 38));
    float[] b = BaseVectors.matrix(D, 2.0, 39);
    DomainException stale = assertThrows(DomainException.class, () -> c.reproject(D, D, b, 1, "", read));
    assertEquals(DomainException.Kind.ABORTED, stale.kind());
    assertTrue(stale.getMessage().contains("its last_sequence is 21, the reprojection expected 20"), stale.getMessage());
    assertUnchanged(c, 1, 0);
    assertInvalid(() -> c.reproject(D, D, b, 1, "", -1), "expected_last_sequence -1 is negative");
    assertEquals(2, c.reproject(D, D, b, 1, "", 21).generation());
  }

  @Test
  void badReprojectionsAreRefusedWithTheirStatusAndChangeNothing() throws IOException {
    CollectionStore store = open();
    Collection c = store.create(BaseVectors.config("docs", D, "Flat"));
    c.upsert(BaseVectors.records("a", 30, D, 40));
    float[] good = BaseVectors.matrix(D, 1.0, 41);
    assertInvalid(() -> c.reproject(D - 1, D - 1, new float[(D - 1) * (D - 1)], 1, "", 0),
        "matrix is 15 x 15; this collection's dimension is 16, so rows and cols must both be 16");
    assertInvalid(() -> c.reproject(D, D, new float[D * D - 1], 1, "", 0), "values holds 255 floats");
    float[] nan = good.clone();
    nan[17] = Float.NaN;
    assertInvalid(() -> c.reproject(D, D, nan, 1, "", 0), "adapter value 17 (row 1, col 1) is NaN; every value must be finite");
    float[] inf = good.clone();
    inf[3] = Float.NEGATIVE_INFINITY;
    assertInvalid(() -> c.reproject(D, D, inf, 1, "", 0), "is -Infinity; every value must be finite");
    assertInvalid(() -> c.reproject(D, D, BaseVectors.matrix(D, -1.0, 41), 1, "", 0), "not positive definite");
    float[] singular = good.clone();
    Arrays2.zeroRow(singular, D, 4);
    assertInvalid(() -> c.reproject(D, D, singular, 1, "", 0), "not positive definite");
    assertInvalid(() -> c.reproject(D, D, new float[D * D], 1, "", 0), "adapter scale");
    assertInvalid(() -> c.reproject(D, D, good, 1_000_001, "", 0), "jumps more than 1000000");
    assertInvalid(() -> c.reproject(D, D, good, 1, "x".repeat(1025), 0), "1025 characters; allowed at most 1024");
    DomainException notAbove = assertThrows(DomainException.class, () -> c.reproject(D, D, good, 0, "", 0));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, notAbove.kind());
    assertTrue(notAbove.getMessage().contains("projection version 0 is not greater than the collection's current"
        + " projection_version 0"), notAbove.getMessage());
    assertUnchanged(c, 1, 0);

    float[] huge = new float[D];
    huge[0] = 9e5f;
    c.upsert(List.of(RecordInput.withBase("huge", huge, "", "")));
    assertInvalid(() -> c.reproject(D, D, BaseVectors.matrix(D, 2.0, 42), 1, "", 0),
        "record \"huge\": its projected vector's component 0 is ");
    assertUnchanged(c, 1, 0);
    assertFalse(dirHas("gen-00000002"), "the abandoned generation left no files");
    c.delete(List.of("huge"));

    c.reproject(D, D, good, 5, "", 0);
    DomainException again = assertThrows(DomainException.class, () -> c.reproject(D, D, good, 5, "", 0));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, again.kind());
    assertTrue(again.getMessage().contains("not greater than the collection's current projection_version 5"));
    assertUnchanged(c, 2, 5);

    Collection plain = store.create(TestStores.config("plain", "Flat"));
    DomainException noBase = assertThrows(DomainException.class, () -> plain.reproject(D, D, good, 1, "", 0));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, noBase.kind());
    assertTrue(noBase.getMessage().contains("collection plain was created without keep_base_vectors: it holds no base"
        + " vectors to project"), noBase.getMessage());
    assertEquals(0, plain.projection().projection().version());

    RebuildSession rebuild = c.startRebuild("");
    DomainException during = assertThrows(DomainException.class, () -> c.reproject(D, D, good, 6, "", 0));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, during.kind());
    assertTrue(during.getMessage().contains("is being rebuilt; writes resume when the Rebuild call returns"));
    rebuild.abort();
  }

  @Test
  void aDamagedOrMissingProjectionFileLeavesTheCollectionDamagedNotServedWithTheIdentity() throws IOException {
    CollectionStore first = open();
    Collection c = first.create(BaseVectors.config("docs", D, "Flat"));
    c.upsert(BaseVectors.records("a", 20, D, 45));
    c.reproject(D, D, BaseVectors.matrix(D, 2.0, 46), 1, "", 0);
    stores.close(first);
    Path projection = dir.resolve("collections/docs/gen-00000002/projection.bin");
    byte[] good = Files.readAllBytes(projection);
    FileDamage.flip(projection, 100, 1);
    DomainException damaged = assertThrows(DomainException.class, () -> open().get("docs"));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, damaged.kind());
    assertTrue(damaged.getMessage().contains("collections/docs/gen-00000002/projection.bin is damaged (checksum"
        + " mismatch)"), damaged.getMessage());
    Files.delete(projection);
    DomainException missing = assertThrows(DomainException.class, () -> open().get("docs"));
    assertTrue(missing.getMessage().contains("projection.bin is missing"), missing.getMessage());
    Files.write(projection, good);
    assertEquals(1, open().get("docs").info().config().projection().version());
  }

  private boolean dirHas(String gen) {
    return Files.exists(dir.resolve("collections/docs").resolve(gen));
  }

  private static void assertUnchanged(Collection c, long generation, long version) {
    CollectionInfo info = c.info();
    assertEquals(generation, info.generation());
    assertEquals(version, info.config().projection().version());
    assertFalse(info.rebuilding(), "no reprojection left running");
  }

  private static void assertInvalid(Executable call, String fragment) {
    BaseVectorStoreTest.assertInvalid(call, fragment);
  }

  /** Small array helpers. */
  private static final class Arrays2 {
    static void zeroRow(float[] m, int d, int row) {
      for (int c = 0; c < d; c++) {
        m[row * d + c] = 0;
      }
    }
  }
}
