package dev.distillmesh.index;

import static java.util.concurrent.TimeUnit.MINUTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.Hit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability of the packaged server as a real process over a real socket: every write acknowledged
 * before a {@code kill -9} is there after a restart on the same data, every acknowledged delete
 * stays deleted, and nothing that was never sent appears. Unacknowledged in-flight writes may or
 * may not have landed; those that did must be intact.
 */
class IndexServerKillIT {
  private static final List<String> COLLECTIONS = List.of("hnsw", "flat");
  private static final Map<String, String> SPECS = Map.of("hnsw", "HNSW32,Flat", "flat", "Flat");
  private static final long ACKED_CALLS_PER_ROUND = 300;

  @TempDir Path work;
  @RegisterExtension final ServerProcesses servers = new ServerProcesses();

  @Test
  void kill9WhileWritingLosesNoAcknowledgedWrite() throws Exception {
    AckedWriteLoad load = new AckedWriteLoad(COLLECTIONS);
    IndexServerProcess first = start("run1");
    createCollections(first);
    writeThenKill9(first, load, 1);
    IndexServerProcess second = start("run2");
    verify(second, load, "after the first kill -9");
    writeThenKill9(second, load, 2);
    IndexServerProcess third = start("run3");
    verify(third, load, "after the second kill -9 (replay after replay)");
  }

  @Test
  void sigtermCheckpointsAndARestartKeepsEverything() throws Exception {
    AckedWriteLoad load = new AckedWriteLoad(COLLECTIONS);
    IndexServerProcess first = start("run1");
    createCollections(first);
    List<Thread> threads = new ArrayList<>();
    load.run(first, 1, 100, threads).get(5, MINUTES);
    load.stop(threads);
    assertEquals(List.of(), List.copyOf(load.unexpected));
    int exit = first.terminate();
    System.out.printf("SIGTERM: exit %d after %d acknowledged upsert calls%n", exit, load.ackedUpsertCalls.get());
    try (Stream<Path> files = Files.walk(work.resolve("data"))) {
      for (Path wal : files.filter(p -> p.getFileName().toString().equals("wal.log")).toList()) {
        assertEquals(8, Files.size(wal), wal + " still holds log entries: the shutdown did not checkpoint");
      }
    }
    long started = System.nanoTime();
    IndexServerProcess second = start("run2");
    System.out.printf("restart after SIGTERM served after %d ms%n", (System.nanoTime() - started) / 1_000_000);
    verify(second, load, "after SIGTERM");
    for (String c : COLLECTIONS) {
      AckedWriteLoad.Ledger l = load.ledgers.get(c);
      assertEquals(l.sent, l.acked, "every call was acknowledged before the shutdown");
    }
  }

  private IndexServerProcess start(String name) throws Exception {
    return servers.start(work.resolve("data"), work.resolve(name + ".log"));
  }

  private static void createCollections(IndexServerProcess server) {
    for (String c : COLLECTIONS) {
      DamageCalls.create(server, c, SPECS.get(c));
    }
  }

  /** Writes until ACKED_CALLS_PER_ROUND more upserts are acknowledged, then SIGKILLs mid-stream. */
  private static void writeThenKill9(IndexServerProcess server, AckedWriteLoad load, int round) throws Exception {
    List<Thread> threads = new ArrayList<>();
    CompletableFuture<Void> reached = load.run(server, round, ACKED_CALLS_PER_ROUND, threads);
    try {
      reached.get(5, MINUTES);
    } catch (Exception e) {
      load.expectFailures();
      load.stop(threads);
      throw new AssertionError("writes failed before the kill: " + load.unexpected + "\n" + server.stderrTail(), e);
    }
    load.expectFailures();
    int inFlight = load.inFlight.get();
    server.kill9();
    load.stop(threads);
    System.out.printf("round %d: kill -9 of pid %d with %d calls in flight; so far %d upsert calls sent,"
        + " %d acknowledged, %d delete calls acknowledged, %d calls failed by the kill%n", round,
        server.pid(), inFlight, load.upsertCalls.get(), load.ackedUpsertCalls.get(),
        load.ackedDeleteCalls.get(), load.failedCalls.get());
    assertEquals(List.of(), List.copyOf(load.unexpected), "only the kill may fail calls");
  }

  /** Checks every collection against the ledger, then resolves what the in-flight writes did. */
  private static void verify(IndexServerProcess server, AckedWriteLoad load, String when) {
    for (String c : COLLECTIONS) {
      AckedWriteLoad.Ledger l = load.ledgers.get(c);
      Set<String> present = new HashSet<>(l.acked);
      present.removeAll(l.deleteSent);
      Set<String> unsureUpserts = new HashSet<>(l.sent);
      unsureUpserts.removeAll(l.acked);
      Set<String> unsureDeletes = new HashSet<>(l.deleteSent);
      unsureDeletes.removeAll(l.deleteAcked);

      Set<String> foundPresent = DamageCalls.found(server, c, present);
      Set<String> missing = new HashSet<>(present);
      missing.removeAll(foundPresent);
      assertEquals(Set.of(), missing, when + ": acknowledged upserts of " + c + " lost");
      assertEquals(Set.of(), DamageCalls.found(server, c, l.deleteAcked), when + ": acknowledged deletes of " + c + " undone");
      Set<String> landed = DamageCalls.found(server, c, unsureUpserts);
      Set<String> survived = DamageCalls.found(server, c, unsureDeletes);
      assertTopHitIsItself(server, c, present, when);

      CollectionInfo info = server.blocking().getCollection(GetCollectionRequest.newBuilder().setName(c).build());
      assertTrue(info.getLiveCount() >= present.size(), when + ": live_count below the acknowledged count");
      assertEquals(present.size() + landed.size() + survived.size(), info.getLiveCount(),
          when + ": " + c + " holds records that were never written");
      assertFalse(info.getRebuilding());
      System.out.printf("%s: %s sent %d records, %d acknowledged (%d deleted, %d delete unsure),"
          + " found %d = %d acknowledged + %d of %d in-flight + %d unsure deletes%n", when, c,
          l.sent.size(), l.acked.size(), l.deleteAcked.size(), unsureDeletes.size(), info.getLiveCount(),
          present.size(), landed.size(), unsureUpserts.size(), survived.size());
      load.resolve(c, landed, survived);
    }
  }

  /** Searching each record's own vector returns that record first (its vector survived intact). */
  private static void assertTopHitIsItself(IndexServerProcess server, String collection, Set<String> ids, String when) {
    List<String> all = List.copyOf(ids);
    List<Hit> top = DamageCalls.topHits(server, collection, all);
    for (int i = 0; i < all.size(); i++) {
      assertEquals(all.get(i), top.get(i).getId(), when + ": top hit for the vector of " + all.get(i));
      assertEquals(1f, top.get(i).getScore(), 1e-4, "score of " + all.get(i));
    }
  }
}
