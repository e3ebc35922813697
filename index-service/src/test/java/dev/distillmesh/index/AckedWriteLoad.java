package dev.distillmesh.index;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many small writes from two threads per collection, each Upsert its own stream of {@link
 * #RECORDS_PER_CALL} records with ids that are never reused, every fifth call a Delete of three
 * acknowledged ids. It remembers exactly which ids were sent, acknowledged, and deleted, so a test
 * can check the server's state after a crash. Vectors and payloads are functions of the id.
 *
 * <p>Thread-safe: the id sets are concurrent; {@link #resolve} runs while no load is running.
 */
final class AckedWriteLoad {
  static final int DIM = 32;
  static final int RECORDS_PER_CALL = 20;
  private static final int THREADS_PER_COLLECTION = 2;

  /** Per collection: what was sent and what the server acknowledged. */
  static final class Ledger {
    final Set<String> sent = ConcurrentHashMap.newKeySet();
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Set<String> deleteSent = ConcurrentHashMap.newKeySet();
    final Set<String> deleteAcked = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<String> deletable = new ConcurrentLinkedQueue<>();
  }

  final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();
  final AtomicLong upsertCalls = new AtomicLong();
  final AtomicLong ackedUpsertCalls = new AtomicLong();
  final AtomicLong ackedDeleteCalls = new AtomicLong();
  final AtomicLong failedCalls = new AtomicLong();
  final AtomicInteger inFlight = new AtomicInteger();
  final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
  private volatile boolean expectFailures;
  private volatile boolean stop;

  AckedWriteLoad(List<String> collections) {
    collections.forEach(c -> ledgers.put(c, new Ledger()));
  }

  /**
   * Writes to {@code server} until stopped; the returned future completes once {@code ackedCalls}
   * more upsert calls were acknowledged, or fails on the first unexpected error.
   */
  CompletableFuture<Void> run(IndexServerProcess server, int round, long ackedCalls, List<Thread> threads) {
    stop = false;
    expectFailures = false;
    long target = ackedUpsertCalls.get() + ackedCalls;
    CompletableFuture<Void> reached = new CompletableFuture<>();
    int t = 0;
    for (String collection : ledgers.keySet()) {
      for (int i = 0; i < THREADS_PER_COLLECTION; i++, t++) {
        String prefix = collection + "-r" + round + "-t" + t + "-c";
        Thread thread = new Thread(() -> write(server, collection, prefix, target, reached), "load-" + prefix);
        threads.add(thread);
        thread.start();
      }
    }
    return reached;
  }

  /** From now on failed calls are expected (the server is about to die). */
  void expectFailures() {
    expectFailures = true;
  }

  void stop(List<Thread> threads) throws InterruptedException {
    stop = true;
    for (Thread t : threads) {
      t.join(SECONDS.toMillis(60));
      if (t.isAlive()) {
        throw new AssertionError(t.getName() + " did not stop although every call has a deadline");
      }
    }
  }

  private void write(IndexServerProcess server, String collection, String prefix, long target,
      CompletableFuture<Void> reached) {
    Ledger ledger = ledgers.get(collection);
    for (int call = 0; !stop; call++) {
      inFlight.incrementAndGet();
      try {
        if (call % 5 == 4) {
          List<String> ids = new ArrayList<>();
          for (String id; ids.size() < 3 && (id = ledger.deletable.poll()) != null; ) {
            ids.add(id);
          }
          ledger.deleteSent.addAll(ids);
          if (!ids.isEmpty()) {
            server.blocking().delete(DeleteRequest.newBuilder().setCollection(collection).addAllIds(ids).build());
            ledger.deleteAcked.addAll(ids);
            ackedDeleteCalls.incrementAndGet();
          }
          continue;
        }
        List<Record> records = new ArrayList<>(RECORDS_PER_CALL);
        for (int i = 0; i < RECORDS_PER_CALL; i++) {
          records.add(record(prefix + call + "-" + i));
        }
        records.forEach(r -> ledger.sent.add(r.getId()));
        upsertCalls.incrementAndGet();
        upsert(server, UpsertRequest.newBuilder().setCollection(collection).addAllRecords(records).build());
        records.forEach(r -> ledger.acked.add(r.getId()));
        records.forEach(r -> ledger.deletable.add(r.getId()));
        if (ackedUpsertCalls.incrementAndGet() >= target) {
          reached.complete(null);
        }
      } catch (StatusRuntimeException e) {
        failedCalls.incrementAndGet();
        if (!expectFailures) {
          unexpected.add(prefix + call + ": " + e.getStatus());
          reached.completeExceptionally(e);
        }
        return;
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private static void upsert(IndexServerProcess server, UpsertRequest batch) {
    CompletableFuture<UpsertResponse> done = new CompletableFuture<>();
    StreamObserver<UpsertRequest> requests = server.async().upsert(new StreamObserver<>() {
      @Override
      public void onNext(UpsertResponse r) {
        done.complete(r);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    requests.onNext(batch);
    requests.onCompleted();
    try {
      if (done.get() == null) {
        throw new AssertionError("Upsert completed without a response");
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException sre) {
        throw sre;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * After a restart has shown which unacknowledged writes landed: those that did become known
   * state, those that did not are forgotten, so the next check after a crash is exact again.
   */
  void resolve(String collection, Set<String> landedUpserts, Set<String> survivedDeletes) {
    Ledger l = ledgers.get(collection);
    l.sent.removeIf(id -> !l.acked.contains(id) && !landedUpserts.contains(id));
    l.acked.addAll(landedUpserts);
    for (String id : List.copyOf(l.deleteSent)) {
      if (!l.deleteAcked.contains(id)) {
        if (survivedDeletes.contains(id)) {
          l.deleteSent.remove(id);
        } else {
          l.deleteAcked.add(id);
        }
      }
    }
  }

  static Record record(String id) {
    Record.Builder b = Record.newBuilder().setId(id).setPayload(payloadOf(id));
    for (float x : vectorOf(id)) {
      b.addVector(x);
    }
    return b.build();
  }

  static Payload payloadOf(String id) {
    return Payload.newBuilder().setText("text of " + id + " \u2014 \u00fcn\u00efc\u00f6d\u00e9")
        .setMetadataJson("{\"id\":\"" + id + "\",\"len\":" + id.length() + "}").build();
  }

  /** A unit vector seeded by a 64-bit FNV-1a hash of the id (no collisions at test scale). */
  static float[] vectorOf(String id) {
    long h = 0xcbf29ce484222325L;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    Random rnd = new Random(h);
    float[] v = new float[DIM];
    double norm = 0;
    for (int j = 0; j < DIM; j++) {
      v[j] = (float) rnd.nextGaussian();
      norm += v[j] * v[j];
    }
    for (int j = 0; j < DIM; j++) {
      v[j] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
