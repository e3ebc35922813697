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
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * StreamScores against a real embedded teacher over a loopback socket: a slow reader gets every
 * answer exactly once while the server holds no more than its window, and the sender is held back
 * by flow control instead of the server buffering; a failing request is answered with its error
 * and the stream goes on; an id reused while in flight fails the stream.
 */
class StreamScoresTest {
  private static final int WINDOW = 8;
  private static final int REQUESTS = 300;
  private static RunningTeacher teacher;
  private static final List<String> POOL = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    teacher = RunningTeacher.embedded("--ensemble", "all-minilm-l6-v2", "--stream-window", Integer.toString(WINDOW));
    for (int i = 0; i < 6; i++) {
      // About 8 KB per request: enough that 300 of them overflow the transport's buffers, so a
      // sender that outruns the server has to wait.
      POOL.add(("Passage " + i + " about orders, refunds and deliveries. ").repeat(30));
    }
  }

  @AfterAll
  static void stop() {
    teacher.close();
  }

  private static ScoreStreamRequest request(long id, boolean valid) {
    ScoreRequest.Builder score = ScoreRequest.newBuilder().setKind(valid ? ScoreKind.RELEVANCE : ScoreKind.SCORE_KIND_UNSPECIFIED)
        .addItems(ScoreItem.newBuilder().setContext("question " + id)
            .addCandidates(POOL.get((int) (id % POOL.size()))).addCandidates(POOL.get((int) ((id + 1) % POOL.size()))));
    return ScoreStreamRequest.newBuilder().setRequestId(id).setScore(score).build();
  }

  /** A client that sends as fast as flow control lets it and reads one answer every few ms. */
  private static final class SlowReader implements ClientResponseObserver<ScoreStreamRequest, ScoreStreamResponse> {
    final Map<Long, ScoreStreamResponse> answers = new ConcurrentHashMap<>();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger timesHeldBack = new AtomicInteger();
    final CompletableFuture<Status> done = new CompletableFuture<>();
    final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor();
    private ClientCallStreamObserver<ScoreStreamRequest> out;
    private long next;

    @Override
    public void beforeStart(ClientCallStreamObserver<ScoreStreamRequest> requestStream) {
      out = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
      requestStream.setOnReadyHandler(this::send);
    }

    private synchronized void send() {
      while (next < REQUESTS) {
        if (!out.isReady()) {
          timesHeldBack.incrementAndGet();
          return; // the handler runs again when the transport can take more
        }
        out.onNext(request(next, next % 50 != 49));
        next++;
      }
      if (next == REQUESTS) {
        next++;
        out.onCompleted();
      }
    }

    @Override
    public void onNext(ScoreStreamResponse r) {
      if (answers.putIfAbsent(r.getRequestId(), r) != null) {
        duplicates.incrementAndGet();
      }
      reader.schedule(() -> out.request(1), 5, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onError(Throwable t) {
      done.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      done.complete(Status.OK);
    }
  }

  @Test
  void aSlowReaderGetsEveryAnswerOnceAndTheServerHoldsAtMostItsWindow() throws Exception {
    SlowReader client = new SlowReader();
    teacher.async().streamScores(client);
    Status status = client.done.get(5, TimeUnit.MINUTES);
    client.reader.shutdownNow();

    assertEquals(Status.Code.OK, status.getCode(), status.toString());
    assertEquals(0, client.duplicates.get(), "no request is answered twice");
    assertEquals(REQUESTS, client.answers.size(), "every request is answered");
    for (long id = 0; id < REQUESTS; id++) {
      ScoreStreamResponse r = client.answers.get(id);
      if (id % 50 == 49) {
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), r.getError().getCode(), "request " + id);
        assertTrue(r.getError().getMessage().contains("kind is unset"), r.getError().getMessage());
      } else {
        assertEquals(2, r.getScores().getItems(0).getScoresCount(), "request " + id);
      }
    }
    StreamStats stats = teacher.server.service().streamStats();
    assertTrue(stats.peakHeld() <= WINDOW, "the server held " + stats.peakHeld() + " requests; the window is " + WINDOW);
    assertTrue(client.timesHeldBack.get() > 0,
        "the sender outran a reader that takes one answer per 5 ms, so flow control must have held it back");
    assertEquals(0, stats.openStreams());
  }

  @Test
  void anIdReusedWhileInFlightFailsTheStream() throws Exception {
    List<String> slow = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      slow.add("A passage nobody has scored before, number " + i + ", " + System.nanoTime());
    }
    ScoreStreamRequest first = ScoreStreamRequest.newBuilder().setRequestId(7).setScore(ScoreRequest.newBuilder()
        .setKind(ScoreKind.RELEVANCE).addItems(ScoreItem.newBuilder().setContext("q").addAllCandidates(slow))).build();
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCallStreamObserver<ScoreStreamRequest> out = (ClientCallStreamObserver<ScoreStreamRequest>) teacher.async()
        .streamScores(new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(ScoreStreamResponse value) {}

          @Override
          public void onError(Throwable t) {
            done.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            done.complete(Status.OK);
          }
        });
    // Encoding 600 new passages takes far longer than the second message takes to arrive.
    out.onNext(first);
    out.onNext(request(7, true));
    Status status = done.get(2, TimeUnit.MINUTES);
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
    assertTrue(status.getDescription().contains("request_id 7 is already in flight"), status.getDescription());
  }

  @Test
  void aClientThatHalfClosesAtOnceGetsAnEmptyCompletedStream() throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    io.grpc.stub.StreamObserver<ScoreStreamRequest> out = teacher.async().streamScores(new io.grpc.stub.StreamObserver<>() {
      @Override
      public void onNext(ScoreStreamResponse value) {
        done.completeExceptionally(new AssertionError("unexpected answer " + value));
      }

      @Override
      public void onError(Throwable t) {
        done.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        done.complete(Status.OK);
      }
    });
    out.onCompleted();
    assertEquals(Status.Code.OK, done.get(1, TimeUnit.MINUTES).getCode());
  }
}
