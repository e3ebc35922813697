package dev.distillmesh.student;

import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * A slow index, for a real index service: holds every Search it receives (the request has fully
 * arrived, the search has not started) until {@link #release}, without blocking any thread. Other
 * rpcs pass. Thread-safe.
 */
public final class HeldSearches implements ServerInterceptor {
  private final CompletableFuture<Void> gate = new CompletableFuture<>();
  private final Semaphore arrived = new Semaphore(0);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
    if (!call.getMethodDescriptor().getFullMethodName().equals(IndexServiceGrpc.getSearchMethod().getFullMethodName())) {
      return listener;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onHalfClose() {
        arrived.release();
        // Nothing else reaches this listener while it is held (the test's deadlines are long).
        gate.thenRunAsync(super::onHalfClose);
      }
    };
  }

  /** Waits until {@code n} searches (in all) have arrived and are being held. */
  public void awaitHeld(int n) throws InterruptedException {
    arrived.acquire(n);
    arrived.release(n);
  }

  /** Lets every held search, and every later one, run. */
  public void release() {
    gate.complete(null);
  }
}
