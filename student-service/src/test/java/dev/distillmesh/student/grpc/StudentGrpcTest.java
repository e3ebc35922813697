package dev.distillmesh.student.grpc;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.student.v1.AdapterInfo;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.CollectionModel;
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
  void encodeReturnsUnitVectorsOfTheBackbone() {
    EncodeResponse base = mesh.query().encode(EncodeRequest.newBuilder().addTexts("hello").addTexts("world")
        .setTower(Tower.TOWER_RESPONSE).build());
    assertEquals(2, base.getEmbeddingsCount());
    assertEquals(384, base.getEmbeddings(0).getValuesCount());
    double norm = 0;
    for (float v : base.getEmbeddings(0).getValuesList()) {
      norm += v * v;
    }
    assertEquals(1.0, norm, 1e-4);
    assertEquals(0, base.getAdapterVersion());
    ModelInfo info = mesh.admin().getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals("all-minilm-l6-v2", info.getModel());
    assertEquals(384, info.getDimension());
    assertEquals("mean", info.getPooling());
  }

  /**
   * The bug of one adapter for every collection: an adapter published for collection A moved the
   * answers of an unrelated collection B. Now A's queries (Answer, Respond and Encode with A) use
   * A's adapter, and B's stay bit-identical.
   */
  @Test
  void anAdapterForOneCollectionChangesItsAnswersAndLeavesAnotherBitIdentical() throws Exception {
    List<dev.distillmesh.proto.student.v1.Document> docs = new java.util.ArrayList<>();
    for (int i = 0; i < FAQ.size(); i++) {
      docs.add(doc("faq-" + i, FAQ.get(i)));
    }
    mesh.ingest("iso-a", "Flat", docs);
    mesh.ingest("iso-b", "Flat", docs);
    String question = "will my data survive if the machine crashes?";
    QueryResponse aBefore = ask("iso-a", question);
    QueryResponse bBefore = ask("iso-b", question);
    RespondRequest turns = RespondRequest.newBuilder().setCollection("iso-b").setK(3).addTurns("my data")
        .addTurns("what happens after a crash?").build();
    QueryResponse bRespondBefore = mesh.query().respond(turns);
    EncodeResponse bEncodeBefore = encodeContext("iso-b", false);

    AdapterInfo installed = mesh.admin().loadAdapter(doubling("iso-a", 1));
    assertEquals("iso-a", installed.getCollection());
    assertEquals(Tower.TOWER_CONTEXT, installed.getTower());
    assertEquals(1, installed.getVersion());

    QueryResponse aAfter = ask("iso-a", question);
    assertEquals(1, aAfter.getContextAdapterVersion());
    assertEquals(aBefore.getCandidatesCount(), aAfter.getCandidatesCount());
    for (int i = 0; i < aBefore.getCandidatesCount(); i++) {
      assertEquals(aBefore.getCandidates(i).getId(), aAfter.getCandidates(i).getId());
      assertEquals(2 * aBefore.getCandidates(i).getScore(), aAfter.getCandidates(i).getScore(), 1e-5,
          "A's query is encoded with A's adapter 2I");
    }
    assertEquals(bBefore, ask("iso-b", question), "B's answer is bit-identical");
    assertEquals(bRespondBefore, mesh.query().respond(turns), "B's dialogue answer is bit-identical");
    assertEquals(bEncodeBefore, encodeContext("iso-b", false), "B's encoding is bit-identical");

    EncodeResponse plain = encodeContext("", false);
    EncodeResponse a = encodeContext("iso-a", false);
    EncodeResponse aBase = encodeContext("iso-a", true);
    EncodeResponse aResponse = mesh.query().encode(EncodeRequest.newBuilder().addTexts("hello")
        .setTower(Tower.TOWER_RESPONSE).setCollection("iso-a").build());
    assertEquals(1, a.getAdapterVersion());
    assertEquals(0, plain.getAdapterVersion());
    assertEquals(0, aBase.getAdapterVersion());
    assertEquals(0, aResponse.getAdapterVersion(), "the response tower gives the base embedding: the index projects");
    assertEquals(plain.getEmbeddings(0), bEncodeBefore.getEmbeddings(0), "no collection and B: both the identity");
    for (int d = 0; d < 384; d++) {
      float e = plain.getEmbeddings(0).getValues(d);
      assertEquals(2 * e, a.getEmbeddings(0).getValues(d), 1e-6);
      assertEquals(e, aBase.getEmbeddings(0).getValues(d), 1e-6);
    }

    ModelInfo info = mesh.admin().getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals("", info.getIndexError());
    CollectionModel modelA = collection(info, "iso-a");
    assertEquals(1, modelA.getContextAdapter().getVersion());
    assertEquals("doubling", modelA.getContextAdapter().getDescription());
    assertEquals("iso-a", modelA.getContextAdapter().getCollection());
    assertEquals(0, modelA.getResponseAdapter().getVersion(), "the index's projection: the identity");
    assertEquals(Tower.TOWER_RESPONSE, modelA.getResponseAdapter().getTower());
    assertEquals(384, modelA.getResponseAdapter().getRows());
    assertEquals(0, collection(info, "iso-b").getContextAdapter().getVersion());
    assertTrue(collection(info, "iso-b").hasResponseAdapter());

    // Versions are per collection: B starts at 1 too; A refuses a version it has.
    assertEquals(1, mesh.admin().loadAdapter(doubling("iso-b", 1)).getVersion());
    StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
        () -> mesh.admin().loadAdapter(doubling("iso-a", 1)));
    assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());
  }

  @Test
  void modelInfoListsTheIndexsCollectionsAndTheStudentsAdaptersInNameOrder() {
    mesh.admin().loadAdapter(doubling("only-adapter", 5));
    ModelInfo info = mesh.admin().getModelInfo(GetModelInfoRequest.getDefaultInstance());
    List<String> names = info.getCollectionsList().stream().map(CollectionModel::getCollection).toList();
    assertTrue(names.containsAll(List.of("chat", "faq", "only-adapter")), names.toString());
    assertEquals(names.stream().sorted().toList(), names, "in name order");
    CollectionModel faq = collection(info, "faq");
    assertEquals(0, faq.getContextAdapter().getVersion());
    assertTrue(faq.hasResponseAdapter(), "faq is in the index");
    CollectionModel lonely = collection(info, "only-adapter");
    assertEquals(5, lonely.getContextAdapter().getVersion());
    assertFalse(lonely.hasResponseAdapter(), "not in the index: no projection to report");

    ModelInfo one = mesh.admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection("only-adapter").build());
    assertEquals(List.of(lonely), one.getCollectionsList());
    ModelInfo unknown = mesh.admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection("nowhere").build());
    assertEquals(1, unknown.getCollectionsCount());
    assertEquals(0, unknown.getCollections(0).getContextAdapter().getVersion());
    assertFalse(unknown.getCollections(0).hasResponseAdapter());
  }

  static CollectionModel collection(ModelInfo info, String name) {
    return info.getCollectionsList().stream().filter(c -> c.getCollection().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not listed in " + info.getCollectionsList()));
  }

  private static EncodeResponse encodeContext(String collection, boolean base) {
    return mesh.query().encode(EncodeRequest.newBuilder().addTexts("hello").setTower(Tower.TOWER_CONTEXT)
        .setCollection(collection).setBase(base).build());
  }

  private static QueryResponse ask(String collection, String question) {
    return mesh.query().answer(AnswerRequest.newBuilder().setCollection(collection).setQuestion(question).setK(3).build());
  }

  /** 2I for {@code collection}: scores double, rankings stay. */
  static LoadAdapterRequest doubling(String collection, long version) {
    LoadAdapterRequest.Builder load = LoadAdapterRequest.newBuilder().setTower(Tower.TOWER_CONTEXT)
        .setCollection(collection).setVersion(version).setRows(384).setCols(384).setDescription("doubling");
    for (int i = 0; i < 384 * 384; i++) {
      load.addValues(i % 385 == 0 ? 2f : 0f);
    }
    return load.build();
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
