package dev.distillmesh.index.store;

import static dev.distillmesh.index.store.TestStores.D;
import static dev.distillmesh.index.store.TestStores.OPTIONS;
import static dev.distillmesh.index.store.TestStores.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collection on a disk that really fills up (an 8 MiB tmpfs): a batch that does not fit is
 * refused whole with RESOURCE_EXHAUSTED, writes resume once space is freed (no restart), closing
 * on a full disk closes everything and leaves no temporary file, and after a restart exactly the
 * acknowledged writes are there.
 */
class DiskFullTest {
  @TempDir Path tmp;

  @Test
  void aFullDiskRefusesABatchWholeAndWritesResumeOnceSpaceIsFree() throws Exception {
    try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 8)) {
      Path data = disk.root().resolve("data");
      List<RecordInput> acked = new ArrayList<>();
      List<RecordInput> refused = new ArrayList<>();
      CollectionStore store = new CollectionStore(data, OPTIONS);
      Collection docs = store.create(config("docs", "HNSW16,Flat"));
      List<RecordInput> first = TestVectors.records("a", 100, D, 1);
      TestVectors.upsertInBatches(docs, first, 10);
      acked.addAll(first);

      disk.fill();
      List<RecordInput> batch = TestVectors.records("b", 200, D, 2);
      DomainException full = assertThrows(DomainException.class, () -> docs.upsert(batch));
      assertEquals(DomainException.Kind.RESOURCE_EXHAUSTED, full.kind());
      assertTrue(full.getMessage().startsWith("no space left on device for the log of collection docs: none of the"
          + " batch's 200 writes was stored (last_sequence stays 100)"), full.getMessage());
      assertEquals(100, docs.info().lastSequence());
      assertEquals(100, docs.info().liveCount());
      refused.addAll(batch);

      disk.free(1 << 20); // space comes back: the next write succeeds, no restart
      List<RecordInput> later = TestVectors.records("c", 200, D, 3);
      assertEquals(300, docs.upsert(later).lastSequence(), "the sequence continues from 100");
      acked.addAll(later);

      disk.fill();
      List<RecordInput> again = TestVectors.records("d", 200, D, 4);
      assertEquals(DomainException.Kind.RESOURCE_EXHAUSTED,
          assertThrows(DomainException.class, () -> docs.upsert(again)).kind());
      refused.addAll(again);
      store.close(); // the final checkpoint fails on the full disk; the close must not
      try (Stream<Path> files = Files.walk(data)) {
        assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList(), "no temporary file left");
      }

      disk.freeAll();
      try (CollectionStore reopened = new CollectionStore(data, OPTIONS)) {
        Collection c = reopened.get("docs");
        assertEquals(300, c.info().lastSequence());
        assertEquals(acked.size(), c.info().liveCount(), "acknowledged " + acked.size() + ", present " + c.info().liveCount());
        List<String> refusedIds = refused.stream().map(RecordInput::id).toList();
        for (int i = 0; i < refusedIds.size(); i += 1000) {
          assertTrue(c.payloads(refusedIds.subList(i, Math.min(refusedIds.size(), i + 1000))).stream()
              .allMatch(p -> p == null), "a refused write is present");
        }
        for (RecordInput r : acked) {
          assertEquals(r.id(), c.search(new float[][] {r.vector()}, 1, 0, 0, false).hits().get(0).get(0).id());
        }
      }
    }
  }
}
