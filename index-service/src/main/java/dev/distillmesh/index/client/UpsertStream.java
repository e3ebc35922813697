package dev.distillmesh.index.client;

import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One client-streaming {@code Upsert} call that honours gRPC flow control: {@link #send} blocks
 * until the transport can take the next batch, so a fast producer never buffers a whole file or
 * dataset in memory, and fails at once with the call's status if the server has rejected the
 * stream.
 *
 * <p>Not thread-safe: one thread sends. Whoever opens it ends it with {@link #finish} or {@link
 * #cancel}; the stub's deadline bounds the whole stream.
 */
public final class UpsertStream {
  private final Object readiness = new Object(); // notified when the call may take more, or ended
  private final CompletableFuture<UpsertResponse> result = new CompletableFuture<>();
  private final ClientCallStreamObserver<UpsertRequest> requests;

  private UpsertStream(IndexServiceGrpc.IndexServiceStub stub) {
    this.requests = (ClientCallStreamObserver<UpsertRequest>) stub.upsert(new ClientResponseObserver<
        UpsertRequest, UpsertResponse>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<UpsertRequest> call) {
        call.setOnReadyHandler(UpsertStream.this::wake);
      }

      @Override
      public void onNext(UpsertResponse value) {
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

  /** Starts an Upsert call on {@code stub} (which carries the deadline and credentials). */
  public static UpsertStream open(IndexServiceGrpc.IndexServiceStub stub) {
    return new UpsertStream(stub);
  }

  /**
   * Sends one batch once the transport is ready for it.
   *
   * @throws StatusRuntimeException if the call has already failed (e.g. an earlier bad batch)
   */
  public void send(UpsertRequest batch) throws InterruptedException {
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
  public UpsertResponse finish() throws InterruptedException {
    requests.onCompleted();
    try {
      UpsertResponse response = result.get();
      if (response == null) {
        throw Status.INTERNAL.withDescription("Upsert ended without a response").asRuntimeException();
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
      return Status.INTERNAL.withDescription("server ended the Upsert stream early").asRuntimeException();
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
