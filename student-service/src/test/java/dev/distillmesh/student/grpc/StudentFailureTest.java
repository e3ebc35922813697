package dev.distillmesh.student.grpc;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.CollectionModel;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.ModelInfo;
import dev.distillmesh.student.Mesh;
import dev.distillmesh.student.StudentServerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dead index gives a clear UNAVAILABLE (then fails fast), health follows it; admin rpcs need the token. */
class StudentFailureTest {
  @Test
  void aDeadIndexIsUnavailableNotAHangAndHealthSaysSo(@TempDir Path dir) throws Exception {
    try (Mesh mesh = new Mesh(dir, Map.of())) {
      mesh.ingest("faq", "Flat", List.of(doc("a", "some text")));
      AnswerRequest request = AnswerRequest.newBuilder().setCollection("faq").setQuestion("text").build();
      assertEquals(1, mesh.query().answer(request).getCandidatesCount());
      awaitHealth(mesh, ServingStatus.SERVING);

      mesh.admin().loadAdapter(StudentGrpcTest.doubling("faq", 2));
      mesh.admin().loadAdapter(StudentGrpcTest.doubling("trained-elsewhere", 1));

      mesh.stopIndex();
      // The student's side is still reported, and why the index's is missing.
      ModelInfo info = mesh.admin().getModelInfo(GetModelInfoRequest.getDefaultInstance());
      assertTrue(info.getIndexError().contains("index-service"), info.getIndexError());
      assertEquals(List.of("faq", "trained-elsewhere"),
          info.getCollectionsList().stream().map(CollectionModel::getCollection).toList());
      assertEquals(2, info.getCollections(0).getContextAdapter().getVersion());
      assertFalse(info.getCollections(0).hasResponseAdapter(), "unknown while the index cannot be asked");
      assertEquals(1, info.getCollections(1).getContextAdapter().getVersion());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> mesh.query().answer(request));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
      assertTrue(e.getStatus().getDescription().contains("index-service"), e.getStatus().getDescription());
      // Enough failures open the circuit breaker: later calls fail at once, saying so.
      String last = "";
      for (int i = 0; i < 20; i++) {
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> mesh.query().answer(request));
        assertEquals(Status.Code.UNAVAILABLE, again.getStatus().getCode());
        last = again.getStatus().getDescription();
      }
      assertTrue(last.toLowerCase().contains("open"), "breaker named in: " + last);
      awaitHealth(mesh, ServingStatus.NOT_SERVING);
    }
  }

  private static void awaitHealth(Mesh mesh, ServingStatus expected) throws InterruptedException {
    ServingStatus seen = null;
    for (int i = 0; i < 200 && seen != expected; i++) {
      seen = HealthGrpc.newBlockingStub(mesh.studentChannel()).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
      if (seen != expected) {
        Thread.sleep(50);
      }
    }
    assertEquals(expected, seen);
  }

  @Test
  void adminRpcsNeedTheTokenAndTheStudentPresentsItToTheIndex(@TempDir Path dir) throws Exception {
    try (Mesh mesh = new Mesh(dir, Map.of(StudentServerConfig.ENV_ADMIN_TOKEN, "s3cret"))) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> mesh.admin().getModelInfo(GetModelInfoRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      StatusRuntimeException wrong = assertThrows(StatusRuntimeException.class, () -> mesh.admin()
          .withCallCredentials(new BearerToken("nope")).getModelInfo(GetModelInfoRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
      assertEquals("all-minilm-l6-v2", mesh.admin().withCallCredentials(new BearerToken("s3cret"))
          .getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModel());
      StatusRuntimeException noToken = assertThrows(StatusRuntimeException.class,
          () -> mesh.ingest("faq", "Flat", List.of(doc("a", "x"))));
      assertEquals(Status.Code.UNAUTHENTICATED, noToken.getStatus().getCode());
      // With the token, ingest works end to end: the student presents it to the (also protected) index.
      assertEquals(1, mesh.ingest("faq", "Flat", List.of(doc("a", "x")), new BearerToken("s3cret")).getIngested());
      // Queries stay open.
      assertEquals(1, mesh.query().answer(AnswerRequest.newBuilder().setCollection("faq").setQuestion("x").build())
          .getCandidatesCount());
    }
  }

  @Test
  void anIndexThatRefusesTheStudentsTokenIsAFailedPreconditionNamingTheIndex(@TempDir Path dir) throws Exception {
    try (Mesh mesh = new Mesh(dir, Map.of(StudentServerConfig.ENV_ADMIN_TOKEN, "index-token"),
        Map.of(StudentServerConfig.ENV_ADMIN_TOKEN, "student-token"), null)) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> mesh.ingest("faq", "Flat", List.of(doc("a", "x")), new BearerToken("student-token")));
      // Not the client's credential (the student took it) and not a bug: the operator's configuration.
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getStatus().toString());
      assertTrue(e.getStatus().getDescription().startsWith("index-service ("), e.getStatus().getDescription());
      assertTrue(e.getStatus().getDescription().contains("refused this service's credential (UNAUTHENTICATED"),
          e.getStatus().getDescription());
    }
  }
}
