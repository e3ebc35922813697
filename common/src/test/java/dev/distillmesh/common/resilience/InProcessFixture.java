package dev.distillmesh.common.resilience;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EchoBackend} served in-process under a unique name, a channel to it and a
 * {@link RecordingTimer} for retries. Create one per test; {@link #close()} releases everything.
 */
final class InProcessFixture implements AutoCloseable {
  static final String PEER = "index-service";

  final EchoBackend backend = new EchoBackend();
  final RecordingTimer timer = new RecordingTimer();
  private final Server server;
  private final ManagedChannel channel;

  InProcessFixture() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(backend.service()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  /** The channel seen through {@code interceptors}; the last one runs first, as in gRPC. */
  Channel channel(ClientInterceptor... interceptors) {
    return ClientInterceptors.intercept(channel, interceptors);
  }

  /** Settings for the peer {@value #PEER}, backoff capped at 4 × {@code backoff}. */
  static ResilienceSettings settings(int maxAttempts, Duration backoff, int window,
      Duration openStateWait, int maxConcurrentCalls) {
    return new ResilienceSettings(PEER, maxAttempts, backoff, backoff.multipliedBy(4), 50f,
        window, window, openStateWait, maxConcurrentCalls);
  }

  static CallOptions deadlineIn(Duration timeout) {
    return CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Starts a unary call by hand; the future completes with the status the caller sees. */
  static CompletableFuture<Status> startUnary(ClientCall<String, String> call, String request) {
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    return closed;
  }

  @Override
  public void close() throws InterruptedException {
    CountDownLatch gate = backend.gate;
    if (gate != null) {
      gate.countDown();
    }
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
    timer.shutdownNow();
  }
}
