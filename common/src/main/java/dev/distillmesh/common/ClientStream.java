package dev.distillmesh.common;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * One client-streaming call (the index's {@code Upsert}, the student's {@code Ingest}) that
 * honours gRPC flow control: {@link #send} blocks
 * until the transport can take the next batch, so a fast producer never buffers a whole file or
 * dataset in memory, and fails at once with the call's status if the server has rejected the
 * stream.
 *
 * <p>Not thread-safe: one thread sends. Whoever opens it ends it with {@link #finish} or {@link
 * #cancel}; the stub's deadline bounds the whole stream.
 */
public final class ClientStream<ReqT, RespT> {
  private final Object readiness = new Object(); // notified when the call may take more, or ended
  private final CompletableFuture<RespT> result = new CompletableFuture<>();
  private final ClientCallStreamObserver<ReqT> requests;

  private ClientStream(Function<StreamObserver<RespT>, StreamObserver<ReqT>> start) {
    this.requests = (ClientCallStreamObserver<ReqT>) start.apply(new ClientResponseObserver<ReqT, RespT>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<ReqT> call) {
        call.setOnReadyHandler(ClientStream.this::wake);
      }

      @Override
      public void onNext(RespT value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
        wake();
      }

      @Override
      public void onCompleted() {
        result.complete(null);
        wake();
      }
    });
  }

  /**
   * Starts a call: {@code start} is the async stub's method, e.g. {@code stub::upsert} on a stub
   * that carries the deadline and credentials.
   */
  public static <ReqT, RespT> ClientStream<ReqT, RespT> open(Function<StreamObserver<RespT>, StreamObserver<ReqT>> start) {
    return new ClientStream<>(start);
  }

  /**
   * Sends one batch once the transport is ready for it.
   *
   * @throws StatusRuntimeException if the call has already failed (e.g. an earlier bad batch)
   */
  public void send(ReqT batch) throws InterruptedException {
    synchronized (readiness) {
      while (!requests.isReady() && !result.isDone()) {
        readiness.wait();
      }
    }
    if (result.isDone()) {
      throw failure();
    }
    requests.onNext(batch);
  }

  /** Ends the stream and waits for the server's answer: every batch is durable when it returns. */
  public RespT finish() throws InterruptedException {
    requests.onCompleted();
    try {
      RespT response = result.get();
      if (response == null) {
        throw Status.INTERNAL.withDescription("the call ended without a response").asRuntimeException();
      }
      return response;
    } catch (ExecutionException e) {
      throw failure();
    }
  }

  /** Cancels the call (batches already acknowledged by the server stay applied). */
  public void cancel(String why, Throwable cause) {
    requests.cancel(why, cause);
  }

  private StatusRuntimeException failure() {
    try {
      result.getNow(null);
      return Status.INTERNAL.withDescription("the server ended the stream early").asRuntimeException();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      return cause instanceof StatusRuntimeException sre ? sre : Status.fromThrowable(cause).asRuntimeException();
    }
  }

  private void wake() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }
}
