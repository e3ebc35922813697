package dev.distillmesh.index.store;

import static dev.distillmesh.index.store.TestStores.D;
import static dev.distillmesh.index.store.TestStores.OPTIONS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * Collections that keep base vectors, over real FAISS and real files: what a record must carry,
 * and its base vector kept through the log, a crash (log replay), a snapshot and compaction.
 */
class BaseVectorStoreTest {
  @TempDir Path dir;
  @RegisterExtension final TestStores stores = new TestStores();

  private CollectionStore open() throws IOException {
    return stores.open(dir, OPTIONS);
  }

  @Test
  void baseVectorsComeBackFromTheLogAfterACrashAndFromASnapshotAfterAClose() throws IOException {
    CollectionStore first = open();
    Collection c = first.create(BaseVectors.config("docs", D, "HNSW16,Flat"));
    List<RecordInput> records = BaseVectors.records("r", 300, D, 21);
    TestVectors.upsertInBatches(c, records, 50);
    assertTrue(c.info().config().keepsBaseVectors());
    BaseVectors.assertServed(c, records, null);
    // Crash: the first store is never closed, so everything comes back from the log.
    CollectionStore second = open();
    Collection replayed = second.get("docs");
    assertEquals(300, replayed.info().liveCount());
    assertTrue(replayed.info().config().keepsBaseVectors());
    BaseVectors.assertServed(replayed, records, null);
    stores.close(second); // checkpoints: a snapshot that holds the base vectors, an empty log
    Path gen1 = dir.resolve("collections/docs/gen-00000001");
    byte[] magic = Arrays.copyOf(Files.readAllBytes(gen1.resolve("snapshot.bin")), 8);
    assertEquals("DMSNAP03", new String(magic, StandardCharsets.US_ASCII));
    assertEquals(WriteAheadLog.HEADER_BYTES, Files.size(gen1.resolve("wal.log")));
    Collection restored = open().get("docs");
    BaseVectors.assertServed(restored, records, null);
  }

  @Test
  void aSnapshotWithoutItsFaissFileIsRebuiltWithTheBaseVectors() throws IOException {
    CollectionStore first = open();
    Collection c = first.create(BaseVectors.config("docs", D, "Flat"));
    List<RecordInput> records = BaseVectors.records("r", 100, D, 22);
    c.upsert(records);
    stores.close(first);
    try (var files = Files.list(dir.resolve("collections/docs/gen-00000001"))) {
      for (Path p : files.filter(p -> p.toString().endsWith(".faiss")).toList()) {
        Files.delete(p);
      }
    }
    BaseVectors.assertServed(open().get("docs"), records, null);
  }

  @Test
  void compactionKeepsTheBaseVectors() throws IOException {
    Collection c = open().create(BaseVectors.config("docs", D, "HNSW16,Flat"));
    List<RecordInput> records = BaseVectors.records("r", 200, D, 23);
    c.upsert(records);
    c.delete(records.subList(0, 100).stream().map(RecordInput::id).toList());
    assertTrue(c.compactIfNeeded());
    assertEquals(2, c.info().generation());
    assertEquals(0, c.info().tombstoneCount());
    BaseVectors.assertServed(c, records.subList(100, 200), null);
    assertNull(c.records(List.of(records.get(0).id()), true).get(0));
  }

  @Test
  void aRecordMustCarryTheVectorItsCollectionExpects() throws IOException {
    CollectionStore store = open();
    Collection keeps = store.create(BaseVectors.config("keeps", D, "Flat"));
    Collection plain = store.create(TestStores.config("plain", "Flat"));
    float[] v = BaseVectors.records("x", 1, D, 24).get(0).baseVector();
    RecordInput good = RecordInput.withBase("a", v, "", "");
    assertInvalid(() -> keeps.upsert(List.of(good, new RecordInput("b", v, "", ""))),
        "records[1] (id \"b\") carries vector (16 values), but collection keeps keeps base vectors: send base_vector");
    assertInvalid(() -> keeps.upsert(List.of(new RecordInput("c", new float[0], "", "", null))),
        "records[0] (id \"c\") has no base_vector; collection keeps keeps base vectors");
    assertInvalid(() -> keeps.upsert(List.of(new RecordInput("d", v, "", "", v))),
        "records[0] (id \"d\") carries vector (16 values)");
    assertInvalid(() -> keeps.upsert(List.of(RecordInput.withBase("e", new float[3], "", ""))),
        "records[0].base_vector has dimension 3; this collection's dimension is 16");
    float[] nan = v.clone();
    nan[2] = Float.NaN;
    assertInvalid(() -> keeps.upsert(List.of(RecordInput.withBase("f", nan, "", ""))),
        "records[0].base_vector[2] is NaN");
    float[] huge = v.clone();
    huge[5] = 2e6f;
    assertInvalid(() -> keeps.upsert(List.of(RecordInput.withBase("g", huge, "", ""))),
        "records[0].base_vector[5] is 2000000.0; components must be within -1e6..1e6");
    assertInvalid(() -> plain.upsert(List.of(RecordInput.withBase("h", v, "", ""))),
        "records[0] (id \"h\") carries base_vector, but collection plain was created without keep_base_vectors");
    RebuildSession rebuild = keeps.startRebuild("");
    assertInvalid(() -> rebuild.add(List.of(new RecordInput("i", v, "", ""))), "records[0] (id \"i\") carries vector");
    rebuild.abort();
    assertEquals(0, keeps.info().lastSequence(), "nothing was written");
    assertEquals(0, plain.info().lastSequence());
    keeps.upsert(List.of(good));
    assertArrayEquals(v, keeps.records(List.of("a"), true).get(0).baseVector());
    assertNull(plain.records(List.of("a"), true).get(0));
  }

  @Test
  void aRebuildOfABaseCollectionKeepsItsProjection() throws IOException {
    Collection c = open().create(BaseVectors.config("docs", D, "Flat"));
    c.upsert(BaseVectors.records("old", 50, D, 25));
    float[] b = BaseVectors.matrix(D, 1.5, 26);
    c.reproject(D, D, b, 2, "first", 0);
    float[] huge = new float[D];
    huge[1] = 9e5f;
    RebuildSession refused = c.startRebuild("");
    assertInvalid(() -> refused.add(List.of(RecordInput.withBase("huge", huge, "", ""))),
        "records[0] (id \"huge\"): its projected vector's component ");
    refused.abort();
    assertInvalid(() -> c.upsert(List.of(RecordInput.withBase("huge", huge, "", ""))),
        "records[0] (id \"huge\"): its projected vector's component ");
    RebuildSession session = c.startRebuild("HNSW16,Flat");
    List<RecordInput> fresh = BaseVectors.records("new", 80, D, 27);
    session.add(fresh);
    CollectionInfo info = session.commit();
    assertEquals(3, info.generation());
    assertEquals(2, info.config().projection().version());
    assertEquals(80, info.liveCount());
    BaseVectors.assertServed(c, fresh, b);
  }

  @Test
  void aConfigWrittenBeforeBaseVectorsExistedReadsAsAPlainCollection() throws IOException {
    CollectionStore first = open();
    Collection c = first.create(TestStores.config("old", "Flat"));
    List<RecordInput> records = TestVectors.records("r", 30, D, 28);
    c.upsert(records);
    stores.close(first);
    Path config = dir.resolve("collections/old/gen-00000001/collection.properties");
    List<String> lines = Files.readAllLines(config).stream()
        .filter(l -> !l.startsWith("keep_base_vectors") && !l.startsWith("projection_version")).toList();
    Files.write(config, lines);
    Collection reopened = open().get("old");
    assertFalse(reopened.info().config().keepsBaseVectors());
    assertEquals(0, reopened.projection().projection().version());
    assertEquals(30, reopened.info().liveCount());
    assertArrayEquals(records.get(4).vector(), reopened.records(List.of("r-4"), true).get(0).vector());
    assertNull(reopened.records(List.of("r-4"), true).get(0).baseVector());
  }

  static void assertInvalid(Executable call, String fragment) {
    DomainException e = assertThrows(DomainException.class, call);
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
