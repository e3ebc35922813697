package dev.distillmesh.teacher.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamResponse;
import dev.distillmesh.teacher.RunningTeacher;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 10,000 StreamScores streams open at once on one connection over a real socket, almost all of them
 * carrying a malformed request (no score kind, a kind the embedded teacher cannot give, no
 * candidates) and one in a hundred a valid one. Each malformed request is answered with its own
 * RequestError code and its stream still ends OK; each valid one gets its scores; the service stays
 * SERVING.
 */
class StreamStormTest {
  private static final int STREAMS = 10_000;

  private enum Kind { VALID, NO_KIND, UNSUPPORTED_KIND, NO_CANDIDATES }

  private static Kind kindOf(int i) {
    return i % 100 == 0 ? Kind.VALID : Kind.values()[1 + i % 3];
  }

  private static ScoreStreamRequest request(int i) {
    ScoreItem.Builder item = ScoreItem.newBuilder().setContext("where is my order " + i % 7);
    ScoreRequest.Builder score = ScoreRequest.newBuilder();
    switch (kindOf(i)) {
      case VALID -> score.setKind(ScoreKind.RELEVANCE).addItems(item.addCandidates("Orders ship in two days.")
          .addCandidates("We close at five."));
      case NO_KIND -> score.addItems(item.addCandidates("a"));
      case UNSUPPORTED_KIND -> score.setKind(ScoreKind.MUTUAL_INFORMATION).addItems(item.addCandidates("a"));
      case NO_CANDIDATES -> score.setKind(ScoreKind.RELEVANCE).addItems(item);
    }
    return ScoreStreamRequest.newBuilder().setRequestId(i).setScore(score).build();
  }

  /** What one stream received. */
  private static final class Collector implements StreamObserver<ScoreStreamResponse> {
    final List<ScoreStreamResponse> answers = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();

    @Override
    public void onNext(ScoreStreamResponse r) {
      answers.add(r);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }
  }

  @Test
  void tenThousandConcurrentStreamsEachGetTheirAnswerAndTheServiceStaysUp() throws Exception {
    try (RunningTeacher teacher = RunningTeacher.embedded("--ensemble", "all-minilm-l6-v2")) {
      List<StreamObserver<ScoreStreamRequest>> streams = new ArrayList<>(STREAMS);
      List<Collector> collectors = new ArrayList<>(STREAMS);
      for (int i = 0; i < STREAMS; i++) {
        Collector c = new Collector();
        StreamObserver<ScoreStreamRequest> s = teacher.async().withDeadlineAfter(300, TimeUnit.SECONDS).streamScores(c);
        s.onNext(request(i));
        streams.add(s);
        collectors.add(c);
      }
      for (StreamObserver<ScoreStreamRequest> s : streams) {
        s.onCompleted();
      }
      for (int i = 0; i < STREAMS; i++) {
        Collector c = collectors.get(i);
        // A bound so that a lost answer fails the test instead of hanging it.
        Status end = c.end.get(300, TimeUnit.SECONDS);
        assertEquals(Status.Code.OK, end.getCode(), "stream " + i + " (" + kindOf(i) + "): " + end);
        assertEquals(1, c.answers.size(), "stream " + i + " gets exactly one answer");
        ScoreStreamResponse r = c.answers.get(0);
        assertEquals(i, r.getRequestId());
        switch (kindOf(i)) {
          case VALID -> {
            assertTrue(r.hasScores(), "stream " + i + ": " + r);
            assertEquals(2, r.getScores().getItems(0).getScoresCount());
          }
          case NO_KIND, NO_CANDIDATES -> assertEquals(Status.Code.INVALID_ARGUMENT.value(), r.getError().getCode(),
              "stream " + i + ": " + r);
          case UNSUPPORTED_KIND -> assertEquals(Status.Code.FAILED_PRECONDITION.value(), r.getError().getCode(),
              "stream " + i + ": " + r);
        }
        assertTrue(r.hasScores() || !r.getError().getMessage().isEmpty(), "an error says what was wrong");
      }
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(teacher.channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
    }
  }
}
