package dev.distillmesh.index.grpc;

import static dev.distillmesh.index.grpc.IndexGrpcFixture.assertStatus;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.batch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.header;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.payloadOf;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.rebuildBatch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.records;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.unitVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.GetProjectionRequest;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.Projection;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.index.v1.ReprojectResponse;
import dev.distillmesh.proto.index.v1.SearchRequest;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base vectors and Reproject through the gRPC contract (in-process server, real store, real
 * FAISS): what comes back with include_vectors, GetProjection before and after, the projection in
 * GetCollection, and every bad request with its exact status.
 */
class IndexGrpcReprojectTest {
  private static final int DIM = 8;

  @TempDir Path dataDir;
  private IndexGrpcFixture index;
  private List<Record> bases;

  @BeforeEach
  void startServer() throws Exception {
    index = IndexGrpcFixture.start(dataDir);
    CollectionInfo created = index.blocking().createCollection(CreateCollectionRequest.newBuilder()
        .setName("docs").setDimension(DIM).setIndexSpec("HNSW16,Flat").setKeepBaseVectors(true).build());
    assertTrue(created.getKeepsBaseVectors());
    assertEquals(0, created.getProjectionVersion());
    index.create("plain", DIM, "Flat");
    index.upsert("plain", records("p", 10, DIM, 1));
    bases = baseRecords("d", 50, 2);
    index.upsert("docs", bases);
  }

  @AfterEach
  void stopServer() throws Exception {
    index.close();
  }

  private static List<Record> baseRecords(String prefix, int n, long seed) {
    Random rnd = new Random(seed);
    List<Record> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Record.Builder b = Record.newBuilder().setId(prefix + i).setPayload(payloadOf(prefix + i));
      for (float x : unitVector(rnd, DIM)) {
        b.addBaseVector(x);
      }
      out.add(b.build());
    }
    return out;
  }

  /** 2·I plus a small skew-symmetric part: the adapter rules accept it. */
  private static float[] matrix(double scale) {
    float[] m = new float[DIM * DIM];
    for (int r = 0; r < DIM; r++) {
      m[r * DIM + r] = (float) scale;
      for (int c = r + 1; c < DIM; c++) {
        m[r * DIM + c] = 0.05f * (r - c);
        m[c * DIM + r] = -0.05f * (r - c);
      }
    }
    return m;
  }

  private static List<Float> times(float[] m, List<Float> v) {
    List<Float> out = new ArrayList<>(DIM);
    for (int r = 0; r < DIM; r++) {
      double s = 0;
      for (int c = 0; c < DIM; c++) {
        s += (double) m[r * DIM + c] * v.get(c);
      }
      out.add((float) s);
    }
    return out;
  }

  private static ReprojectRequest.Builder reproject(String collection, float[] m, long version) {
    ReprojectRequest.Builder b = ReprojectRequest.newBuilder().setCollection(collection).setRows(DIM).setCols(DIM)
        .setVersion(version).setDescription("run " + version);
    for (float x : m) {
      b.addValues(x);
    }
    return b;
  }

  private static void assertClose(List<Float> expected, List<Float> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), actual.get(i), 1e-5f, "component " + i);
    }
  }

  private Hit top(String collection, List<Float> query) {
    return index.blocking().search(SearchRequest.newBuilder().setCollection(collection).setK(1)
        .addQueries(QueryVector.newBuilder().addAllValues(query)).setIncludeVectors(true).build())
        .getResults(0).getHits(0);
  }

  @Test
  void vectorsComeBackOnRequestAndReprojectServesBTimesBase() {
    Record r = bases.get(7);
    Hit before = top("docs", r.getBaseVectorList());
    assertEquals(r.getId(), before.getId());
    assertEquals(r.getBaseVectorList(), before.getVectorList(), "identity: served = base");
    assertEquals(r.getBaseVectorList(), before.getBaseVectorList());
    Projection identity = index.blocking().getProjection(GetProjectionRequest.newBuilder().setCollection("docs").build());
    assertEquals(0, identity.getVersion());
    assertEquals(DIM, identity.getRows());
    assertEquals(1f, identity.getValues(DIM + 1));
    assertEquals(0f, identity.getValues(1));
    assertEquals(1, identity.getGeneration());
    Projection plainIdentity = index.blocking().getProjection(GetProjectionRequest.newBuilder().setCollection("plain").build());
    assertEquals(DIM * DIM, plainIdentity.getValuesCount());
    Hit plainHit = top("plain", records("p", 10, DIM, 1).get(3).getVectorList());
    assertEquals(records("p", 10, DIM, 1).get(3).getVectorList(), plainHit.getVectorList());
    assertEquals(0, plainHit.getBaseVectorCount());

    float[] b = matrix(2.0);
    long seq = index.info("docs").getLastSequence();
    ReprojectResponse done = index.blocking().reproject(reproject("docs", b, 1).setExpectedLastSequence(seq).build());
    assertEquals(2, done.getGeneration());
    assertEquals(50, done.getRecordCount());
    assertEquals(1, done.getProjectionVersion());
    CollectionInfo info = index.info("docs");
    assertEquals(1, info.getProjectionVersion());
    assertEquals("run 1", info.getProjectionDescription());
    assertTrue(info.getProjectedAtUnixMs() > 0);
    Projection p = index.blocking().getProjection(GetProjectionRequest.newBuilder().setCollection("docs").build());
    assertEquals(1, p.getVersion());
    assertEquals(2, p.getGeneration());
    for (int i = 0; i < b.length; i++) {
      assertEquals(b[i], p.getValues(i));
    }

    List<Float> served = times(b, r.getBaseVectorList());
    Hit after = top("docs", served);
    assertEquals(r.getId(), after.getId());
    assertClose(served, after.getVectorList());
    assertEquals(r.getBaseVectorList(), after.getBaseVectorList());
    PayloadEntry entry = index.blocking().getPayloads(GetPayloadsRequest.newBuilder().setCollection("docs")
        .addIds(r.getId()).addIds("nobody").setIncludeVectors(true).build()).getEntries(0);
    assertTrue(entry.getFound());
    assertClose(served, entry.getVectorList());
    assertEquals(r.getBaseVectorList(), entry.getBaseVectorList());
    PayloadEntry bare = index.blocking().getPayloads(GetPayloadsRequest.newBuilder().setCollection("docs")
        .addIds(r.getId()).build()).getEntries(0);
    assertEquals(0, bare.getVectorCount() + bare.getBaseVectorCount(), "no vectors unless asked for");
    Record listed = index.listPage("docs", 0, "", true).getRecords(7);
    assertEquals(r.getId(), listed.getId());
    assertClose(served, listed.getVectorList());
    assertEquals(r.getBaseVectorList(), listed.getBaseVectorList());
    Record unlisted = index.listPage("docs", 0, "", false).getRecords(7);
    assertEquals(0, unlisted.getVectorCount() + unlisted.getBaseVectorCount());

    Record late = baseRecords("late", 1, 3).get(0);
    index.upsert("docs", List.of(late));
    assertClose(times(b, late.getBaseVectorList()), top("docs", times(b, late.getBaseVectorList())).getVectorList());
    assertEquals(3, IndexGrpcFixture.rebuild(index.async(), header("docs", ""), rebuildBatch(bases)).getGeneration());
    assertEquals(1, index.info("docs").getProjectionVersion(), "a rebuild keeps the projection");
  }

  @Test
  void badReprojectsAreRefusedWithTheirStatus() {
    float[] good = matrix(1.0);
    assertStatus(Status.Code.FAILED_PRECONDITION, () -> index.blocking().reproject(reproject("plain", good, 1).build()),
        "collection plain was created without keep_base_vectors");
    assertStatus(Status.Code.NOT_FOUND, () -> index.blocking().reproject(reproject("nobody", good, 1).build()),
        "collection nobody does not exist");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", good, 1)
        .setRows(DIM + 1).build()), "matrix is 9 x 8; this collection's dimension is 8");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", good, 1)
        .addValues(1f).build()), "values holds 65 floats");
    float[] nan = good.clone();
    nan[5] = Float.NaN;
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", nan, 1).build()),
        "adapter value 5 (row 0, col 5) is NaN");
    float[] inf = good.clone();
    inf[9] = Float.POSITIVE_INFINITY;
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", inf, 1).build()),
        "is Infinity; every value must be finite");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", matrix(-1.0), 1).build()),
        "not positive definite");
    float[] singular = good.clone();
    for (int c = 0; c < DIM; c++) {
      singular[2 * DIM + c] = 0;
      singular[c * DIM + 2] = 0;
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", singular, 1).build()),
        "not positive definite");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", good, 1)
        .setDescription("d".repeat(1025)).build()), "1025 characters; allowed at most 1024");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", good, 1)
        .setExpectedLastSequence(-2).build()), "expected_last_sequence -2 is negative");
    assertStatus(Status.Code.ABORTED, () -> index.blocking().reproject(reproject("docs", good, 1)
        .setExpectedLastSequence(3).build()), "its last_sequence is 50, the reprojection expected 3");
    assertStatus(Status.Code.FAILED_PRECONDITION, () -> index.blocking().reproject(reproject("docs", good, 0).build()),
        "projection version 0 is not greater than the collection's current projection_version 0");
    CollectionInfo unchanged = index.info("docs");
    assertEquals(1, unchanged.getGeneration());
    assertEquals(0, unchanged.getProjectionVersion());
    assertFalse(unchanged.getRebuilding());

    index.blocking().reproject(reproject("docs", good, 2).build());
    assertStatus(Status.Code.FAILED_PRECONDITION, () -> index.blocking().reproject(reproject("docs", good, 2).build()),
        "not greater than the collection's current projection_version 2");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.blocking().reproject(reproject("docs", good, 1_000_003).build()),
        "jumps more than 1000000 past the current version 2");
  }

  @Test
  void aRecordMustCarryTheVectorItsCollectionExpects() {
    List<Float> v = bases.get(0).getBaseVectorList();
    Record withVector = Record.newBuilder().setId("v").addAllVector(v).build();
    Record withBase = Record.newBuilder().setId("b").addAllBaseVector(v).build();
    Record both = Record.newBuilder().setId("both").addAllVector(v).addAllBaseVector(v).build();
    Record neither = Record.newBuilder().setId("none").build();
    Record shortBase = Record.newBuilder().setId("short").addAllBaseVector(v.subList(0, 3)).build();
    Record nanBase = Record.newBuilder().setId("nan").addAllBaseVector(v).setBaseVector(4, Float.NaN).build();
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("docs", List.of(withBase, withVector)),
        "records[1] (id \"v\") carries vector (8 values), but collection docs keeps base vectors: send base_vector");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("docs", List.of(both)), "records[0] (id \"both\") carries vector");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("docs", List.of(neither)),
        "records[0] (id \"none\") has no base_vector");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("docs", List.of(shortBase)),
        "records[0].base_vector has dimension 3; this collection's dimension is 8");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("docs", List.of(nanBase)), "records[0].base_vector[4] is NaN");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("plain", List.of(withBase)),
        "records[0] (id \"b\") carries base_vector, but collection plain was created without keep_base_vectors");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> IndexGrpcFixture.rebuild(index.async(), header("docs", ""),
        rebuildBatch(List.of(withVector))), "records[0] (id \"v\") carries vector");
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> IndexGrpcFixture.rebuild(index.async(), header("plain", ""),
        rebuildBatch(List.of(withBase))), "carries base_vector");
    assertEquals(50, index.info("docs").getLastSequence(), "nothing was written");
    assertEquals(1, index.info("docs").getGeneration());
    assertEquals(1, IndexGrpcFixture.upsert(index.async(), batch("docs", List.of(withBase))).getUpserted());
  }
}
