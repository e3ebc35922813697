package dev.distillmesh.student.grpc;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.QueryKind;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.TakeTrafficRequest;
import dev.distillmesh.proto.student.v1.TakeTrafficResponse;
import dev.distillmesh.proto.student.v1.TrafficItem;
import dev.distillmesh.student.Mesh;
import dev.distillmesh.student.StudentServerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TakeTraffic end to end: what Answer and Respond served comes out once, failures never; it is an admin call. */
class TrafficGrpcTest {
  private static final BearerToken TOKEN = new BearerToken("s3cret");

  @TempDir
  static Path dir;
  private static Mesh mesh;

  @BeforeAll
  static void start() throws Exception {
    mesh = new Mesh(dir, Map.of(StudentServerConfig.ENV_ADMIN_TOKEN, "s3cret"));
    mesh.ingest("faq", "Flat", List.of(doc("a", "Raising efSearch makes searches more accurate."),
        doc("b", "Every write is fsynced to the log.")), TOKEN);
    mesh.ingest("chat", "Flat", List.of(doc("r1", "You're welcome!"), doc("r2", "Try restarting it.")), TOKEN);
  }

  @AfterAll
  static void stop() throws Exception {
    mesh.close();
  }

  private static StudentAdminGrpc.StudentAdminBlockingStub admin() {
    return mesh.admin().withCallCredentials(TOKEN);
  }

  private static TakeTrafficResponse take(int maxItems, String collection) {
    return admin().takeTraffic(TakeTrafficRequest.newBuilder().setMaxItems(maxItems).setCollection(collection).build());
  }

  @Test
  void answeredQueriesComeOutOnceOldestFirstAndFailedOnesNever() {
    take(10_000, ""); // start empty whatever other tests left
    long before = System.currentTimeMillis();
    mesh.query().answer(AnswerRequest.newBuilder().setCollection("faq").setQuestion("is my data safe?").build());
    mesh.query().respond(RespondRequest.newBuilder().setCollection("chat").addTurns("it broke")
        .addTurns("thanks, that fixed it").build());
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> mesh.query().answer(
        AnswerRequest.newBuilder().setCollection("no-such-collection").setQuestion("anything").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    StatusRuntimeException empty = assertThrows(StatusRuntimeException.class, () -> mesh.query().respond(
        RespondRequest.newBuilder().setCollection("chat").addTurns(" ").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());

    TakeTrafficResponse taken = take(0, "");
    assertEquals(2, taken.getItemsCount(), taken.toString());
    TrafficItem answer = taken.getItems(0);
    assertEquals(QueryKind.QUERY_KIND_ANSWER, answer.getKind());
    assertEquals("faq", answer.getCollection());
    assertEquals("is my data safe?", answer.getQuestion());
    assertEquals(0, answer.getTurnsCount());
    assertTrue(answer.getServedAtUnixMs() >= before && answer.getServedAtUnixMs() <= System.currentTimeMillis());
    TrafficItem respond = taken.getItems(1);
    assertEquals(QueryKind.QUERY_KIND_RESPOND, respond.getKind());
    assertEquals("chat", respond.getCollection());
    assertEquals(List.of("it broke", "thanks, that fixed it"), respond.getTurnsList());
    assertEquals("", respond.getQuestion());
    assertTrue(respond.getServedAtUnixMs() >= answer.getServedAtUnixMs());
    assertEquals(0, taken.getDropped());
    assertEquals(0, taken.getRemaining());

    TakeTrafficResponse again = take(0, "");
    assertEquals(0, again.getItemsCount(), "taking removes");
    assertEquals(0, again.getRemaining());
  }

  @Test
  void aCollectionFilterLeavesTheOtherCollectionsQueries() {
    take(10_000, "");
    mesh.query().answer(AnswerRequest.newBuilder().setCollection("faq").setQuestion("first").build());
    mesh.query().respond(RespondRequest.newBuilder().setCollection("chat").addTurns("hello").build());
    mesh.query().answer(AnswerRequest.newBuilder().setCollection("faq").setQuestion("second").build());

    TakeTrafficResponse chat = take(0, "chat");
    assertEquals(1, chat.getItemsCount());
    assertEquals(List.of("hello"), chat.getItems(0).getTurnsList());
    assertEquals(2, chat.getRemaining());
    TakeTrafficResponse faq = take(1, "faq");
    assertEquals("first", faq.getItems(0).getQuestion());
    assertEquals(1, faq.getRemaining());
    assertEquals("second", take(0, "").getItems(0).getQuestion());
  }

  @Test
  void maxItemsOutOfRangeIsInvalidArgument() {
    for (int bad : new int[] {-1, 10_001}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> take(bad, ""));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertEquals("max_items must be in 1..10000 (0 means 1000), got " + bad, e.getStatus().getDescription());
    }
  }

  @Test
  void withAnAdminTokenTheCallNeedsIt() {
    TakeTrafficRequest request = TakeTrafficRequest.getDefaultInstance();
    StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> mesh.admin().takeTraffic(request));
    assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
    StatusRuntimeException wrong = assertThrows(StatusRuntimeException.class,
        () -> mesh.admin().withCallCredentials(new BearerToken("nope")).takeTraffic(request));
    assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
  }
}
