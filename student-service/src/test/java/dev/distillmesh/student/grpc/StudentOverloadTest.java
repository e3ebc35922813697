package dev.distillmesh.student.grpc;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.distillmesh.common.batch.DynamicBatcher;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.student.HeldSearches;
import dev.distillmesh.student.Mesh;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload is refused at admission, at once, and a call ends at the student's own deadline cap:
 * a real index held open by {@link HeldSearches}, a real model, in-process gRPC.
 */
class StudentOverloadTest {
  private static final int LIMIT = 4;
  private static final AnswerRequest QUESTION =
      AnswerRequest.newBuilder().setCollection("faq").setQuestion("how do I reset my password").build();

  @Test
  void callsBeyondTheInFlightLimitAreRefusedWhileTheAdmittedOnesAreStillHeld(@TempDir Path dir) throws Exception {
    HeldSearches slowIndex = new HeldSearches();
    try (Mesh mesh = new Mesh(dir, Map.of(), slowIndex, "--max-in-flight-queries", String.valueOf(LIMIT))) {
      mesh.ingest("faq", "Flat", List.of(doc("a", "reset a password from the login page"),
          doc("b", "invoices are sent monthly")));
      StudentServiceGrpc.StudentServiceFutureStub async = StudentServiceGrpc.newFutureStub(mesh.studentChannel())
          .withDeadlineAfter(Mesh.DEADLINE_SECONDS, TimeUnit.SECONDS);
      List<ListenableFuture<QueryResponse>> admitted = new ArrayList<>();
      for (int i = 0; i < LIMIT; i++) {
        admitted.add(async.answer(QUESTION));
      }
      slowIndex.awaitHeld(LIMIT); // each admitted call is past the encoder and waits for the index

      List<StatusRuntimeException> refused = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        refused.add(assertThrows(StatusRuntimeException.class, () -> mesh.query().answer(QUESTION)));
      }
      // The limit is shared by the three query rpcs.
      refused.add(assertThrows(StatusRuntimeException.class, () -> mesh.query().respond(RespondRequest.newBuilder()
          .setCollection("faq").addTurns("hello").addTurns("my password does not work").build())));
      refused.add(assertThrows(StatusRuntimeException.class, () -> mesh.query().encode(EncodeRequest.newBuilder()
          .setTower(Tower.TOWER_CONTEXT).addTexts("anything").build())));
      for (StatusRuntimeException e : refused) {
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(LIMIT + " query calls are already being answered"),
            e.getStatus().getDescription());
      }
      for (ListenableFuture<QueryResponse> call : admitted) {
        assertFalse(call.isDone(), "refused before any admitted call completed");
      }
      DynamicBatcher.Stats encoder = mesh.student().towers().batchStats();
      assertEquals(LIMIT, encoder.items(), "nothing was encoded for the refused calls");

      slowIndex.release();
      for (ListenableFuture<QueryResponse> call : admitted) {
        assertEquals("a", call.get().getCandidates(0).getId());
      }
      // The slots came back: a new call is admitted and answered.
      assertEquals("a", mesh.query().answer(QUESTION).getCandidates(0).getId());
    } finally {
      slowIndex.release();
    }
  }

  @Test
  void anEncodeOverTheRequestTimeoutEndsDeadlineExceededAndItsQueuedTextsAreDropped(@TempDir Path dir)
      throws Exception {
    try (Mesh mesh = new Mesh(dir, Map.of(), "--request-timeout-ms", "200")) {
      EncodeRequest.Builder request = EncodeRequest.newBuilder().setTower(Tower.TOWER_RESPONSE);
      Random random = new Random(12);
      for (int i = 0; i < 256; i++) {
        request.addTexts(longText(random, 16 * 1024));
      }
      // The client allows a minute; the student's own cap (200 ms) is what must end the call.
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> mesh.query().encode(request.build()));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
      // Either the student's timer ended it or the encoder dropped its first text: both say so.
      assertTrue(e.getStatus().getDescription().contains("deadline"), e.getStatus().getDescription());
      DynamicBatcher.Stats stats = awaitEncoderIdle(mesh);
      assertTrue(stats.items() < 256, "texts still queued at the deadline were dropped, not encoded: " + stats.items());
    }
  }

  @Test
  void anAnswerWhoseIndexIsTooSlowEndsAtTheRequestTimeout(@TempDir Path dir) throws Exception {
    HeldSearches slowIndex = new HeldSearches();
    try (Mesh mesh = new Mesh(dir, Map.of(), slowIndex, "--request-timeout-ms", "300")) {
      mesh.ingest("faq", "Flat", List.of(doc("a", "reset a password from the login page")));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> mesh.query().answer(QUESTION));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
    } finally {
      slowIndex.release();
    }
  }

  /** Polls until the encoder has nothing queued (its worker may still be finishing one batch). */
  private static DynamicBatcher.Stats awaitEncoderIdle(Mesh mesh) throws InterruptedException {
    DynamicBatcher.Stats stats = mesh.student().towers().batchStats();
    for (int i = 0; i < 1000 && stats.queued() > 0; i++) {
      Thread.sleep(20);
      stats = mesh.student().towers().batchStats();
    }
    assertEquals(0, stats.queued());
    return stats;
  }

  private static String longText(Random random, int chars) {
    String[] words = {"account", "billing", "password", "reset", "invoice", "router", "printer", "network",
        "refund", "license", "upgrade", "backup", "restore", "email", "calendar", "vpn"};
    StringBuilder b = new StringBuilder(chars + 16);
    while (b.length() < chars) {
      b.append(words[random.nextInt(words.length)]).append(' ');
    }
    return b.substring(0, chars);
  }
}
