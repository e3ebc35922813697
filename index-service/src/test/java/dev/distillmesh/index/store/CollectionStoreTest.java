package dev.distillmesh.index.store;

import static dev.distillmesh.index.store.TestStores.D;
import static dev.distillmesh.index.store.TestStores.OPTIONS;
import static dev.distillmesh.index.store.TestStores.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class CollectionStoreTest {
  @TempDir Path dir;
  @RegisterExtension final TestStores stores = new TestStores();

  private CollectionStore open(StoreOptions options) throws IOException {
    return stores.open(dir, options);
  }

  private static String top1(Collection c, float[] query) {
    return c.search(new float[][] {query}, 1, 0, 0, false).hits().get(0).get(0).id();
  }

  @Test
  void writesSurviveReopenAndDeletesNeverComeBack() throws IOException {
    CollectionStore store = open(OPTIONS);
    Collection c = store.create(config("docs", "HNSW16,Flat"));
    List<RecordInput> records = TestVectors.records("r", 300, D, 1);
    TestVectors.upsertInBatches(c, records, 64);
    List<String> deleted = records.subList(0, 100).stream().map(RecordInput::id).toList();
    WriteResult del = c.delete(deleted);
    assertEquals(100, del.written() - del.notFound());

    stores.close(store);
    Collection reopened = open(OPTIONS).get("docs");
    CollectionInfo info = reopened.info();
    assertEquals(200, info.liveCount());
    assertEquals(400, info.lastSequence());
    for (RecordInput r : records.subList(100, 300)) {
      assertEquals(r.id(), top1(reopened, r.vector()));
    }
    Set<String> gone = Set.copyOf(deleted);
    for (RecordInput r : records.subList(0, 100)) {
      List<SearchHit> hits = reopened.search(new float[][] {r.vector()}, 20, 0, 0, true).hits().get(0);
      assertEquals(20, hits.size());
      assertTrue(hits.stream().noneMatch(h -> gone.contains(h.id())), "deleted id came back");
      assertEquals("text of " + hits.get(0).id(), hits.get(0).payload().text());
    }
  }

  @Test
  void replacingAnIdTombstonesItsOldVector() throws IOException {
    Collection c = open(OPTIONS).create(config("docs", "Flat"));
    List<RecordInput> a = TestVectors.records("x", 2, D, 2);
    c.upsert(List.of(a.get(0)));
    WriteResult r = c.upsert(List.of(new RecordInput("x-0", a.get(1).vector(), "new", "")));
    assertEquals(1, r.replaced());
    assertEquals(1, c.info().liveCount());
    assertEquals(1, c.info().tombstoneCount());
    List<SearchHit> hits = c.search(new float[][] {a.get(0).vector()}, 5, 0, 0, true).hits().get(0);
    assertEquals(1, hits.size());
    assertEquals("new", hits.get(0).payload().text());
  }

  @Test
  void searchReturnsKLiveResultsEvenWhenMostNeighboursAreDeleted() throws IOException {
    Collection c = open(OPTIONS).create(config("docs", "HNSW32,Flat"));
    List<RecordInput> records = TestVectors.records("r", 2000, D, 3);
    TestVectors.upsertInBatches(c, records, 500);
    float[] query = records.get(0).vector();
    // Delete the 300 nearest neighbours of the query.
    List<String> nearest = c.search(new float[][] {query}, 300, 512, 0, false).hits().get(0)
        .stream().map(SearchHit::id).toList();
    c.delete(nearest);
    List<SearchHit> hits = c.search(new float[][] {query}, 10, 0, 0, false).hits().get(0);
    assertEquals(10, hits.size());
    assertTrue(hits.stream().noneMatch(h -> nearest.contains(h.id())));
  }

  @Test
  void checkpointsFoldTheLogIntoASnapshotAndIndexFile() throws IOException {
    StoreOptions tiny = OPTIONS.withCheckpointMinBytes(4096);
    CollectionStore store = open(tiny);
    Collection c = store.create(config("docs", "HNSW16,Flat"));
    List<RecordInput> records = TestVectors.records("r", 500, D, 4);
    TestVectors.upsertInBatches(c, records, 50);
    Path gen = dir.resolve("collections/docs/gen-00000001");
    assertTrue(Files.exists(gen.resolve("snapshot.bin")));
    try (var files = Files.list(gen)) {
      assertTrue(files.anyMatch(p -> p.getFileName().toString().matches("index-\\d+\\.faiss")));
    }
    assertTrue(Files.size(gen.resolve("wal.log")) < Files.size(gen.resolve("snapshot.bin")));
    c.delete(List.of("r-7"));
    // Simulate a crash: open a second store on the same files without closing the first.
    Collection recovered = new CollectionStore(dir, tiny).get("docs");
    assertEquals(499, recovered.info().liveCount());
    for (RecordInput r : records.subList(8, 60)) {
      assertEquals(r.id(), top1(recovered, r.vector()));
    }
  }

  @Test
  void compactionDropsTombstonesAndSurvivesRestart() throws IOException {
    CollectionStore store = open(OPTIONS);
    Collection c = store.create(config("docs", "HNSW16,Flat"));
    List<RecordInput> records = TestVectors.records("r", 400, D, 5);
    TestVectors.upsertInBatches(c, records, 100);
    c.delete(records.subList(0, 150).stream().map(RecordInput::id).toList());
    assertTrue(c.compactIfNeeded());
    CollectionInfo info = c.info();
    assertEquals(2, info.generation());
    assertEquals(0, info.tombstoneCount());
    assertEquals(250, info.liveCount());
    assertFalse(Files.exists(dir.resolve("collections/docs/gen-00000001")), "old generation removed");
    c.upsert(List.of(new RecordInput("after", records.get(0).vector(), "after compaction", "")));
    stores.close(store);
    Collection reopened = open(OPTIONS).get("docs");
    assertEquals(251, reopened.info().liveCount());
    assertEquals(2, reopened.info().generation());
    assertEquals("after", top1(reopened, records.get(0).vector()));
    assertEquals("r-300", top1(reopened, records.get(300).vector()));
  }

  @Test
  void writesMadeDuringCompactionAreCaughtUpFromTheLog() throws Exception {
    CollectionStore store = open(OPTIONS);
    Collection c = store.create(config("docs", "HNSW32,Flat"));
    List<RecordInput> records = TestVectors.records("r", 6000, D, 14);
    TestVectors.upsertInBatches(c, records, 1000);
    c.delete(records.subList(0, 3000).stream().map(RecordInput::id).toList());
    List<RecordInput> during = TestVectors.records("during", 400, D, 15);
    Thread writer = new Thread(() -> {
      for (int i = 0; i < during.size(); i += 10) {
        c.upsert(during.subList(i, i + 10));
        c.delete(List.of("r-" + (3000 + i)));
      }
    });
    writer.start();
    boolean compacted = c.compactIfNeeded();
    writer.join();
    assertTrue(compacted);
    stores.close(store);
    Collection reopened = open(OPTIONS).get("docs");
    assertEquals(3000 + 400 - 40, reopened.info().liveCount());
    for (RecordInput r : during) {
      assertEquals(r.id(), top1(reopened, r.vector()));
    }
    assertTrue(reopened.payloads(List.of("r-3000", "r-3010")).stream().allMatch(p -> p == null));
  }

  @Test
  void rebuildSwapsInExactlyTheStreamedRecords() throws IOException {
    Collection c = open(OPTIONS).create(config("docs", "Flat"));
    TestVectors.upsertInBatches(c, TestVectors.records("old", 100, D, 6), 100);
    RebuildSession session = c.startRebuild("HNSW32,Flat");
    DomainException busy = assertThrows(DomainException.class,
        () -> c.upsert(TestVectors.records("x", 1, D, 7)));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, busy.kind());
    assertThrows(DomainException.class, () -> c.startRebuild(""));
    List<RecordInput> fresh = TestVectors.records("new", 150, D, 8);
    session.add(fresh.subList(0, 100));
    // The old generation still serves while the new one is being built.
    assertTrue(top1(c, fresh.get(0).vector()).startsWith("old-"));
    session.add(fresh.subList(100, 150));
    CollectionInfo info = session.commit();
    assertEquals(2, info.generation());
    assertEquals(150, info.liveCount());
    assertEquals("HNSW32,Flat", info.config().spec().factory());
    assertEquals("new-42", top1(c, fresh.get(42).vector()));
    c.upsert(TestVectors.records("x", 1, D, 7));
    assertEquals(151, c.info().liveCount());
  }

  @Test
  void abortedRebuildChangesNothing() throws IOException {
    Collection c = open(OPTIONS).create(config("docs", "Flat"));
    List<RecordInput> old = TestVectors.records("old", 50, D, 9);
    c.upsert(old);
    RebuildSession session = c.startRebuild("");
    session.add(TestVectors.records("new", 10, D, 10));
    session.abort();
    assertEquals(1, c.info().generation());
    assertEquals("old-3", top1(c, old.get(3).vector()));
    c.upsert(TestVectors.records("more", 1, D, 11));
  }

  @Test
  void ivfSearchesExactlyUntilTrainedThenTrainsAndPersists() throws IOException {
    CollectionStore store = open(OPTIONS);
    Collection c = store.create(config("docs", "IVF4,Flat")); // trains at 4 * 39 = 156 vectors
    List<RecordInput> records = TestVectors.records("r", 400, D, 12);
    c.upsert(records.subList(0, 100));
    for (RecordInput r : records.subList(0, 100)) {
      assertEquals(r.id(), top1(c, r.vector()));
    }
    c.upsert(records.subList(100, 400));
    int hitsAtTop = 0;
    for (RecordInput r : records) {
      if (r.id().equals(c.search(new float[][] {r.vector()}, 1, 0, 4, false).hits().get(0).get(0).id())) {
        hitsAtTop++;
      }
    }
    assertEquals(400, hitsAtTop, "nprobe = nlist is exact");
    stores.close(store);
    assertEquals(400, open(OPTIONS).get("docs").info().liveCount());
  }

  @Test
  void ivfTrainedOnAGivenSampleKeepsItsTrainingAcrossRestarts() throws IOException {
    CollectionStore store = open(OPTIONS);
    List<float[]> sample = TestVectors.records("s", 64, D, 16).stream().map(RecordInput::vector).toList();
    Collection c = store.create(config("docs", "IVF8,Flat"), sample);
    Path gen = dir.resolve("collections/docs/gen-00000001");
    assertTrue(Files.exists(gen.resolve("index-0.faiss")), "the trained, empty index is persisted");
    List<RecordInput> records = TestVectors.records("r", 40, D, 17); // fewer than 8 * 39
    c.upsert(records);
    stores.close(store);
    CollectionStore s2 = open(OPTIONS);
    Collection reopened = s2.get("docs");
    for (RecordInput r : records) {
      assertEquals(r.id(), reopened.search(new float[][] {r.vector()}, 1, 0, 8, false).hits().get(0).get(0).id());
    }

    DomainException notIvf = assertThrows(DomainException.class,
        () -> s2.create(config("flat", "Flat"), sample));
    assertTrue(notIvf.getMessage().contains("IVF indexes only"), notIvf.getMessage());
    DomainException tooFew = assertThrows(DomainException.class,
        () -> s2.create(config("ivf", "IVF8,Flat"), sample.subList(0, 7)));
    assertTrue(tooFew.getMessage().contains("at least nlist = 8"), tooFew.getMessage());
    DomainException badDim = assertThrows(DomainException.class,
        () -> s2.create(config("ivf", "IVF8,Flat"), List.of(new float[D + 1], new float[D], new float[D],
            new float[D], new float[D], new float[D], new float[D], new float[D])));
    assertTrue(badDim.getMessage().contains("training_sample[0]"), badDim.getMessage());
    assertThrows(DomainException.class, () -> s2.get("ivf"), "a rejected create leaves nothing behind");
  }

  @Test
  void l2CollectionsRankByDistance() throws IOException {
    Collection c = open(OPTIONS).create(new CollectionConfig("l2", 2, IndexSpec.parse("Flat"), Metric.L2));
    c.upsert(List.of(new RecordInput("near", new float[] {1, 1}, "", ""),
        new RecordInput("far", new float[] {5, 5}, "", "")));
    List<SearchHit> hits = c.search(new float[][] {{0, 0}}, 2, 0, 0, false).hits().get(0);
    assertEquals(List.of("near", "far"), hits.stream().map(SearchHit::id).collect(Collectors.toList()));
    assertEquals(2f, hits.get(0).score(), 1e-6);
  }

  @Test
  void dropRemovesFilesAndTheNameCanBeReused() throws IOException {
    CollectionStore store = open(OPTIONS);
    store.create(config("docs", "Flat")).upsert(TestVectors.records("r", 5, D, 13));
    store.drop("docs");
    assertFalse(Files.exists(dir.resolve("collections/docs")));
    DomainException e = assertThrows(DomainException.class, () -> store.get("docs"));
    assertEquals(DomainException.Kind.NOT_FOUND, e.kind());
    assertEquals(0, store.create(config("docs", "Flat")).info().liveCount());
    DomainException dup = assertThrows(DomainException.class, () -> store.create(config("docs", "Flat")));
    assertEquals(DomainException.Kind.ALREADY_EXISTS, dup.kind());
  }
}
