package dev.distillmesh.common.resilience;

import static dev.distillmesh.common.resilience.EchoBackend.UNARY;
import static dev.distillmesh.common.resilience.InProcessFixture.deadlineIn;
import static dev.distillmesh.common.resilience.InProcessFixture.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real TCP peer that has gone away: connection refused is UNAVAILABLE, retried, then tripped. */
class NetworkFailureTest {
  private final RecordingTimer timer = new RecordingTimer();
  private ManagedChannel channel;

  @BeforeEach
  void startAndStopServer() throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new EchoBackend().service())
        .build()
        .start();
    int port = server.getPort();
    server.shutdownNow();
    assertTrue(server.awaitTermination(10, TimeUnit.SECONDS));
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
        InsecureChannelCredentials.create()).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    timer.shutdownNow();
  }

  @Test
  void refusedConnectionIsRetriedMaxAttemptsThenTheBreakerOpens() {
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, Duration.ofMillis(5), 2, Duration.ofSeconds(30), 8), timer);
    Channel guarded = ClientInterceptors.intercept(channel, resilience);

    for (int call = 1; call <= 2; call++) {
      Status status = callFails(guarded);
      assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
      assertTrue(status.getDescription().contains("gave up after 3 attempts"), status.toString());
      assertEquals(3L * call, resilience.snapshot().attempts());
    }
    assertEquals(4, resilience.snapshot().retries());
    assertEquals(CircuitBreaker.State.OPEN, resilience.state());

    Status fast = callFails(guarded);

    assertTrue(fast.getDescription().contains("circuit breaker 'index-service' is OPEN"),
        fast.toString());
    assertEquals(6, resilience.snapshot().attempts(), "an open breaker sends nothing");
  }

  private static Status callFails(Channel channel) {
    return assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        channel, UNARY, deadlineIn(Duration.ofSeconds(30)), "q")).getStatus();
  }
}
