package dev.distillmesh.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.store.FileDamage;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.DamagedCollection;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.ListCollectionsResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to the files of a stopped real server, four kinds at once, one per collection: a flipped
 * byte in the middle of a log, 4 KiB flipped in a FAISS index file, a garbage CURRENT and a missing
 * CURRENT. The restarted server must serve the undamaged-enough ones completely and correctly,
 * refuse the others with FAILED_PRECONDITION naming the problem, and, after {@code index-cli
 * repair}, serve every acknowledged write but the one the repair reports lost.
 */
class IndexServerCorruptionIT {
  @TempDir Path work;
  @RegisterExtension final ServerProcesses servers = new ServerProcesses();

  private IndexServerProcess start(String name) throws Exception {
    return servers.start(work.resolve("data"), work.resolve(name + ".log"));
  }

  private Path gen1(String collection) {
    return work.resolve("data/collections").resolve(collection).resolve("gen-00000001");
  }

  @Test
  void damagedFilesAreRefusedOrRecoveredAndNothingAcknowledgedIsServedWrong() throws Exception {
    List<String> logIds = DamageCalls.ids("log", 2000);
    List<String> faissIds = DamageCalls.ids("faiss", 600);
    List<String> badIds = DamageCalls.ids("bad", 100);
    List<String> missingIds = DamageCalls.ids("missing", 100);

    IndexServerProcess first = start("run1");
    DamageCalls.create(first, "logdamage", "HNSW32,Flat");
    DamageCalls.create(first, "faiss", "HNSW32,Flat");
    DamageCalls.create(first, "badcurrent", "Flat");
    DamageCalls.create(first, "nocurrent", "Flat");
    DamageCalls.upsertAll(first, "faiss", faissIds, 100);
    DamageCalls.upsertAll(first, "badcurrent", badIds, 50);
    DamageCalls.upsertAll(first, "nocurrent", missingIds, 50);
    first.terminate(); // checkpoints: snapshots and FAISS files, empty logs

    IndexServerProcess second = start("run2");
    DamageCalls.upsertAll(second, "logdamage", logIds, 4); // 2,000 acknowledged in 500 calls
    second.kill9(); // the log keeps all of them

    Path wal = gen1("logdamage").resolve("wal.log");
    long damagedAt = FileDamage.logEntryOffset(wal, 999);
    FileDamage.flip(wal, damagedAt + 40, 1);
    byte[] damagedLog = Files.readAllBytes(wal);
    Path faissFile = gen1("faiss").resolve("index-600.faiss");
    FileDamage.flip(faissFile, Files.size(faissFile) - 40_000, 4096); // inside the stored vectors
    Files.writeString(work.resolve("data/collections/badcurrent/CURRENT"), "garbage\n");
    Files.delete(work.resolve("data/collections/nocurrent/CURRENT"));

    IndexServerProcess third = start("run3");
    ListCollectionsResponse list = third.blocking().listCollections(ListCollectionsRequest.getDefaultInstance());
    assertEquals(List.of("faiss", "nocurrent"), list.getCollectionsList().stream().map(CollectionInfo::getName).toList());
    assertEquals(List.of("badcurrent", "logdamage"), list.getDamagedList().stream().map(DamagedCollection::getName).toList());
    assertRefused(third, "logdamage", "collections/logdamage/gen-00000001/wal.log is damaged: a checksum mismatch at byte offset "
        + damagedAt);
    assertRefused(third, "badcurrent", "collections/badcurrent/CURRENT is damaged");
    assertTrue(java.util.Arrays.equals(damagedLog, Files.readAllBytes(wal)), "the damaged log is left as it was");
    int faissPresent = DamageCalls.present(third, "faiss", faissIds);
    int faissSelf = DamageCalls.selfHits(third, "faiss", faissIds);
    int missingPresent = DamageCalls.present(third, "nocurrent", missingIds);
    assertEquals(600, faissPresent);
    assertEquals(600, faissSelf, "a record's own vector finds it first: the damaged FAISS file was not served");
    assertEquals(100, missingPresent);
    String log3 = Files.readString(work.resolve("run3.log"));
    assertTrue(log3.contains("index-600.faiss does not match the checksum") && log3.contains("rebuilding the index"), log3);
    assertTrue(log3.contains("CURRENT is missing: recovering gen-00000001"), log3);
    third.terminate();

    String[] repairLog = DamageCalls.cli(work.resolve("repair-log.out"), "repair", "--data-dir",
        work.resolve("data").toString(), "--collection", "logdamage");
    assertEquals("0", repairLog[0], repairLog[1]);
    System.out.print("index-cli repair --collection logdamage:\n" + repairLog[1]);
    assertTrue(repairLog[1].contains("kept 1999 entries") && repairLog[1].contains("acknowledged writes lost: 1 (sequences 1000)"),
        repairLog[1]);
    String[] repairCurrent = DamageCalls.cli(work.resolve("repair-current.out"), "repair", "--data-dir",
        work.resolve("data").toString(), "--collection", "badcurrent");
    assertEquals("0", repairCurrent[0], repairCurrent[1]);

    IndexServerProcess fourth = start("run4");
    int logPresent = DamageCalls.present(fourth, "logdamage", logIds);
    int logSelf = DamageCalls.selfHits(fourth, "logdamage", logIds);
    int badPresent = DamageCalls.present(fourth, "badcurrent", badIds);
    assertEquals(1999, logPresent, "2,000 acknowledged, 1 reported lost by the repair");
    assertEquals(1999, logSelf);
    assertEquals(100, badPresent);
    assertEquals(0, fourth.blocking().listCollections(ListCollectionsRequest.getDefaultInstance()).getDamagedCount());
    System.out.printf("corruption campaign: log flip: acknowledged 2000, refused until repair, then present %d (repair"
        + " reported 1 lost); faiss 4 KiB flip: acknowledged 600, present %d, own vector first %d; garbage CURRENT:"
        + " acknowledged 100, refused until repair, then present %d; missing CURRENT: acknowledged 100, present %d%n",
        logPresent, faissPresent, faissSelf, badPresent, missingPresent);
  }

  private static void assertRefused(IndexServerProcess server, String name, String problem) {
    try {
      server.blocking().getCollection(GetCollectionRequest.newBuilder().setName(name).build());
      throw new AssertionError(name + " was served");
    } catch (StatusRuntimeException e) {
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getStatus().toString());
      assertTrue(e.getStatus().getDescription().contains(problem), e.getStatus().getDescription());
    }
  }
}
