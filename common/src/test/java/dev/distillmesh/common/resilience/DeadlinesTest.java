package dev.distillmesh.common.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private InProcessFixture fixture;
  /** The CallOptions that reached the channel, seen by an interceptor below the default one. */
  private final AtomicReference<CallOptions> seen = new AtomicReference<>();
  private final ClientInterceptor recorder = new ClientInterceptor() {
    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      seen.set(callOptions);
      return next.newCall(method, callOptions);
    }
  };

  @BeforeEach
  void start() throws Exception {
    fixture = new InProcessFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void callWithoutDeadlineGetsTheDefault() {
    fixture.backend.gate = new CountDownLatch(1); // never answers
    Channel channel = fixture.channel(recorder, Deadlines.withDefault(Duration.ofMillis(100)));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(channel, EchoBackend.UNARY, CallOptions.DEFAULT, "q"));

    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    assertNotNull(seen.get().getDeadline());
  }

  @Test
  void deadlineSetByTheCallerIsKeptEvenIfLonger() {
    Channel channel = fixture.channel(recorder, Deadlines.withDefault(Duration.ofSeconds(1)));

    ClientCalls.blockingUnaryCall(channel, EchoBackend.UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.HOURS), "q");

    assertTrue(seen.get().getDeadline().timeRemaining(TimeUnit.MINUTES) > 30);
  }

  @Test
  void deadlineInheritedFromTheContextIsLeftToGrpc() throws Exception {
    Channel channel = fixture.channel(recorder, Deadlines.withDefault(Duration.ofSeconds(1)));
    Context.CancellableContext context = Context.current()
        .withDeadlineAfter(1, TimeUnit.HOURS, fixture.timer);
    try {
      context.call(() -> ClientCalls.blockingUnaryCall(
          channel, EchoBackend.UNARY, CallOptions.DEFAULT, "q"));
    } finally {
      context.cancel(null);
    }

    assertNull(seen.get().getDeadline());
  }

  @Test
  void rejectsANonPositiveTimeout() {
    assertThrows(IllegalArgumentException.class, () -> Deadlines.withDefault(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> Deadlines.withDefault(Duration.ofMillis(-1)));
  }
}
