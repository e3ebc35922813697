package dev.distillmesh.index.grpc;

import static dev.distillmesh.index.grpc.IndexGrpcFixture.assertStatus;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.batch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.payloadOf;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.query;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.records;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.upsert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.DeleteResponse;
import dev.distillmesh.proto.index.v1.DropCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsResponse;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.Metric;
import dev.distillmesh.proto.index.v1.QueryResult;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IndexService contract for well-formed requests, in-process: CRUD, upsert, search, payloads, delete. */
class IndexGrpcServiceTest {
  private static final int DIM = 8;

  @TempDir Path dataDir;
  private IndexGrpcFixture index;

  @BeforeEach
  void startServer() throws Exception {
    index = IndexGrpcFixture.start(dataDir);
  }

  @AfterEach
  void stopServer() throws Exception {
    index.close();
  }

  @Test
  void createListGetDrop() {
    CollectionInfo beta = index.blocking().createCollection(CreateCollectionRequest.newBuilder()
        .setName("beta").setDimension(16).setIndexSpec("HNSW16,Flat").setMetric(Metric.METRIC_L2).build());
    assertEquals(CollectionInfo.newBuilder().setName("beta").setDimension(16).setIndexSpec("HNSW16,Flat")
        .setMetric(Metric.METRIC_L2).setGeneration(1).build(), beta);
    CollectionInfo alpha = index.create("alpha", DIM, "");
    assertEquals("Flat", alpha.getIndexSpec(), "empty spec means Flat");
    assertEquals(Metric.METRIC_INNER_PRODUCT, alpha.getMetric(), "unset metric means inner product");
    assertEquals(1, alpha.getGeneration());
    assertFalse(alpha.getRebuilding());

    List<CollectionInfo> listed = index.blocking()
        .listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList();
    assertEquals(List.of(alpha, beta), listed, "listed in name order");
    assertEquals(beta, index.info("beta"));

    index.blocking().dropCollection(DropCollectionRequest.newBuilder().setName("alpha").build());
    assertEquals(List.of(beta), index.blocking()
        .listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList());
    assertStatus(Status.Code.NOT_FOUND, () -> index.info("alpha"), "alpha");
    assertStatus(Status.Code.NOT_FOUND, () -> index.blocking()
        .dropCollection(DropCollectionRequest.newBuilder().setName("alpha").build()), "alpha");
    assertEquals(0, index.create("alpha", 4, "Flat").getLiveCount(), "a dropped name can be reused, empty");
  }

  @Test
  void upsertedRecordsAreSearchableWithExactScoresAndPayloads() {
    index.create("docs", DIM, "Flat");
    List<Record> all = records("doc-", 300, DIM, 1);
    UpsertResponse written = upsert(index.async(), batch("docs", all.subList(0, 100)),
        batch("docs", all.subList(100, 200)), batch("docs", all.subList(200, 300)));
    assertEquals(300, written.getUpserted());
    assertEquals(0, written.getReplaced());
    CollectionInfo info = index.info("docs");
    assertEquals(300, info.getLiveCount());
    assertEquals(written.getLastSequence(), info.getLastSequence());
    assertTrue(written.getLastSequence() > 0);

    Random rnd = new Random(2);
    SearchRequest.Builder request = SearchRequest.newBuilder().setCollection("docs").setK(10);
    List<float[]> queries = new ArrayList<>();
    for (int q = 0; q < 5; q++) {
      queries.add(IndexGrpcFixture.unitVector(rnd, DIM));
      request.addQueries(query(queries.get(q)));
    }
    SearchResponse plain = index.blocking().search(request.build());
    assertEquals(1, plain.getGeneration());
    assertEquals(5, plain.getResultsCount());
    for (int q = 0; q < 5; q++) {
      assertMatchesBruteForce(all, queries.get(q), 10, plain.getResults(q));
      plain.getResults(q).getHitsList().forEach(h -> assertFalse(h.hasPayload(), "payload not asked for"));
    }
    SearchResponse withPayloads = index.blocking().search(request.setIncludePayloads(true).build());
    for (QueryResult r : withPayloads.getResultsList()) {
      for (Hit h : r.getHitsList()) {
        assertEquals(payloadOf(h.getId()), h.getPayload(), "payload of " + h.getId());
      }
    }
  }

  @Test
  void upsertOfAnExistingIdReplacesIt() {
    index.create("docs", DIM, "Flat");
    index.upsert("docs", records("doc-", 50, DIM, 3));
    List<Record> replacements = records("doc-", 10, DIM, 4);
    UpsertResponse r = index.upsert("docs", replacements);
    assertEquals(10, r.getUpserted());
    assertEquals(10, r.getReplaced());
    CollectionInfo info = index.info("docs");
    assertEquals(50, info.getLiveCount());
    assertEquals(10, info.getTombstoneCount());
    SearchResponse found = index.blocking().search(SearchRequest.newBuilder().setCollection("docs")
        .setK(1).addQueries(query(replacements.get(3))).build());
    Hit top = found.getResults(0).getHits(0);
    assertEquals("doc-3", top.getId());
    assertEquals(1f, top.getScore(), 1e-5, "the new vector, not the old one, is stored");
  }

  @Test
  void getPayloadsAnswersInRequestOrderWithFoundFlags() {
    index.create("docs", DIM, "Flat");
    index.upsert("docs", records("doc-", 5, DIM, 5));
    GetPayloadsResponse r = index.blocking().getPayloads(GetPayloadsRequest.newBuilder()
        .setCollection("docs").addIds("doc-3").addIds("missing").addIds("doc-0").build());
    assertEquals(3, r.getEntriesCount());
    assertEquals("doc-3", r.getEntries(0).getId());
    assertTrue(r.getEntries(0).getFound());
    assertEquals(payloadOf("doc-3"), r.getEntries(0).getPayload());
    assertEquals("missing", r.getEntries(1).getId());
    assertFalse(r.getEntries(1).getFound());
    assertFalse(r.getEntries(1).hasPayload());
    assertEquals(payloadOf("doc-0"), r.getEntries(2).getPayload());
  }

  @Test
  void deletedRecordsNeverComeBackAndKLiveResultsStillDo() {
    index.create("docs", DIM, "HNSW16,Flat");
    List<Record> all = records("doc-", 200, DIM, 6);
    index.upsert("docs", all);
    DeleteResponse d = index.blocking().delete(DeleteRequest.newBuilder().setCollection("docs")
        .addIds("doc-7").addIds("doc-8").addIds("never-there").build());
    assertEquals(2, d.getDeleted());
    assertEquals(1, d.getNotFound());
    assertEquals(index.info("docs").getLastSequence(), d.getLastSequence());
    assertEquals(198, index.info("docs").getLiveCount());

    SearchResponse r = index.blocking().search(SearchRequest.newBuilder().setCollection("docs").setK(20)
        .addQueries(query(all.get(7))).addQueries(query(all.get(8))).addQueries(query(all.get(9))).build());
    for (QueryResult result : r.getResultsList()) {
      assertEquals(20, result.getHitsCount(), "k live results although tombstones rank first");
      for (Hit h : result.getHitsList()) {
        assertFalse(h.getId().equals("doc-7") || h.getId().equals("doc-8"), "deleted " + h.getId() + " came back");
      }
    }
    assertEquals("doc-9", r.getResults(2).getHits(0).getId(), "an exact vector finds its own record first");
    GetPayloadsResponse p = index.blocking().getPayloads(GetPayloadsRequest.newBuilder()
        .setCollection("docs").addIds("doc-7").addIds("doc-9").build());
    assertFalse(p.getEntries(0).getFound());
    assertTrue(p.getEntries(1).getFound());
  }

  @Test
  void fewerThanKHitsOnlyWhenTheCollectionHoldsFewer() {
    index.create("docs", DIM, "Flat");
    List<Record> all = records("doc-", 3, DIM, 7);
    index.upsert("docs", all);
    SearchResponse r = index.blocking().search(SearchRequest.newBuilder().setCollection("docs")
        .setK(10).addQueries(query(all.get(0))).build());
    assertEquals(3, r.getResults(0).getHitsCount());
    index.create("empty", DIM, "Flat");
    assertEquals(0, index.blocking().search(SearchRequest.newBuilder().setCollection("empty")
        .setK(10).addQueries(query(all.get(0))).build()).getResults(0).getHitsCount());
  }

  @Test
  void l2AndTrainedIvfSearchesAreExactWhenProbingEveryList() {
    index.blocking().createCollection(CreateCollectionRequest.newBuilder().setName("ivf")
        .setDimension(DIM).setIndexSpec("IVF4,Flat").setMetric(Metric.METRIC_L2).build());
    List<Record> all = records("v-", 400, DIM, 8); // > 4 * 39: the IVF trains
    index.upsert("ivf", all.subList(0, 200));
    index.upsert("ivf", all.subList(200, 400));
    float[] q = IndexGrpcFixture.unitVector(new Random(9), DIM);
    SearchResponse r = index.blocking().search(SearchRequest.newBuilder().setCollection("ivf")
        .setK(15).setNprobe(4).addQueries(query(q)).build());
    assertMatchesBruteForceL2(all, q, 15, r.getResults(0));
  }

  private static void assertMatchesBruteForce(List<Record> records, float[] q, int k, QueryResult actual) {
    List<Hit> expected = records.stream()
        .map(r -> Hit.newBuilder().setId(r.getId()).setScore(dot(r, q)).build())
        .sorted(Comparator.comparingDouble(Hit::getScore).reversed()).limit(k).toList();
    assertHits(expected, actual);
  }

  private static void assertMatchesBruteForceL2(List<Record> records, float[] q, int k, QueryResult actual) {
    List<Hit> expected = records.stream()
        .map(r -> Hit.newBuilder().setId(r.getId()).setScore(l2(r, q)).build())
        .sorted(Comparator.comparingDouble(Hit::getScore)).limit(k).toList();
    assertHits(expected, actual);
  }

  private static void assertHits(List<Hit> expected, QueryResult actual) {
    assertEquals(expected.stream().map(Hit::getId).toList(),
        actual.getHitsList().stream().map(Hit::getId).toList());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).getScore(), actual.getHits(i).getScore(), 1e-4, "score of hit " + i);
    }
  }

  private static float dot(Record r, float[] q) {
    float s = 0;
    for (int j = 0; j < q.length; j++) {
      s += r.getVector(j) * q[j];
    }
    return s;
  }

  private static float l2(Record r, float[] q) {
    float s = 0;
    for (int j = 0; j < q.length; j++) {
      float d = r.getVector(j) - q[j];
      s += d * d;
    }
    return s;
  }
}
