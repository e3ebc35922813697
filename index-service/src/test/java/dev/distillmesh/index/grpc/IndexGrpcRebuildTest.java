package dev.distillmesh.index.grpc;

import static dev.distillmesh.index.grpc.IndexGrpcFixture.assertStatus;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.awaitCondition;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.header;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.payloadOf;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.query;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.rebuildBatch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.records;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsResponse;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.QueryResult;
import dev.distillmesh.proto.index.v1.RebuildRequest;
import dev.distillmesh.proto.index.v1.RebuildResponse;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rebuild: whole-collection replacement, writes refused meanwhile, cancellation, and swaps under search load. */
class IndexGrpcRebuildTest {
  private static final int DIM = 16;

  @TempDir Path dataDir;
  private IndexGrpcFixture index;
  private final List<Record> old = records("old-", 50, DIM, 1);
  private final List<Record> fresh = records("new-", 80, DIM, 2);

  @BeforeEach
  void startServer() throws Exception {
    index = IndexGrpcFixture.start(dataDir);
    index.create("docs", DIM, "Flat");
    index.upsert("docs", old);
  }

  @AfterEach
  void stopServer() throws Exception {
    index.close();
  }

  @Test
  void rebuildReplacesEveryRecordAndBumpsTheGeneration() throws Exception {
    RebuildResponse r = IndexGrpcFixture.rebuild(index.async(), header("docs", "HNSW16,Flat"),
        rebuildBatch(fresh.subList(0, 40)), rebuildBatch(fresh.subList(40, 80)));
    assertEquals(2, r.getGeneration());
    assertEquals(80, r.getRecordCount());
    assertRebuilt();

    index.close(); // restart on the same data: the swap was durable
    index = IndexGrpcFixture.start(dataDir);
    assertRebuilt();
    assertEquals(1, index.upsert("docs", old.subList(0, 1)).getUpserted(), "writes resume");
  }

  private void assertRebuilt() {
    CollectionInfo info = index.info("docs");
    assertEquals(2, info.getGeneration());
    assertEquals(80, info.getLiveCount());
    assertEquals(0, info.getTombstoneCount());
    assertEquals("HNSW16,Flat", info.getIndexSpec());
    assertFalse(info.getRebuilding());
    SearchResponse s = index.blocking().search(SearchRequest.newBuilder().setCollection("docs")
        .setK(100).addQueries(query(fresh.get(5))).build());
    assertEquals(2, s.getGeneration());
    assertEquals("new-5", s.getResults(0).getHits(0).getId());
    assertEquals(80, s.getResults(0).getHitsCount(), "exactly the streamed records");
    s.getResults(0).getHitsList().forEach(h -> assertTrue(h.getId().startsWith("new-"), h.getId()));
    GetPayloadsResponse p = payloads("old-0", "new-0");
    assertFalse(p.getEntries(0).getFound(), "old ids are gone");
    assertEquals(payloadOf("new-0"), p.getEntries(1).getPayload());
  }

  @Test
  void aRebuildExpectingTheLastSequenceItReadReplacesTheCollection() {
    long read = index.listPage("docs", 0, "", false).getLastSequence();
    assertEquals(index.info("docs").getLastSequence(), read);
    RebuildResponse r = IndexGrpcFixture.rebuild(index.async(), header("docs", "", read), rebuildBatch(fresh));
    assertEquals(2, r.getGeneration());
    assertEquals(fresh.size(), r.getRecordCount());
  }

  @Test
  void aRebuildExpectingAStaleLastSequenceIsAbortedAndChangesNothing() {
    long read = index.listPage("docs", 0, "", false).getLastSequence();
    long now = index.upsert("docs", fresh.subList(0, 1)).getLastSequence(); // written after the read

    assertStatus(Status.Code.ABORTED, () -> IndexGrpcFixture.rebuild(index.async(),
        header("docs", "HNSW16,Flat", read), rebuildBatch(fresh)),
        "was written since it was read", "last_sequence is " + now, "expected " + read, "list it again");
    CollectionInfo info = index.info("docs");
    assertEquals(1, info.getGeneration());
    assertEquals("Flat", info.getIndexSpec());
    assertEquals(old.size() + 1, info.getLiveCount(), "the write made meanwhile is kept");
    assertEquals(now, info.getLastSequence());
    assertFalse(info.getRebuilding(), "refused before it started");

    long later = index.upsert("docs", fresh.subList(1, 2)).getLastSequence();
    assertTrue(later > now, "still writable");
    assertEquals(2, IndexGrpcFixture.rebuild(index.async(), header("docs", "", later), rebuildBatch(fresh))
        .getGeneration(), "a rebuild expecting the current sequence goes through");
  }

  @Test
  void aNegativeExpectedLastSequenceIsInvalid() {
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> IndexGrpcFixture.rebuild(index.async(),
        header("docs", "", -1), rebuildBatch(fresh)), "expected_last_sequence -1", "send 0");
    assertFalse(index.info("docs").getRebuilding());
  }

  @Test
  void writesDuringAnOpenRebuildAreRefusedWhileSearchesServeTheOldGeneration() throws Exception {
    IndexGrpcFixture.Response<RebuildResponse> response = new IndexGrpcFixture.Response<>();
    var stream = index.async().rebuild(response);
    stream.onNext(header("docs", ""));
    stream.onNext(rebuildBatch(fresh));
    awaitCondition("the rebuild to open", () -> index.info("docs").getRebuilding());

    assertStatus(Status.Code.FAILED_PRECONDITION, () -> index.upsert("docs", fresh.subList(0, 1)),
        "being rebuilt");
    assertStatus(Status.Code.FAILED_PRECONDITION, () -> index.blocking()
        .delete(DeleteRequest.newBuilder().setCollection("docs").addIds("old-1").build()), "being rebuilt");
    assertStatus(Status.Code.FAILED_PRECONDITION, () -> IndexGrpcFixture.rebuild(index.async(),
        header("docs", ""), rebuildBatch(fresh)), "being rebuilt");
    SearchResponse during = index.blocking().search(SearchRequest.newBuilder().setCollection("docs")
        .setK(5).addQueries(query(old.get(3))).build());
    assertEquals(1, during.getGeneration());
    assertEquals("old-3", during.getResults(0).getHits(0).getId());
    assertFalse(response.isDone(), "the rebuild waits for the end of its stream");

    stream.onCompleted();
    assertEquals(2, response.await().getGeneration());
    assertFalse(index.info("docs").getRebuilding());
    assertEquals(1, index.upsert("docs", old.subList(0, 1)).getUpserted(), "writes resume");
  }

  @Test
  void aCancelledRebuildLeavesTheOldGenerationServing() throws Exception {
    IndexGrpcFixture.Response<RebuildResponse> response = new IndexGrpcFixture.Response<>();
    var stream = (ClientCallStreamObserver<RebuildRequest>) index.async().rebuild(response);
    stream.onNext(header("docs", "HNSW16,Flat"));
    stream.onNext(rebuildBatch(fresh));
    awaitCondition("the rebuild to open", () -> index.info("docs").getRebuilding());
    stream.cancel("the test cancels the rebuild", null);
    assertStatus(Status.Code.CANCELLED, response::await);
    awaitCondition("the server to abandon the rebuild", () -> !index.info("docs").getRebuilding());

    assertUnchanged();
    index.close();
    index = IndexGrpcFixture.start(dataDir);
    assertUnchanged();
    assertEquals(1, index.upsert("docs", fresh.subList(0, 1)).getUpserted(), "writes resume");
  }

  private void assertUnchanged() {
    CollectionInfo info = index.info("docs");
    assertEquals(1, info.getGeneration());
    assertEquals(old.size(), info.getLiveCount());
    assertEquals("Flat", info.getIndexSpec());
    GetPayloadsResponse p = payloads("old-0", "new-0");
    assertTrue(p.getEntries(0).getFound());
    assertFalse(p.getEntries(1).getFound(), "nothing of the cancelled rebuild is visible");
  }

  @Test
  void searchesDuringRebuildsAlwaysSeeOneWholeGeneration() throws Exception {
    final int k = 10;
    final int lastGeneration = 6;
    index.create("conc", DIM, "HNSW16,Flat");
    index.upsert("conc", records("g1-", 500, DIM, 10));
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong searches = new AtomicLong();
    int threads = 4;
    CountDownLatch started = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> searchers = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        Random rnd = new Random(100 + t);
        searchers.add(pool.submit(() -> {
          boolean first = true;
          boolean last = false;
          while (!last) {
            last = stop.get(); // one more search after the final swap
            SearchRequest request = SearchRequest.newBuilder().setCollection("conc").setK(k)
                .addQueries(query(IndexGrpcFixture.unitVector(rnd, DIM)))
                .addQueries(query(IndexGrpcFixture.unitVector(rnd, DIM))).build();
            try {
              SearchResponse r = index.blocking().search(request);
              String prefix = "g" + r.getGeneration() + "-";
              seen.add(r.getGeneration());
              for (QueryResult result : r.getResultsList()) {
                if (result.getHitsCount() != k) {
                  problems.add("generation " + r.getGeneration() + " answered " + result.getHitsCount() + " hits");
                }
                for (Hit h : result.getHitsList()) {
                  if (!h.getId().startsWith(prefix)) {
                    problems.add("generation " + r.getGeneration() + " answered " + h.getId());
                  }
                }
              }
            } catch (StatusRuntimeException e) {
              problems.add("search failed: " + e.getStatus());
            }
            searches.incrementAndGet();
            if (first) {
              started.countDown();
              first = false;
            }
          }
          return null;
        }));
      }
      assertTrue(started.await(30, SECONDS), "every searcher completes a first search");
      for (int gen = 2; gen <= lastGeneration; gen++) {
        List<Record> next = records("g" + gen + "-", 500, DIM, 10 + gen);
        RebuildResponse r = IndexGrpcFixture.rebuild(index.async(), header("conc", ""),
            rebuildBatch(next.subList(0, 250)), rebuildBatch(next.subList(250, 500)));
        assertEquals(gen, r.getGeneration());
        assertEquals(500, r.getRecordCount());
        final long g = gen;
        awaitCondition("a search on generation " + gen, () -> seen.contains(g) || !problems.isEmpty());
      }
      stop.set(true);
      for (Future<?> f : searchers) {
        f.get(60, SECONDS);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    System.out.printf("searches during %d rebuilds: %d, generations seen %s%n",
        lastGeneration - 1, searches.get(), seen);
    assertTrue(problems.isEmpty(), problems.size() + " bad answers, first: "
        + problems.stream().limit(10).toList());
    assertEquals(Set.of(1L, 2L, 3L, 4L, 5L, 6L), seen);
    assertEquals(lastGeneration, index.info("conc").getGeneration());
  }

  private GetPayloadsResponse payloads(String... ids) {
    return index.blocking().getPayloads(GetPayloadsRequest.newBuilder().setCollection("docs")
        .addAllIds(List.of(ids)).build());
  }
}
