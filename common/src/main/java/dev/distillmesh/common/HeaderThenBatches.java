package dev.distillmesh.common;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * The server side of a client-streaming upload whose first message opens a session (it names the
 * collection, or carries a header) and whose later messages add batches to it; completing the
 * stream finishes the session and answers once (the index's {@code Upsert} and {@code Rebuild},
 * the student's {@code Ingest}). What each rpc does is its {@link Steps}; the order of calls, the
 * "failed" state, the answer for an empty stream and the abort on failure or on a client that went
 * away are here, once.
 *
 * <p>After the first failure the stream answers that failure's status (through {@link
 * GrpcErrors#toStatus}) and ignores everything the client still sends. gRPC calls a stream
 * observer serially, so the state needs no lock.
 *
 * @param <ReqT> the request message
 * @param <RespT> the single response
 * @param <S> the rpc's session: what the first message opened
 */
public final class HeaderThenBatches<ReqT, RespT, S> implements StreamObserver<ReqT> {
  /** Why a session is abandoned. */
  public enum Abort {
    /** A step failed; the client is told why. */
    FAILED,
    /** The client cancelled, or the connection broke. */
    CLIENT_WENT_AWAY
  }

  /**
   * What one rpc does at each point of the stream. Steps may throw; a {@link DomainException}
   * reaches the client with its kind and message, anything else as INTERNAL.
   */
  public interface Steps<ReqT, RespT, S> {
    /** Opens the session from the first message (it is then given to {@link #add} as well, see there). */
    S open(ReqT first) throws Exception;

    /**
     * Applies one message's batch to the session, checking that the message belongs to it: every
     * message, the first included unless {@link #firstIsHeaderOnly}.
     */
    void add(S session, ReqT message) throws Exception;

    /** Whether the first message is only a header, with no batch to {@link #add}. */
    default boolean firstIsHeaderOnly() {
      return false;
    }

    /** Finishes the session once the client has completed the stream; the value is the answer. */
    RespT finish(S session) throws Exception;

    /** The failure for a stream that ended without a first message. */
    DomainException empty();

    /** Abandons a session that will not be finished. The default keeps what was applied. */
    default void abort(S session, Abort why, Throwable cause) {}
  }

  private final StreamObserver<RespT> response;
  private final Steps<ReqT, RespT, S> steps;
  /** Non-null when the stream asks for one message at a time. */
  private final ServerCallStreamObserver<RespT> oneAtATime;
  private S session;
  private boolean failed;

  private HeaderThenBatches(StreamObserver<RespT> response, Steps<ReqT, RespT, S> steps,
      ServerCallStreamObserver<RespT> oneAtATime) {
    this.response = response;
    this.steps = steps;
    this.oneAtATime = oneAtATime;
  }

  /** Receives a stream with gRPC's automatic flow control (messages arrive as the client sends). */
  public static <ReqT, RespT, S> StreamObserver<ReqT> receive(StreamObserver<RespT> response,
      Steps<ReqT, RespT, S> steps) {
    return new HeaderThenBatches<>(response, steps, null);
  }

  /**
   * Receives a stream one message at a time: the next message is requested only once the step for
   * the previous one has returned, so a fast client cannot pile messages up in the server's memory.
   * Call it from the rpc's handler method (before it returns), with the observer gRPC gave it.
   */
  public static <ReqT, RespT, S> StreamObserver<ReqT> receiveOneAtATime(StreamObserver<RespT> response,
      Steps<ReqT, RespT, S> steps) {
    ServerCallStreamObserver<RespT> call = (ServerCallStreamObserver<RespT>) response;
    call.disableAutoRequest();
    call.request(1);
    return new HeaderThenBatches<>(response, steps, call);
  }

  /**
   * The failure for a later message that names another collection than the first did; {@code rpc}
   * names the call in the message, e.g. "Upsert".
   */
  public static DomainException otherCollection(String rpc, String first, String then) {
    return DomainException.invalid("every message of one " + rpc + " stream must name the same collection: first \""
        + first + "\", then \"" + then + "\"");
  }

  @Override
  public void onNext(ReqT message) {
    if (failed) {
      return;
    }
    try {
      boolean first = session == null;
      if (first) {
        session = steps.open(message);
      }
      if (!first || !steps.firstIsHeaderOnly()) {
        steps.add(session, message);
      }
      if (oneAtATime != null) {
        oneAtATime.request(1);
      }
    } catch (Exception e) {
      fail(e);
    }
  }

  @Override
  public void onError(Throwable t) {
    failed = true;
    if (session != null) {
      steps.abort(session, Abort.CLIENT_WENT_AWAY, t);
    }
  }

  @Override
  public void onCompleted() {
    if (failed) {
      return;
    }
    if (session == null) {
      fail(steps.empty());
      return;
    }
    RespT answer;
    try {
      answer = steps.finish(session);
    } catch (Exception e) {
      fail(e);
      return;
    }
    response.onNext(answer);
    response.onCompleted();
  }

  private void fail(Exception e) {
    failed = true;
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    if (session != null) {
      steps.abort(session, Abort.FAILED, e);
    }
    response.onError(GrpcErrors.toStatus(e));
  }
}
