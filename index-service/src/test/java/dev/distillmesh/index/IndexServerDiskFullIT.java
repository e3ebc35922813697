package dev.distillmesh.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.store.SmallDisk;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server with its data on an 8 MiB tmpfs that fills up: a batch that does not fit
 * answers RESOURCE_EXHAUSTED and is refused whole, writes resume once space is freed (no
 * restart), a SIGTERM while the disk is full closes every collection cleanly and leaves no
 * temporary file, and after a restart exactly the acknowledged writes are served.
 */
class IndexServerDiskFullIT {
  @TempDir Path work;
  @RegisterExtension final ServerProcesses servers = new ServerProcesses();

  @Test
  void aFullDiskRefusesWholeBatchesWritesResumeAndSigtermClosesCleanly() throws Exception {
    try (SmallDisk disk = SmallDisk.mount(work.resolve("disk"), 8)) {
      Path data = disk.root().resolve("data");
      List<String> acked = new ArrayList<>();
      List<String> refused = new ArrayList<>();
      IndexServerProcess first = start(data, "run1");
      DamageCalls.create(first, "docs", "HNSW32,Flat");
      DamageCalls.create(first, "other", "Flat");
      List<String> other = DamageCalls.ids("other", 50);
      DamageCalls.upsertAll(first, "other", other, 50);
      List<String> a = DamageCalls.ids("a", 300);
      DamageCalls.upsertAll(first, "docs", a, 100);
      acked.addAll(a);

      disk.fill();
      List<String> b = DamageCalls.ids("b", 200);
      assertFull(first, b);
      refused.addAll(b);
      assertEquals(300, lastSequence(first, "docs"), "a refused batch does not move last_sequence");

      disk.free(1 << 20);
      List<String> c = DamageCalls.ids("c", 200);
      assertEquals(500, DamageCalls.upsert(first, "docs", c).getLastSequence(), "writes resume without a restart");
      acked.addAll(c);

      disk.fill();
      List<String> d = DamageCalls.ids("d", 200);
      assertFull(first, d);
      refused.addAll(d);
      int exit = first.terminate(); // SIGTERM on a full disk: the final checkpoints fail
      String log1 = Files.readString(work.resolve("run1.log"));
      assertFalse(log1.contains("Exception in thread"), log1);
      assertTrue(log1.contains("final checkpoint of docs failed"), log1);
      try (Stream<Path> files = Files.walk(data)) {
        assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList(), "temporary files left");
      }

      disk.freeAll();
      IndexServerProcess second = start(data, "run2");
      int present = DamageCalls.present(second, "docs", acked);
      int refusedPresent = DamageCalls.present(second, "docs", refused);
      int self = DamageCalls.selfHits(second, "docs", acked);
      assertEquals(acked.size(), present, "acknowledged writes lost");
      assertEquals(0, refusedPresent, "refused writes present");
      assertEquals(acked.size(), self);
      assertEquals(500, lastSequence(second, "docs"));
      assertEquals(50, DamageCalls.present(second, "other", other));
      System.out.printf("disk full campaign: SIGTERM exit %d; acknowledged %d, present %d (own vector first %d);"
          + " refused %d in 2 batches, present %d; last_sequence %d%n", exit, acked.size(), present, self,
          refused.size(), refusedPresent, lastSequence(second, "docs"));
    }
  }

  private IndexServerProcess start(Path data, String name) throws Exception {
    return servers.start(data, work.resolve(name + ".log"));
  }

  private static long lastSequence(IndexServerProcess server, String collection) {
    return server.blocking().getCollection(GetCollectionRequest.newBuilder().setName(collection).build()).getLastSequence();
  }

  private static void assertFull(IndexServerProcess server, List<String> ids) throws Exception {
    try {
      DamageCalls.upsert(server, "docs", ids);
      throw new AssertionError("a batch was acknowledged on a full disk");
    } catch (StatusRuntimeException e) {
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
      assertTrue(e.getStatus().getDescription().startsWith("no space left on device"), e.getStatus().getDescription());
    }
  }
}
