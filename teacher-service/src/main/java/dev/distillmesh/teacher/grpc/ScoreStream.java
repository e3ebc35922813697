package dev.distillmesh.teacher.grpc;

import dev.distillmesh.common.GrpcErrors;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.proto.teacher.v1.RequestError;
import dev.distillmesh.proto.teacher.v1.ScoreResponse;
import dev.distillmesh.proto.teacher.v1.ScoreStreamRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * One StreamScores call. Flow control is manual in both directions, so the memory a stream holds
 * is bounded by its window whatever the client does:
 *
 * <ul>
 *   <li>Inbound: the server asks the transport for a request only while fewer than {@code window}
 *       requests are held (being scored, or scored and waiting to be sent). A client that sends
 *       faster than that is held back by HTTP/2 flow control.
 *   <li>Outbound: answers are sent only while the transport is ready ({@code isReady}); the rest
 *       wait here, and count as held, so a client that reads slowly stops the server from reading
 *       more requests, and through that slows its own sending.
 * </ul>
 *
 * <p>Every request is answered exactly once: with scores, or with its own error (the stream goes
 * on). The stream ends when the client has half-closed and every answer is sent. A request id
 * reused while in flight fails the stream with INVALID_ARGUMENT.
 *
 * <p>Callbacks arrive from gRPC (serialised) and from scoring completions (any thread); one lock
 * guards the state and every call on {@code out}.
 */
final class ScoreStream implements StreamObserver<ScoreStreamRequest> {
  private final ServerCallStreamObserver<ScoreStreamResponse> out;
  private final Scoring scoring;
  private final Duration maxRequestTime;
  private final int window;
  private final StreamStats stats;

  private final Object lock = new Object();
  /** Requests received and not yet answered on the wire, with their scoring (null once done). */
  private final Map<Long, CompletableFuture<ScoreResponse>> held = new HashMap<>();
  private final ArrayDeque<ScoreStreamResponse> unsent = new ArrayDeque<>();
  /** Requests asked of the transport and not yet received. */
  private int requested;
  private boolean clientDone;
  private boolean finished;

  private ScoreStream(ServerCallStreamObserver<ScoreStreamResponse> out, Scoring scoring, Duration maxRequestTime,
      int window, StreamStats stats) {
    this.out = out;
    this.scoring = scoring;
    this.maxRequestTime = maxRequestTime;
    this.window = window;
    this.stats = stats;
  }

  /** Sets up flow control on a new call; call from the rpc method and return the result. */
  static StreamObserver<ScoreStreamRequest> start(StreamObserver<ScoreStreamResponse> responses, Scoring scoring,
      Duration maxRequestTime, int window, StreamStats stats) {
    ServerCallStreamObserver<ScoreStreamResponse> out = (ServerCallStreamObserver<ScoreStreamResponse>) responses;
    ScoreStream stream = new ScoreStream(out, scoring, maxRequestTime, window, stats);
    out.disableAutoRequest();
    out.setOnReadyHandler(stream::drain);
    out.setOnCancelHandler(stream::abandon);
    stats.opened();
    stream.drain();
    return stream;
  }

  @Override
  public void onNext(ScoreStreamRequest request) {
    long id = request.getRequestId();
    synchronized (lock) {
      requested--;
      if (finished) {
        return;
      }
      if (held.containsKey(id)) {
        fail(Status.INVALID_ARGUMENT.withDescription("request_id " + Long.toUnsignedString(id)
            + " is already in flight on this stream; use a new id for each request"));
        return;
      }
      held.put(id, null);
      stats.held(held.size());
    }
    CompletableFuture<ScoreResponse> scored;
    try {
      scored = scoring.score(request.getScore(), Deadlines.fromGrpc(Deadlines.forCurrentCall(maxRequestTime)));
    } catch (RuntimeException e) {
      scored = CompletableFuture.failedFuture(e);
    }
    synchronized (lock) {
      if (held.containsKey(id) && !scored.isDone()) {
        held.put(id, scored);
      }
    }
    scored.whenComplete((response, error) -> answer(id, response, error));
  }

  private void answer(long id, ScoreResponse response, Throwable error) {
    if (error instanceof CancellationException) {
      return; // cancelled by abandon() or fail(): the stream is over
    }
    ScoreStreamResponse.Builder b = ScoreStreamResponse.newBuilder().setRequestId(id);
    if (error == null) {
      b.setScores(response);
    } else {
      Status status = GrpcErrors.toStatus(error).getStatus();
      b.setError(RequestError.newBuilder().setCode(status.getCode().value())
          .setMessage(status.getDescription() == null ? status.getCode().name() : status.getDescription()));
    }
    synchronized (lock) {
      if (finished) {
        return;
      }
      held.put(id, null);
      unsent.add(b.build());
      drain();
    }
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      clientDone = true;
      drain();
    }
  }

  @Override
  public void onError(Throwable t) {
    abandon();
  }

  /** Sends what the transport takes, ends the call when all is answered, asks for more requests. */
  private void drain() {
    synchronized (lock) {
      if (finished) {
        return;
      }
      while (!unsent.isEmpty() && out.isReady()) {
        ScoreStreamResponse r = unsent.poll();
        held.remove(r.getRequestId());
        out.onNext(r);
        stats.answered();
      }
      if (clientDone && held.isEmpty()) {
        finished = true;
        stats.closed();
        out.onCompleted();
        return;
      }
      int room = window - held.size() - requested;
      if (!clientDone && room > 0) {
        requested += room;
        out.request(room);
      }
    }
  }

  private void fail(Status status) {
    finished = true;
    stats.closed();
    cancelRunning();
    out.onError(status.asRuntimeException());
  }

  /** The client cancelled or the call failed: stop scoring for it. */
  private void abandon() {
    synchronized (lock) {
      if (finished) {
        return;
      }
      finished = true;
      stats.closed();
      cancelRunning();
    }
  }

  private void cancelRunning() {
    for (CompletableFuture<ScoreResponse> f : held.values()) {
      if (f != null) {
        f.cancel(false);
      }
    }
    held.clear();
    unsent.clear();
  }
}
