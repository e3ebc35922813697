package dev.distillmesh.student.grpc;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.student.Mesh;
import dev.distillmesh.testsupport.RawCalls;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every bad request gets a precise status and message, and the service keeps answering. */
class StudentBadInputTest {
  @TempDir
  static Path dir;
  private static Mesh mesh;

  @BeforeAll
  static void start() throws Exception {
    mesh = new Mesh(dir, Map.of());
    mesh.ingest("faq", "HNSW32,Flat", List.of(doc("a", "the index persists every write"), doc("b", "adapters are matrices")));
    mesh.ingest("flat", "Flat", List.of(doc("a", "flat collection")));
  }

  @AfterAll
  static void stop() throws Exception {
    mesh.close();
  }

  private static void expect(Status.Code code, String fragment, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().contains(fragment),
        "\"" + e.getStatus().getDescription() + "\" should mention \"" + fragment + "\"");
  }

  private static AnswerRequest.Builder answer() {
    return AnswerRequest.newBuilder().setCollection("faq").setQuestion("what is persisted?");
  }

  @Test
  void answerRejectsBadFields() {
    var q = mesh.query();
    expect(Status.Code.INVALID_ARGUMENT, "question is empty", () -> q.answer(answer().setQuestion("").build()));
    expect(Status.Code.INVALID_ARGUMENT, "question is empty", () -> q.answer(answer().setQuestion(" \t\n").build()));
    expect(Status.Code.INVALID_ARGUMENT, "k must be in 1..100", () -> q.answer(answer().setK(-1).build()));
    expect(Status.Code.INVALID_ARGUMENT, "k must be in 1..100", () -> q.answer(answer().setK(101).build()));
    expect(Status.Code.INVALID_ARGUMENT, "ef_search", () -> q.answer(answer().setEfSearch(5000).build()));
    expect(Status.Code.INVALID_ARGUMENT, "collection is empty", () -> q.answer(answer().setCollection("").build()));
    expect(Status.Code.NOT_FOUND, "collection nope does not exist", () -> q.answer(answer().setCollection("nope").build()));
    expect(Status.Code.RESOURCE_EXHAUSTED, "the limit is 16384",
        () -> q.answer(answer().setQuestion("x".repeat(16 * 1024 + 1)).build()));
    expect(Status.Code.INVALID_ARGUMENT, "rejected the search",
        () -> q.answer(answer().setCollection("flat").setEfSearch(64).build()));
    assertTrue(q.answer(answer().build()).getCandidatesCount() >= 2, "still serving");
  }

  @Test
  void respondRejectsBadTurns() {
    var q = mesh.query();
    RespondRequest.Builder r = RespondRequest.newBuilder().setCollection("faq");
    expect(Status.Code.INVALID_ARGUMENT, "turns is empty", () -> q.respond(r.build()));
    expect(Status.Code.INVALID_ARGUMENT, "the last turn", () -> q.respond(r.clone().addTurns("hi").addTurns("  ").build()));
    expect(Status.Code.RESOURCE_EXHAUSTED, "65 turns",
        () -> q.respond(r.clone().addAllTurns(Collections.nCopies(65, "hi")).build()));
    expect(Status.Code.RESOURCE_EXHAUSTED, "turns[0]",
        () -> q.respond(r.clone().addTurns("y".repeat(20_000)).addTurns("hi").build()));
  }

  @Test
  void encodeRejectsBadRequests() {
    var q = mesh.query();
    expect(Status.Code.INVALID_ARGUMENT, "tower must be", () -> q.encode(EncodeRequest.newBuilder().addTexts("x").build()));
    expect(Status.Code.INVALID_ARGUMENT, "texts is empty",
        () -> q.encode(EncodeRequest.newBuilder().setTower(Tower.TOWER_CONTEXT).build()));
    expect(Status.Code.INVALID_ARGUMENT, "texts[1] is empty",
        () -> q.encode(EncodeRequest.newBuilder().setTower(Tower.TOWER_CONTEXT).addTexts("x").addTexts("").build()));
    expect(Status.Code.RESOURCE_EXHAUSTED, "257 texts", () -> q.encode(EncodeRequest.newBuilder()
        .setTower(Tower.TOWER_CONTEXT).addAllTexts(Collections.nCopies(257, "x")).build()));
    for (Tower tower : new Tower[] {Tower.TOWER_CONTEXT, Tower.TOWER_RESPONSE}) {
      expect(Status.Code.INVALID_ARGUMENT, "collection \"a/b\" is not allowed",
          () -> q.encode(EncodeRequest.newBuilder().setTower(tower).addTexts("x").setCollection("a/b").build()));
    }
  }

  @Test
  void loadAdapterRejectsBadMatrices() {
    var a = mesh.admin();
    LoadAdapterRequest.Builder l = LoadAdapterRequest.newBuilder().setTower(Tower.TOWER_CONTEXT).setVersion(1)
        .setRows(384).setCols(384).setCollection("faq");
    expect(Status.Code.INVALID_ARGUMENT, "tower must be", () -> a.loadAdapter(l.clone().setTower(Tower.TOWER_UNSPECIFIED).build()));
    expect(Status.Code.INVALID_ARGUMENT, "collection is empty; name the collection whose queries this adapter encodes",
        () -> a.loadAdapter(adapter(1, 1, "").clearCollection().build()));
    for (String name : new String[] {"../etc", "a b", "x".repeat(65)}) {
      expect(Status.Code.INVALID_ARGUMENT, "is not allowed; allowed [A-Za-z0-9_-]{1,64}",
          () -> a.loadAdapter(adapter(1, 1, "").setCollection(name).build()));
    }
    expect(Status.Code.FAILED_PRECONDITION, "send the matrix to index-service's Reproject for collection faq",
        () -> a.loadAdapter(adapter(1, 1, "").setTower(Tower.TOWER_RESPONSE).build()));
    expect(Status.Code.INVALID_ARGUMENT, "must be 384x384", () -> a.loadAdapter(l.clone().setRows(3).setCols(3).build()));
    expect(Status.Code.INVALID_ARGUMENT, "needs 147456 values", () -> a.loadAdapter(l.clone().addValues(1).build()));
    expect(Status.Code.FAILED_PRECONDITION, "greater than", () -> a.loadAdapter(l.clone().setVersion(0).build()));
    assertEquals(0, faqContextVersion());
  }

  @Test
  void loadAdapterRefusesMatricesVersionsAndDescriptionsThatWouldWreckServing() {
    var a = mesh.admin();
    expect(Status.Code.INVALID_ARGUMENT, "scale", () -> a.loadAdapter(adapter(1, 3e38f, "").build()));
    expect(Status.Code.INVALID_ARGUMENT, "scale", () -> a.loadAdapter(adapter(1, 0, "").build()));
    expect(Status.Code.INVALID_ARGUMENT, "not positive definite", () -> a.loadAdapter(adapter(1, -1, "").build()));
    expect(Status.Code.INVALID_ARGUMENT, "jumps more than 1000000",
        () -> a.loadAdapter(adapter(Long.MAX_VALUE, 1, "").build()));
    expect(Status.Code.INVALID_ARGUMENT, "allowed at most 1024",
        () -> a.loadAdapter(adapter(1, 1, "d".repeat(100_000)).build()));
    assertEquals(0, faqContextVersion());
  }

  private static long faqContextVersion() {
    return mesh.admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection("faq").build()).getCollections(0)
        .getContextAdapter().getVersion();
  }

  private static LoadAdapterRequest.Builder adapter(long version, float diagonal, String description) {
    LoadAdapterRequest.Builder l = LoadAdapterRequest.newBuilder().setTower(Tower.TOWER_CONTEXT).setVersion(version)
        .setRows(384).setCols(384).setDescription(description).setCollection("faq");
    for (int i = 0; i < 384 * 384; i++) {
      l.addValues(i % 385 == 0 ? diagonal : 0);
    }
    return l;
  }

  @Test
  void collectionNamesFollowTheIndexRuleAndAreTheCallersError() {
    var q = mesh.query();
    for (String name : new String[] {"../etc", "a b", "x".repeat(65), "caf\u00e9"}) {
      expect(Status.Code.INVALID_ARGUMENT, "is not allowed; allowed [A-Za-z0-9_-]{1,64}",
          () -> q.answer(answer().setCollection(name).build()));
      expect(Status.Code.INVALID_ARGUMENT, "is not allowed",
          () -> q.respond(RespondRequest.newBuilder().setCollection(name).addTurns("hi").build()));
      expect(Status.Code.INVALID_ARGUMENT, "is not allowed", () -> mesh.ingest(name, "", List.of(doc("a", "x"))));
      expect(Status.Code.INVALID_ARGUMENT, "is not allowed",
          () -> mesh.admin().getModelInfo(GetModelInfoRequest.newBuilder().setCollection(name).build()));
    }
  }

  @Test
  void invalidMetadataIsExplainedInTheProductsWords() {
    for (String json : new String[] {"{id: 1}", "{\"a\":", "{\"a\": 1,}", "{\"a\": NaN}", "{} {}"}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> mesh.ingest("faq", "",
          List.of(doc("m", "x").toBuilder().setMetadataJson(json).build())));
      String d = e.getStatus().getDescription();
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), json + ": " + d);
      assertTrue(d.startsWith("documents[0].metadata_json (id m) "), d);
      assertTrue(!d.contains("http") && !d.contains("setStrictness") && !d.contains("Troubleshooting")
          && !d.contains("path $"), json + ": the JSON library's own text leaked: " + d);
    }
    expect(Status.Code.INVALID_ARGUMENT, "is not valid JSON (at line 1, column ", () -> mesh.ingest("faq", "",
        List.of(doc("m", "x").toBuilder().setMetadataJson("{id: 1}").build())));
  }

  @Test
  void bytesThatAreNotAProtobufMessageAreInvalidArgument() {
    // field 1 (question) says 100 bytes follow, then the message ends; and a tag of field 0.
    for (byte[] request : new byte[][] {{0x0A, 0x64, 'h', 'i'}, {0x00, 0x01}, {(byte) 0xFF, (byte) 0xFF}}) {
      expect(Status.Code.INVALID_ARGUMENT, "not a protobuf message",
          () -> RawCalls.unary(mesh.studentChannel(), StudentServiceGrpc.getAnswerMethod(), request));
    }
    assertTrue(mesh.query().answer(answer().build()).getCandidatesCount() >= 2, "still serving");
  }

  @Test
  void ingestRejectsBadDocuments() {
    expect(Status.Code.INVALID_ARGUMENT, "must name the collection", () -> mesh.ingest("", "", List.of(doc("a", "x"))));
    expect(Status.Code.INVALID_ARGUMENT, "documents[1].id \"a\" appears twice",
        () -> mesh.ingest("faq", "", List.of(doc("a", "x"), doc("a", "y"))));
    expect(Status.Code.INVALID_ARGUMENT, "documents[0].text (id a) is empty", () -> mesh.ingest("faq", "", List.of(doc("a", ""))));
    expect(Status.Code.INVALID_ARGUMENT, "documents[0].id is empty", () -> mesh.ingest("faq", "", List.of(doc("", "x"))));
    expect(Status.Code.INVALID_ARGUMENT, "must be a JSON object", () -> mesh.ingest("faq", "",
        List.of(doc("a", "x").toBuilder().setMetadataJson("[1]").build())));
    expect(Status.Code.INVALID_ARGUMENT, "index spec", () -> mesh.ingest("newcoll", "HNSW9999", List.of(doc("a", "x"))));
    expect(Status.Code.INVALID_ARGUMENT, "must name the same collection", () -> {
      ClientStream<IngestRequest, IngestResponse> s = ClientStream.open(StudentAdminGrpc.newStub(mesh.studentChannel())
          .withDeadlineAfter(60, TimeUnit.SECONDS)::ingest);
      s.send(IngestRequest.newBuilder().setCollection("faq").addDocuments(doc("c", "x")).build());
      s.send(IngestRequest.newBuilder().setCollection("other").addDocuments(doc("d", "y")).build());
      s.finish();
    });
  }

  @Test
  void textThatIsNotUtf8IsInvalidArgument() {
    // field 1 (question) = the bytes C3 28, an invalid two-byte sequence; field 3 (collection) = "faq"
    byte[] request = {0x0A, 0x02, (byte) 0xC3, 0x28, 0x1A, 0x03, 'f', 'a', 'q'};
    expect(Status.Code.INVALID_ARGUMENT, "not valid UTF-8",
        () -> RawCalls.unary(mesh.studentChannel(), StudentServiceGrpc.getAnswerMethod(), request));
    assertTrue(mesh.query().answer(answer().build()).getCandidatesCount() >= 2, "still serving");
  }

  @Test
  void anExpiredDeadlineIsDeadlineExceeded() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> StudentServiceGrpc
        .newBlockingStub(mesh.studentChannel()).withDeadlineAfter(1, TimeUnit.MICROSECONDS).answer(answer().build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
  }
}
