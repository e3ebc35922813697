package dev.distillmesh.index.store;

import static dev.distillmesh.index.store.TestStores.D;
import static dev.distillmesh.index.store.TestStores.OPTIONS;
import static dev.distillmesh.index.store.TestStores.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery from damaged files: each test writes acknowledged data, stops the store (abandoning it
 * without a checkpoint, as a crash would, or closing it), damages real files, opens the data
 * directory again and counts what is served.
 */
class StoreRecoveryTest {
  @TempDir Path dir;
  @RegisterExtension final TestStores stores = new TestStores();

  private CollectionStore open() throws IOException {
    return stores.open(dir, OPTIONS);
  }

  private Path collectionDir(String name) {
    return dir.resolve("collections").resolve(name);
  }

  private Path gen1(String name) {
    return collectionDir(name).resolve("gen-00000001");
  }

  /** Records that search for their own vector and find themselves first, out of {@code records}. */
  private static int selfHits(Collection c, List<RecordInput> records) {
    int hits = 0;
    for (RecordInput r : records) {
      if (r.id().equals(c.search(new float[][] {r.vector()}, 1, 0, 0, false).hits().get(0).get(0).id())) {
        hits++;
      }
    }
    return hits;
  }

  @Test
  void aFlippedByteInTheMiddleOfTheLogRefusesTheCollectionAndRepairKeepsEveryOtherWrite() throws IOException {
    CollectionStore first = open();
    Collection docs = first.create(config("docs", "HNSW16,Flat"));
    Collection other = first.create(config("other", "Flat"));
    List<RecordInput> records = TestVectors.records("r", 2000, D, 7);
    TestVectors.upsertInBatches(docs, records, 4); // 2,000 acknowledged writes in 500 batches
    other.upsert(TestVectors.records("o", 50, D, 8));
    // Crash: the first store is never closed, so its log is not folded into a snapshot.
    Path wal = gen1("docs").resolve("wal.log");
    long damagedEntry = FileDamage.logEntryOffset(wal, 999);
    FileDamage.flip(wal, damagedEntry + 30, 1);
    byte[] damaged = Files.readAllBytes(wal);

    CollectionStore second = open();
    DomainException refused = assertThrows(DomainException.class, () -> second.get("docs"));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, refused.kind());
    assertTrue(refused.getMessage().contains("collections/docs/gen-00000001/wal.log")
        && refused.getMessage().contains("byte offset " + damagedEntry)
        && refused.getMessage().contains("index-cli.sh repair"), refused.getMessage());
    assertFalse(refused.getMessage().contains(dir.toString()), "no server path in a client's message");
    assertEquals(List.of("docs"), List.copyOf(second.damaged().keySet()));
    assertEquals(50, second.get("other").info().liveCount(), "the other collection serves");
    assertArrayEquals(damaged, Files.readAllBytes(wal), "the damaged log is left as it was");
    stores.close(second);

    Repair.Report report = Repair.run(dir, "docs", false);
    assertTrue(report.repaired(), String.join("\n", report.lines()));
    String text = String.join("\n", report.lines());
    assertTrue(text.contains("kept 1999 entries") && text.contains("at byte offset " + damagedEntry)
        && text.contains("acknowledged writes lost: 1 (sequences 1000)"), text);
    try (Stream<Path> files = Files.list(gen1("docs"))) {
      Path backup = files.filter(p -> p.getFileName().toString().startsWith("wal.log.before-repair-")).findFirst()
          .orElseThrow();
      assertArrayEquals(damaged, Files.readAllBytes(backup), "the original is kept");
    }

    Collection repaired = open().get("docs");
    assertEquals(1999, repaired.info().liveCount(), "2,000 acknowledged, 1 reported lost, 1,999 served");
    assertEquals(2000, repaired.info().lastSequence());
    assertEquals(null, repaired.payloads(List.of("r-999")).get(0), "the one dropped write is sequence 1000");
    List<RecordInput> kept = new ArrayList<>(records);
    kept.remove(999);
    assertEquals(1999, selfHits(repaired, kept));
  }

  @Test
  void aMissingCurrentRecoversTheNewestCompleteGenerationAndDeletesNothing() throws IOException {
    CollectionStore first = open();
    Collection docs = first.create(config("docs", "HNSW16,Flat"));
    List<RecordInput> records = TestVectors.records("r", 500, D, 9);
    TestVectors.upsertInBatches(docs, records, 50);
    docs.delete(List.of("r-0", "r-1"));
    // Crash, then CURRENT goes missing; a stale, emptier generation is lying next to it.
    Files.delete(collectionDir("docs").resolve("CURRENT"));
    Path stale = collectionDir("docs").resolve("gen-00000002");
    Files.createDirectories(stale);
    Files.copy(gen1("docs").resolve("collection.properties"), stale.resolve("collection.properties"));
    WriteAheadLog.create(stale.resolve("wal.log")).close();

    Collection recovered = open().get("docs");
    assertEquals(498, recovered.info().liveCount());
    assertEquals(502, recovered.info().lastSequence());
    assertEquals(498, selfHits(recovered, records.subList(2, 500)));
    assertEquals("gen-00000001", Files.readString(collectionDir("docs").resolve("CURRENT")));
    assertTrue(Files.isDirectory(stale), "the other generation is kept, not deleted on a guess");
  }

  @Test
  void aMissingCurrentWithNoCompleteGenerationIsRefusedAndNothingIsDeleted() throws IOException {
    CollectionStore first = open();
    first.create(config("docs", "Flat")).upsert(TestVectors.records("r", 10, D, 1));
    first.create(config("other", "Flat")).upsert(TestVectors.records("o", 10, D, 2));
    Files.delete(collectionDir("docs").resolve("CURRENT"));
    Files.writeString(gen1("docs").resolve("wal.log"), "garbage, not a log");

    CollectionStore second = open();
    DomainException e = assertThrows(DomainException.class, () -> second.get("docs"));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("CURRENT is missing") && e.getMessage().contains("nothing was deleted"),
        e.getMessage());
    assertTrue(Files.exists(gen1("docs").resolve("wal.log")));
    assertEquals(10, second.get("other").info().liveCount());
  }

  @Test
  void onlyACreateMarkedUnfinishedIsRemovedAtStart() throws IOException {
    open().create(config("kept", "Flat")).upsert(TestVectors.records("k", 5, D, 3));
    Path unfinishedStaging = dir.resolve("collections/.half.creating");
    Files.createDirectories(unfinishedStaging.resolve("gen-00000001"));
    Files.writeString(unfinishedStaging.resolve(CollectionStore.CREATING), "");
    Path renamedNotDurable = dir.resolve("collections/renamed");
    Files.createDirectories(renamedNotDurable.resolve("gen-00000001"));
    Files.writeString(renamedNotDurable.resolve(CollectionStore.CREATING), "");
    Path unknownHidden = dir.resolve("collections/.someone-elses");
    Files.createDirectories(unknownHidden);
    Files.writeString(unknownHidden.resolve("data"), "precious");

    CollectionStore store = open();
    assertFalse(Files.exists(unfinishedStaging));
    assertFalse(Files.exists(renamedNotDurable));
    assertEquals("precious", Files.readString(unknownHidden.resolve("data")), "no marker: left alone");
    assertEquals(5, store.get("kept").info().liveCount());
    assertFalse(Files.exists(collectionDir("kept").resolve(CollectionStore.CREATING)), "a finished create has no marker");
  }

  @Test
  void aBadCurrentMakesOnlyThatCollectionDamagedAndTheOthersServe() throws IOException {
    CollectionStore first = open();
    for (String name : List.of("garbage", "empty", "missing-gen", "fine")) {
      first.create(config(name, "Flat")).upsert(TestVectors.records(name, 20, D, 4));
    }
    stores.close(first);
    Files.write(collectionDir("garbage").resolve("CURRENT"), new byte[] {'g', 'e', 'n', '-', 'x', 0, (byte) 0xff});
    Files.writeString(collectionDir("empty").resolve("CURRENT"), "");
    Files.writeString(collectionDir("missing-gen").resolve("CURRENT"), "gen-00000009");

    CollectionStore store = open();
    assertEquals(List.of("empty", "garbage", "missing-gen"), List.copyOf(store.damaged().keySet()));
    assertEquals(List.of("fine"), store.list().stream().map(Collection::name).toList());
    assertEquals(20, store.get("fine").info().liveCount());
    assertRefused(store, "garbage", "collections/garbage/CURRENT is damaged");
    assertRefused(store, "empty", "collections/empty/CURRENT is empty");
    assertRefused(store, "missing-gen", "names gen-00000009, which does not exist (generation directories there: [gen-00000001])");
    assertEquals(DomainException.Kind.ALREADY_EXISTS,
        assertThrows(DomainException.class, () -> store.create(config("empty", "Flat"))).kind());
    assertEquals("gen-00000009", Files.readString(collectionDir("missing-gen").resolve("CURRENT")), "left as it was");
    store.drop("garbage"); // an explicit drop is the one way a damaged collection's files go
    assertFalse(Files.exists(collectionDir("garbage")));
    assertEquals(0, store.create(config("garbage", "Flat")).info().liveCount());
    stores.close(store);

    Repair.Report fixed = Repair.run(dir, "missing-gen", false);
    assertTrue(fixed.repaired(), String.join("\n", fixed.lines()));
    assertEquals(20, open().get("missing-gen").info().liveCount());
  }

  private static void assertRefused(CollectionStore store, String name, String problem) {
    DomainException e = assertThrows(DomainException.class, () -> store.get(name));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("is damaged and not served") && e.getMessage().contains(problem), e.getMessage());
  }

  @Test
  void aDamagedFaissFileIsRebuiltFromTheSnapshotsVectors() throws IOException {
    CollectionStore first = open();
    Collection docs = first.create(config("docs", "HNSW16,Flat"));
    List<RecordInput> records = TestVectors.records("r", 600, D, 11);
    TestVectors.upsertInBatches(docs, records, 100);
    stores.close(first); // checkpoints: snapshot.bin plus index-600.faiss
    Path faiss = gen1("docs").resolve("index-600.faiss");
    long size = Files.size(faiss);
    FileDamage.flip(faiss, size - 20_000, 4096); // 4 KiB inside the stored vectors (the file ends with them)

    Collection reopened = open().get("docs");
    assertEquals(600, reopened.info().liveCount());
    assertEquals(600, selfHits(reopened, records), "every record's own vector finds it first");
  }

  @Test
  void leftoverTemporaryFilesAreRemovedAtOpen() throws IOException {
    CollectionStore first = open();
    first.create(config("docs", "Flat")).upsert(TestVectors.records("r", 5, D, 5));
    stores.close(first);
    Files.write(gen1("docs").resolve("index-9.faiss.tmp"), new byte[0]);
    Files.write(gen1("docs").resolve("snapshot.bin.tmp"), new byte[10]);
    Files.write(collectionDir("docs").resolve("CURRENT.tmp"), new byte[0]);

    assertEquals(5, open().get("docs").info().liveCount());
    try (Stream<Path> files = Files.walk(collectionDir("docs"))) {
      assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList());
    }
  }

  @Test
  void aFormatOneSnapshotWithoutAnIndexChecksumIsStillRead() throws IOException {
    CollectionStore first = open();
    List<RecordInput> records = TestVectors.records("r", 300, D, 12);
    TestVectors.upsertInBatches(first.create(config("docs", "HNSW16,Flat")), records, 100);
    stores.close(first);
    Path snapshot = gen1("docs").resolve("snapshot.bin");
    byte[] v3 = Files.readAllBytes(snapshot);
    ByteBuffer in = ByteBuffer.wrap(v3);
    in.position(8 + 8 + 8 + 4);
    in.position(in.position() + 2 + in.getShort(in.position())); // spec
    in.position(in.position() + 4); // metric
    in.position(in.position() + 2 + in.getShort(in.position())); // index file name
    int checksumFields = in.position();
    java.io.ByteArrayOutputStream v1 = new java.io.ByteArrayOutputStream();
    v1.write("DMSNAP01".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    v1.write(v3, 8, checksumFields - 8);
    // Format 3 adds the index file's checksum and size and the base-vector flag; format 1 has none.
    v1.write(v3, checksumFields + 17, v3.length - 8 - checksumFields - 17);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(v1.toByteArray());
    v1.write(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
    Files.write(snapshot, v1.toByteArray());

    Collection reopened = open().get("docs");
    assertEquals(300, reopened.info().liveCount());
    assertEquals(300, selfHits(reopened, records));
  }

  @Test
  void repairRefusesWhileAServiceHoldsTheDataDirectory() throws IOException {
    open().create(config("docs", "Flat"));
    try (DataDirLock held = DataDirLock.acquire(dir)) {
      IOException e = assertThrows(IOException.class, () -> Repair.run(dir, "docs", false));
      assertTrue(e.getMessage().contains("is locked") && e.getMessage().contains("stop it first"), e.getMessage());
    }
  }
}
