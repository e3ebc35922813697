package dev.distillmesh.index.grpc;

import static dev.distillmesh.index.grpc.IndexGrpcFixture.assertStatus;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.batch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.header;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.query;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.rebuildBatch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.record;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.records;
import static io.grpc.Status.Code.ALREADY_EXISTS;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.OUT_OF_RANGE;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.testsupport.RawCalls;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every malformed request gets the exact status code the proto documents and a message naming the
 * problem; none of them changes a collection. The cases run in order against one server, and the
 * last one checks that it still searches and writes.
 */
class IndexGrpcValidationTest {
  private static final int DIM = 4;
  private static final String FLAT = "flat";
  private static final String IVF = "ivf";
  private static final String HNSW = "hnsw";
  private static final String SCRATCH = "scratch";
  private static final float[] OK = {0.5f, 0.5f, 0.5f, 0.5f};

  @TempDir Path dataDir;
  private IndexGrpcFixture index;
  private List<Record> seeded;
  private long seededSequence;

  @BeforeEach
  void startServer() throws Exception {
    index = IndexGrpcFixture.start(dataDir);
    index.create(FLAT, DIM, "Flat");
    index.create(IVF, DIM, "IVF4,Flat");
    index.create(HNSW, DIM, "HNSW8,Flat");
    index.create(SCRATCH, DIM, "Flat");
    seeded = records("seed-", 10, DIM, 1);
    seededSequence = index.upsert(FLAT, seeded).getLastSequence();
  }

  @AfterEach
  void stopServer() throws Exception {
    index.close();
  }

  @TestFactory
  List<DynamicTest> badRequestsGetExactStatusesAndChangeNothing() {
    List<DynamicTest> cases = new ArrayList<>();
    // Upsert records
    bad(cases, "upsert: wrong dimension", INVALID_ARGUMENT, () -> upsert(record("a", 1, 2, 3)),
        "records[0].vector", "dimension 3", "dimension is 4");
    bad(cases, "upsert: NaN", INVALID_ARGUMENT, () -> upsert(record("a", 1, Float.NaN, 0, 0)),
        "records[0].vector[1]", "NaN", "finite");
    bad(cases, "upsert: +Inf", INVALID_ARGUMENT,
        () -> upsert(record("a", 1, 0, Float.POSITIVE_INFINITY, 0)), "records[0].vector[2]", "Infinity");
    bad(cases, "upsert: Float.MAX_VALUE", INVALID_ARGUMENT,
        () -> upsert(record("a", Float.MAX_VALUE, 0, 0, 0)), "records[0].vector[0]", "-1e6..1e6");
    bad(cases, "upsert: -1.5e6", INVALID_ARGUMENT,
        () -> upsert(record("a", 0, 0, 0, -1.5e6f)), "records[0].vector[3]", "-1e6..1e6");
    bad(cases, "upsert: 4097 records", RESOURCE_EXHAUSTED,
        () -> upsert(records("big-", 4097, DIM, 2).toArray(Record[]::new)), "4097", "4096");
    bad(cases, "upsert: duplicate id", INVALID_ARGUMENT,
        () -> upsert(record("twin", OK), record("x", OK), record("twin", OK)), "records[2].id", "twin", "twice");
    bad(cases, "upsert: empty id", INVALID_ARGUMENT, () -> upsert(record("", OK)), "records[0].id", "empty");
    bad(cases, "upsert: id over 256 bytes", RESOURCE_EXHAUSTED,
        () -> upsert(record("x".repeat(257), OK)), "records[0].id", "257 bytes", "256");
    bad(cases, "upsert: metadata a JSON array", INVALID_ARGUMENT,
        () -> upsert(withMetadata("[1,2]")), "records[0].payload.metadata_json", "JSON object");
    bad(cases, "upsert: metadata not JSON", INVALID_ARGUMENT,
        () -> upsert(withMetadata("{id: ")), "records[0].payload.metadata_json", "not valid JSON");
    for (String json : new String[] {"{\"a\":", "{\"a\": 1,}", "{'a': 1}", "{\"a\": NaN}", "{} {}"}) {
      bad(cases, "upsert: metadata " + json, INVALID_ARGUMENT, () -> upsert(withMetadata(json)),
          "records[0].payload.metadata_json", "(at line 1, column ");
      cases.add(dynamicTest("upsert: metadata " + json + " is explained in the product's words", () -> {
        String d = assertStatus(INVALID_ARGUMENT, () -> upsert(withMetadata(json))).getStatus().getDescription();
        assertFalse(d.contains("http") || d.contains("setStrictness") || d.contains("path $"), d);
      }));
    }
    bad(cases, "upsert: text over 64 KiB", RESOURCE_EXHAUSTED, () -> upsert(record("a", OK).toBuilder()
        .setPayload(Payload.newBuilder().setText("t".repeat(64 * 1024 + 1))).build()),
        "records[0].payload.text", "65537");
    bad(cases, "upsert: empty batch", INVALID_ARGUMENT, () -> upsert(), "no records");
    bad(cases, "upsert: no batches", INVALID_ARGUMENT,
        () -> IndexGrpcFixture.upsert(index.async()), "no batches");
    bad(cases, "upsert: unknown collection", NOT_FOUND,
        () -> IndexGrpcFixture.upsert(index.async(), batch("nope", List.of(record("a", OK)))), "nope");
    bad(cases, "upsert: batches name different collections", INVALID_ARGUMENT,
        () -> IndexGrpcFixture.upsert(index.async(), batch(SCRATCH, List.of(record("s", OK))),
            batch(FLAT, List.of(record("f", OK)))), SCRATCH, FLAT, "same collection");
    // Search
    bad(cases, "search: wrong dimension", INVALID_ARGUMENT, () -> search(FLAT, 5, query(1, 2)),
        "queries[0]", "dimension 2");
    bad(cases, "search: NaN", INVALID_ARGUMENT, () -> search(FLAT, 5, query(OK), query(0, 0, Float.NaN, 0)),
        "queries[1][2]", "NaN");
    bad(cases, "search: +Inf", INVALID_ARGUMENT, () -> search(FLAT, 5, query(Float.POSITIVE_INFINITY, 0, 0, 0)),
        "queries[0][0]", "Infinity");
    bad(cases, "search: Float.MAX_VALUE", INVALID_ARGUMENT, () -> search(FLAT, 5, query(Float.MAX_VALUE, 0, 0, 0)),
        "queries[0][0]", "-1e6..1e6");
    bad(cases, "search: -Float.MAX_VALUE in HNSW", INVALID_ARGUMENT,
        () -> search(HNSW, 5, query(OK), query(0, -Float.MAX_VALUE, 0, 0)), "queries[1][1]", "-1e6..1e6");
    bad(cases, "search: undecodable bytes", INVALID_ARGUMENT, () -> RawCalls.unary(index.channel(),
        dev.distillmesh.proto.index.v1.IndexServiceGrpc.getSearchMethod(), new byte[] {0x0A, 0x64, 'f'}),
        "Search request is not a protobuf message");
    bad(cases, "search: k=0", INVALID_ARGUMENT, () -> search(FLAT, 0, query(OK)), "k 0", "1..1000");
    bad(cases, "search: k=1001", INVALID_ARGUMENT, () -> search(FLAT, 1001, query(OK)), "k 1001", "1..1000");
    bad(cases, "search: no queries", INVALID_ARGUMENT, () -> search(FLAT, 5), "queries is empty");
    bad(cases, "search: 1025 queries", RESOURCE_EXHAUSTED,
        () -> search(FLAT, 5, Collections.nCopies(1025, query(OK)).toArray(QueryVector[]::new)), "1025", "1024");
    bad(cases, "search: unknown collection", NOT_FOUND, () -> search("nope", 5, query(OK)), "nope");
    bad(cases, "search: empty collection name", INVALID_ARGUMENT, () -> search("", 5, query(OK)),
        "collection name is empty");
    bad(cases, "search: ef_search on Flat", INVALID_ARGUMENT,
        () -> index.blocking().search(searchRequest(FLAT).setEfSearch(64).build()), "ef_search", "Flat");
    bad(cases, "search: ef_search 4097 on HNSW", INVALID_ARGUMENT,
        () -> index.blocking().search(searchRequest(HNSW).setEfSearch(4097).build()), "ef_search 4097", "4096");
    bad(cases, "search: nprobe on Flat", INVALID_ARGUMENT,
        () -> index.blocking().search(searchRequest(FLAT).setNprobe(1).build()), "nprobe", "Flat");
    bad(cases, "search: nprobe > nlist on IVF", OUT_OF_RANGE,
        () -> index.blocking().search(searchRequest(IVF).setNprobe(5).build()), "nprobe 5", "1..4");
    // Delete and GetPayloads
    bad(cases, "delete: no ids", INVALID_ARGUMENT, () -> index.blocking()
        .delete(DeleteRequest.newBuilder().setCollection(FLAT).build()), "ids is empty");
    bad(cases, "delete: an empty id", INVALID_ARGUMENT, () -> index.blocking()
        .delete(DeleteRequest.newBuilder().setCollection(FLAT).addIds("seed-1").addIds("").build()),
        "ids[1]", "empty");
    bad(cases, "delete: 4097 ids", RESOURCE_EXHAUSTED, () -> index.blocking().delete(DeleteRequest.newBuilder()
        .setCollection(FLAT).addAllIds(Collections.nCopies(4097, "seed-1")).build()), "4097", "4096");
    bad(cases, "delete: unknown collection", NOT_FOUND, () -> index.blocking()
        .delete(DeleteRequest.newBuilder().setCollection("nope").addIds("a").build()), "nope");
    bad(cases, "getPayloads: no ids", INVALID_ARGUMENT, () -> index.blocking()
        .getPayloads(GetPayloadsRequest.newBuilder().setCollection(FLAT).build()), "ids is empty");
    bad(cases, "getPayloads: unknown collection", NOT_FOUND, () -> index.blocking()
        .getPayloads(GetPayloadsRequest.newBuilder().setCollection("nope").addIds("a").build()), "nope");
    // CreateCollection
    bad(cases, "create: bad name", INVALID_ARGUMENT, () -> index.create("bad name!", DIM, "Flat"),
        "bad name!", "[A-Za-z0-9_-]{1,64}");
    bad(cases, "create: name of 65 chars", INVALID_ARGUMENT, () -> index.create("n".repeat(65), DIM, "Flat"),
        "[A-Za-z0-9_-]{1,64}");
    bad(cases, "create: spec PQ8", INVALID_ARGUMENT, () -> index.create("c1", DIM, "PQ8"), "PQ8", "HNSW<M>,Flat");
    bad(cases, "create: HNSW M=2", INVALID_ARGUMENT, () -> index.create("c1", DIM, "HNSW2,Flat"), "M=2", "4..128");
    bad(cases, "create: dimension 0", INVALID_ARGUMENT, () -> index.create("c1", 0, "Flat"),
        "dimension 0", "1..4096");
    bad(cases, "create: dimension 4097", INVALID_ARGUMENT, () -> index.create("c1", 4097, "Flat"),
        "dimension 4097");
    bad(cases, "create: unknown metric", INVALID_ARGUMENT, () -> index.blocking().createCollection(
        CreateCollectionRequest.newBuilder().setName("c1").setDimension(DIM).setMetricValue(7).build()), "metric");
    bad(cases, "create: duplicate name", ALREADY_EXISTS, () -> index.create(FLAT, DIM, "Flat"), FLAT);
    // Rebuild
    bad(cases, "rebuild: batch before header", INVALID_ARGUMENT, () -> IndexGrpcFixture.rebuild(index.async(),
        rebuildBatch(List.of(record("r", OK))), header(FLAT, "")), "first Rebuild message", "header");
    bad(cases, "rebuild: second header", INVALID_ARGUMENT, () -> IndexGrpcFixture.rebuild(index.async(),
        header(FLAT, ""), rebuildBatch(List.of(record("r", OK))), header(FLAT, "")), "exactly one header");
    bad(cases, "rebuild: header only", INVALID_ARGUMENT,
        () -> IndexGrpcFixture.rebuild(index.async(), header(FLAT, "")), "no records");
    bad(cases, "rebuild: empty stream", INVALID_ARGUMENT,
        () -> IndexGrpcFixture.rebuild(index.async()), "before its header");
    bad(cases, "rebuild: bad record", INVALID_ARGUMENT, () -> IndexGrpcFixture.rebuild(index.async(),
        header(FLAT, ""), rebuildBatch(List.of(record("r", 1, 2)))), "records[0].vector", "dimension 2");
    bad(cases, "rebuild: bad spec", INVALID_ARGUMENT, () -> IndexGrpcFixture.rebuild(index.async(),
        header(FLAT, "PQ8"), rebuildBatch(List.of(record("r", OK)))), "PQ8");
    bad(cases, "rebuild: unknown collection", NOT_FOUND, () -> IndexGrpcFixture.rebuild(index.async(),
        header("nope", ""), rebuildBatch(List.of(record("r", OK)))), "nope");
    cases.add(dynamicTest("afterwards: nothing changed and the server still serves", this::stillServing));
    return cases;
  }

  private void stillServing() {
    CollectionInfo flat = index.info(FLAT);
    assertEquals(seeded.size(), flat.getLiveCount(), "no bad batch was applied");
    assertEquals(1, flat.getGeneration(), "no bad rebuild swapped");
    assertFalse(flat.getRebuilding(), "every failed rebuild was abandoned");
    assertEquals(seededSequence, flat.getLastSequence(), "nothing was logged");
    assertEquals(List.of(FLAT, HNSW, IVF, SCRATCH), index.blocking()
        .listCollections(ListCollectionsRequest.getDefaultInstance()).getCollectionsList().stream()
        .map(CollectionInfo::getName).toList(), "no bad create left a collection behind");
    assertEquals(1, index.info(SCRATCH).getLiveCount(),
        "the batch before the mismatching one was applied, the mismatching one was not");
    var hit = index.blocking().search(searchRequest(FLAT).setK(1).clearQueries().addQueries(query(seeded.get(4)))
        .build()).getResults(0).getHits(0);
    assertEquals("seed-4", hit.getId());
    assertTrue(index.upsert(FLAT, List.of(record("after", OK))).getLastSequence() > seededSequence,
        "still writable");
    assertTrue(index.blocking().getPayloads(GetPayloadsRequest.newBuilder().setCollection(FLAT)
        .addIds("after").build()).getEntries(0).getFound());
  }

  private static void bad(List<DynamicTest> cases, String name, Status.Code code, Executable call,
      String... fragments) {
    cases.add(dynamicTest(name + " -> " + code, () -> assertStatus(code, call, fragments)));
  }

  private void upsert(Record... records) {
    IndexGrpcFixture.upsert(index.async(), UpsertRequest.newBuilder().setCollection(FLAT)
        .addAllRecords(List.of(records)).build());
  }

  private void search(String collection, int k, QueryVector... queries) {
    index.blocking().search(SearchRequest.newBuilder().setCollection(collection).setK(k)
        .addAllQueries(List.of(queries)).build());
  }

  private static SearchRequest.Builder searchRequest(String collection) {
    return SearchRequest.newBuilder().setCollection(collection).setK(5).addQueries(query(OK));
  }

  private static Record withMetadata(String json) {
    return record("a", OK).toBuilder()
        .setPayload(Payload.newBuilder().setText("t").setMetadataJson(json)).build();
  }
}
