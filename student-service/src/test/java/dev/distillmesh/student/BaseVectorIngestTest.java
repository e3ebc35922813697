package dev.distillmesh.student;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.CollectionModel;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.EncodeResponse;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.Tower;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest writes base embeddings and the index projects them: a collection the student creates
 * keeps base vectors, every document is served as B·base with the collection's one projection B
 * whenever it was ingested (no two towers mixed in one collection), and a collection made without
 * base vectors gets the base embedding as its vector. Real model, real FAISS, gRPC in-process.
 */
class BaseVectorIngestTest {
  private static final int DIM = 384;
  @TempDir
  static Path dir;
  private static Mesh mesh;

  @BeforeAll
  static void start() throws Exception {
    mesh = new Mesh(dir, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    mesh.close();
  }

  private static List<Document> docs(int from, int to) {
    List<Document> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(doc("d" + i, "document number " + i + " is about " + (i % 2 == 0 ? "durable writes" : "searching")
          + " and the topic " + i * 7));
    }
    return out;
  }

  @Test
  void everyDocumentIsServedWithTheCollectionsProjectionWheneverItWasIngested() throws Exception {
    assertTrue(mesh.ingest("kept", "Flat", docs(0, 8)).getCreated());
    CollectionInfo info = mesh.index().getCollection(GetCollectionRequest.newBuilder().setName("kept").build());
    assertTrue(info.getKeepsBaseVectors(), "a collection the student creates keeps base vectors");
    for (Record r : records("kept").values()) {
      assertClose(base(r.getPayload().getText()), floats(r.getBaseVectorList()), 1e-5, r.getId() + " base");
      assertClose(floats(r.getBaseVectorList()), floats(r.getVectorList()), 1e-6, r.getId() + " served, identity");
    }

    float[] b = projection(11);
    mesh.index().reproject(ReprojectRequest.newBuilder().setCollection("kept").setRows(DIM).setCols(DIM)
        .addAllValues(list(b)).setVersion(3).setDescription("response run r1")
        .setExpectedLastSequence(info.getLastSequence()).build());
    assertEquals(8, mesh.ingest("kept", "", docs(8, 16)).getIngested(), "documents ingested after the reprojection");

    Map<String, Record> all = records("kept");
    assertEquals(16, all.size());
    for (Record r : all.values()) {
      float[] base = floats(r.getBaseVectorList());
      assertClose(base(r.getPayload().getText()), base, 1e-5, r.getId() + " base");
      assertClose(multiply(b, base), floats(r.getVectorList()), 1e-4, r.getId() + " served as B·base");
    }

    CollectionModel model = mesh.admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection("kept").build())
        .getCollections(0);
    assertTrue(model.getKeepsBaseVectors());
    assertEquals(3, model.getResponseAdapter().getVersion());
    assertEquals("response run r1", model.getResponseAdapter().getDescription());
    assertTrue(model.getResponseAdapter().getLoadedAtUnixMs() > 0);
    assertEquals(DIM, model.getResponseAdapter().getCols());
    assertEquals(0, model.getContextAdapter().getVersion());

    // What Answer scores: the (identity-adapted) question against B·base.
    QueryResponse answer = mesh.query().answer(AnswerRequest.newBuilder().setCollection("kept")
        .setQuestion("durable writes").setK(1).build());
    float[] q = floats(mesh.query().encode(EncodeRequest.newBuilder().addTexts("durable writes")
        .setTower(Tower.TOWER_CONTEXT).setCollection("kept").build()).getEmbeddings(0).getValuesList());
    float[] served = multiply(b, floats(all.get(answer.getCandidates(0).getId()).getBaseVectorList()));
    assertEquals(dot(q, served), answer.getCandidates(0).getScore(), 1e-4);
  }

  @Test
  void aCollectionWithoutBaseVectorsGetsTheBaseEmbeddingAsItsVector() throws Exception {
    mesh.index().createCollection(CreateCollectionRequest.newBuilder().setName("plain").setDimension(DIM)
        .setIndexSpec("Flat").build());
    assertFalse(mesh.ingest("plain", "", docs(0, 4)).getCreated());
    for (Record r : records("plain").values()) {
      assertEquals(0, r.getBaseVectorCount(), r.getId());
      assertClose(base(r.getPayload().getText()), floats(r.getVectorList()), 1e-5, r.getId());
    }
    CollectionModel model = mesh.admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection("plain").build())
        .getCollections(0);
    assertFalse(model.getKeepsBaseVectors());
    assertEquals(0, model.getResponseAdapter().getVersion());
  }

  /** The response tower's embedding of a text, as the student's Encode gives it. */
  private static float[] base(String text) {
    EncodeResponse r = mesh.query().encode(EncodeRequest.newBuilder().addTexts(text).setTower(Tower.TOWER_RESPONSE)
        .build());
    return floats(r.getEmbeddings(0).getValuesList());
  }

  private static Map<String, Record> records(String collection) {
    Map<String, Record> out = new LinkedHashMap<>();
    String token = "";
    do {
      ListRecordsResponse page = mesh.index().listRecords(ListRecordsRequest.newBuilder().setCollection(collection)
          .setIncludeVectors(true).setPageToken(token).build());
      page.getRecordsList().forEach(r -> out.put(r.getId(), r));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }

  /** I + seeded noise: a matrix the adapter rules accept, far enough from I to move every vector. */
  private static float[] projection(long seed) {
    Random random = new Random(seed);
    float[] m = new float[DIM * DIM];
    for (int i = 0; i < m.length; i++) {
      m[i] = (float) (random.nextGaussian() * 0.2 / Math.sqrt(DIM)) + (i % (DIM + 1) == 0 ? 1 : 0);
    }
    return m;
  }

  private static float[] multiply(float[] m, float[] v) {
    float[] out = new float[DIM];
    for (int r = 0; r < DIM; r++) {
      double acc = 0;
      for (int c = 0; c < DIM; c++) {
        acc += (double) m[r * DIM + c] * v[c];
      }
      out[r] = (float) acc;
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double acc = 0;
    for (int i = 0; i < a.length; i++) {
      acc += (double) a[i] * b[i];
    }
    return acc;
  }

  private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tolerance, what + ": component " + i);
    }
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static List<Float> list(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }
}
