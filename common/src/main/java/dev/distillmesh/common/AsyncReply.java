package dev.distillmesh.common;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** Completes a unary rpc from an asynchronous domain call. */
public final class AsyncReply {
  private AsyncReply() {}

  /**
   * Starts the domain call, then completes the rpc when its future does. Validation errors thrown
   * synchronously and failures of the future take the same path to the client.
   */
  public static <T, R> void reply(StreamObserver<R> responses, Supplier<CompletableFuture<T>> call, Function<T, R> toProto) {
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      responses.onError(GrpcErrors.toStatus(e));
      return;
    }
    ServerCallStreamObserver<R> observer = (ServerCallStreamObserver<R>) responses;
    observer.setOnCancelHandler(() -> future.cancel(false));
    future.whenComplete((value, error) -> {
      if (observer.isCancelled()) {
        return;
      }
      if (error != null) {
        observer.onError(GrpcErrors.toStatus(error));
        return;
      }
      R response;
      try {
        response = toProto.apply(value);
      } catch (RuntimeException e) {
        observer.onError(GrpcErrors.toStatus(e));
        return;
      }
      observer.onNext(response);
      observer.onCompleted();
    });
  }
}
