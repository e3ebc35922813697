package dev.distillmesh.student.grpc;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.EncodeResponse;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.ModelInfo;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.student.Mesh;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The student's rpcs end to end: real model, real FAISS, gRPC in-process. */
class StudentGrpcTest {
  @TempDir
  static Path dir;
  private static Mesh mesh;

  private static final List<String> FAQ = List.of(
      "To stop the services, run the stop script; it sends a polite shutdown signal to each process.",
      "Raising efSearch makes HNSW searches more accurate but slower.",
      "Every acknowledged write is fsynced to the write-ahead log, so it survives a crash.",
      "The admin token is read from an environment variable and never from a command-line flag.",
      "A rebuild streams all records into a new generation and then swaps it in atomically.",
      "Adapters are square matrices applied on top of the frozen encoder; version zero is the identity.");

  @BeforeAll
  static void start() throws Exception {
    mesh = new Mesh(dir, Map.of());
    List<dev.distillmesh.proto.student.v1.Document> docs = new java.util.ArrayList<>();
    for (int i = 0; i < FAQ.size(); i++) {
      docs.add(doc("faq-" + i, FAQ.get(i)));
    }
    IngestResponse r = mesh.ingest("faq", "Flat", docs);
    assertEquals(FAQ.size(), r.getIngested());
    assertTrue(r.getCreated());
    mesh.ingest("chat", "HNSW32,Flat", List.of(
        doc("r1", "You're welcome, glad it helped!"),
        doc("r2", "Try restarting the index service, then run the query again."),
        doc("r3", "It usually takes about ten minutes to build.")));
  }

  @AfterAll
  static void stop() throws Exception {
    mesh.close();
  }

  private static QueryResponse ask(String question) {
    return mesh.query().answer(AnswerRequest.newBuilder().setCollection("faq").setQuestion(question).setK(3).build());
  }

  @Test
  void answerFindsThePassageThatAnswers() {
    assertEquals("faq-2", ask("will my data survive if the machine crashes?").getCandidates(0).getId());
    assertEquals("faq-1", ask("how do I get more accurate search results?").getCandidates(0).getId());
    QueryResponse r = ask("how do I swap in a freshly built index?");
    assertEquals("faq-4", r.getCandidates(0).getId());
    assertEquals(FAQ.get(4), r.getCandidates(0).getText());
    assertEquals(3, r.getCandidatesCount());
    assertTrue(r.getCandidates(0).getScore() >= r.getCandidates(1).getScore());
    assertFalse(r.getInput().getTruncated());
    assertTrue(r.getInput().getTokens() > 5);
    assertEquals(0, r.getContextAdapterVersion());
  }

  @Test
  void defaultKIsTen() {
    QueryResponse r = mesh.query().answer(AnswerRequest.newBuilder().setCollection("faq").setQuestion("anything").build());
    assertEquals(FAQ.size(), r.getCandidatesCount(), "all six, since the collection holds fewer than ten");
  }

  @Test
  void respondUsesTheDialogueAndDropsOldestTurnsThatDoNotFit() {
    QueryResponse r = mesh.query().respond(RespondRequest.newBuilder().setCollection("chat").setK(1)
        .addTurns("my searches return nothing").addTurns("Did you check that the service is up?")
        .addTurns("it is, but queries still fail").build());
    assertEquals("r2", r.getCandidates(0).getId());
    assertEquals(0, r.getInput().getDroppedTurns());

    String longTurn = "this is a long rambling earlier turn about many unrelated things ".repeat(30);
    QueryResponse dropped = mesh.query().respond(RespondRequest.newBuilder().setCollection("chat").setK(1)
        .addTurns(longTurn).addTurns("").addTurns("thanks a lot, that fixed it").build());
    assertEquals(1, dropped.getInput().getDroppedTurns());
    assertFalse(dropped.getInput().getTruncated());
    assertEquals("r1", dropped.getCandidates(0).getId());
  }

  @Test
  void longQuestionsAreTruncatedAndTheResponseSaysSo() {
    QueryResponse r = ask("how do I rebuild ".repeat(200));
    assertTrue(r.getInput().getTruncated());
    assertEquals(256, r.getInput().getTokens());
  }

  @Test
  void encodeReturnsUnitVectorsAndAppliesTheAdapterUnlessBaseIsAsked() {
    EncodeResponse base = mesh.query().encode(EncodeRequest.newBuilder().addTexts("hello").addTexts("world")
        .setTower(Tower.TOWER_RESPONSE).build());
    assertEquals(2, base.getEmbeddingsCount());
    assertEquals(384, base.getEmbeddings(0).getValuesCount());
    double norm = 0;
    for (float v : base.getEmbeddings(0).getValuesList()) {
      norm += v * v;
    }
    assertEquals(1.0, norm, 1e-4);

    float[] twice = new float[384 * 384];
    for (int i = 0; i < 384; i++) {
      twice[i * 384 + i] = 2f;
    }
    LoadAdapterRequest.Builder load = LoadAdapterRequest.newBuilder().setTower(Tower.TOWER_RESPONSE)
        .setVersion(1).setRows(384).setCols(384).setDescription("doubling");
    for (float v : twice) {
      load.addValues(v);
    }
    assertEquals(1, mesh.admin().loadAdapter(load.build()).getVersion());
    EncodeResponse adapted = mesh.query().encode(EncodeRequest.newBuilder().addTexts("hello")
        .setTower(Tower.TOWER_RESPONSE).build());
    EncodeResponse unadapted = mesh.query().encode(EncodeRequest.newBuilder().addTexts("hello")
        .setTower(Tower.TOWER_RESPONSE).setBase(true).build());
    assertEquals(1, adapted.getAdapterVersion());
    assertEquals(0, unadapted.getAdapterVersion());
    for (int d = 0; d < 384; d++) {
      assertEquals(2 * base.getEmbeddings(0).getValues(d), adapted.getEmbeddings(0).getValues(d), 1e-5);
      assertEquals(base.getEmbeddings(0).getValues(d), unadapted.getEmbeddings(0).getValues(d), 1e-5);
    }
    ModelInfo info = mesh.admin().getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals(1, info.getResponseAdapter().getVersion());
    assertEquals("doubling", info.getResponseAdapter().getDescription());
    assertEquals(0, info.getContextAdapter().getVersion());
    assertEquals("all-minilm-l6-v2", info.getModel());
    assertEquals(384, info.getDimension());
    assertEquals("mean", info.getPooling());

    StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> mesh.admin().loadAdapter(load.build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());
  }

  @Test
  void ingestReplacesExistingIdsAndReportsTruncation() throws Exception {
    IngestResponse r = mesh.ingest("replace-test", "", List.of(doc("a", "first text"), doc("b", "word ".repeat(400))));
    assertEquals(2, r.getIngested());
    assertEquals(1, r.getTruncated());
    IngestResponse again = mesh.ingest("replace-test", "", List.of(doc("a", "second text")));
    assertEquals(1, again.getReplaced());
    assertFalse(again.getCreated());
    QueryResponse q = mesh.query().answer(AnswerRequest.newBuilder().setCollection("replace-test")
        .setQuestion("second text").setK(1).build());
    assertEquals("second text", q.getCandidates(0).getText());
  }
}
