package dev.distillmesh.common.resilience;

import static dev.distillmesh.common.resilience.EchoBackend.UNARY;
import static dev.distillmesh.common.resilience.InProcessFixture.deadlineIn;
import static dev.distillmesh.common.resilience.InProcessFixture.settings;
import static dev.distillmesh.common.resilience.InProcessFixture.startUnary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AdminAuthInterceptor;
import dev.distillmesh.common.BearerToken;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which unary failures are retried, with what, and what stops the retrying. */
class UnaryRetryTest {
  private static final Metadata.Key<String> CALLER =
      Metadata.Key.of("x-caller", Metadata.ASCII_STRING_MARSHALLER);
  private static final Duration FAST = Duration.ofMillis(5);
  private static final Duration LONG = Duration.ofSeconds(30);

  private InProcessFixture fixture;
  private EchoBackend backend;

  @BeforeEach
  void start() throws Exception {
    fixture = new InProcessFixture();
    backend = fixture.backend;
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void unavailableTwiceThenSuccessIsRetriedWithTheSameHeaders() {
    backend.script.add(Status.UNAVAILABLE.withDescription("warming up"));
    backend.script.add(Status.UNAVAILABLE.withDescription("still warming up"));
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 20, LONG, 8), fixture.timer);
    Metadata callerHeaders = new Metadata();
    callerHeaders.put(CALLER, "trainer");
    // The header interceptor runs before the resilience one; the token is a call credential.
    Channel channel = fixture.channel(resilience,
        MetadataUtils.newAttachHeadersInterceptor(callerHeaders));

    String reply = ClientCalls.blockingUnaryCall(channel, UNARY,
        deadlineIn(LONG).withCallCredentials(new BearerToken("s3cret")), "q");

    assertEquals("echo:q", reply);
    assertEquals(3, backend.calls.get());
    assertEquals(3, backend.headers.size());
    for (Metadata seen : backend.headers) {
      assertEquals("trainer", seen.get(CALLER));
      assertEquals("Bearer s3cret", seen.get(AdminAuthInterceptor.AUTHORIZATION));
    }
    ResilienceInterceptor.Snapshot snapshot = resilience.snapshot();
    assertEquals(3, snapshot.attempts());
    assertEquals(2, snapshot.retries());
    assertEquals(0, snapshot.inFlight());
    assertEquals(CircuitBreaker.State.CLOSED, snapshot.state());
  }

  @Test
  void unavailableEveryTimeGivesUpAfterMaxAttempts() {
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(4, FAST, 20, LONG, 8), fixture.timer);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(fixture.channel(resilience), UNARY, deadlineIn(LONG), "q"));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("gave up after 4 attempts"),
        e.getStatus().getDescription());
    assertEquals(4, backend.calls.get());
    assertEquals(3, resilience.snapshot().retries());
  }

  @ParameterizedTest
  @EnumSource(value = Status.Code.class, names = {"INVALID_ARGUMENT", "NOT_FOUND",
      "ALREADY_EXISTS", "FAILED_PRECONDITION", "OUT_OF_RANGE", "UNAUTHENTICATED",
      "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "ABORTED", "UNIMPLEMENTED"})
  void answeredErrorsAreNeitherRetriedNorCountedAsBreakerFailures(Status.Code code) {
    backend.failAlways = Status.fromCode(code).withDescription("k must be in [1, 100], got 0");
    // A window of 2: two counted failures would open the breaker.
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 2, LONG, 8), fixture.timer);

    for (int i = 0; i < 4; i++) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
          ClientCalls.blockingUnaryCall(fixture.channel(resilience), UNARY, deadlineIn(LONG), "q"));
      assertEquals(code, e.getStatus().getCode());
      assertEquals("k must be in [1, 100], got 0", e.getStatus().getDescription());
    }

    assertEquals(4, backend.calls.get());
    assertEquals(0, resilience.snapshot().retries());
    assertEquals(CircuitBreaker.State.CLOSED, resilience.state());
  }

  @Test
  void noRetryWhoseBackoffWouldPassTheDeadline() {
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    // Backoff is at least 500 ms (1 s minus 50% jitter); the deadline leaves under 300 ms.
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(10, Duration.ofSeconds(1), 20, LONG, 8), fixture.timer);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(fixture.channel(resilience), UNARY,
            deadlineIn(Duration.ofMillis(300)), "q"));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "the last attempt's status");
    assertTrue(e.getStatus().getDescription().contains("would pass the call's deadline"),
        e.getStatus().getDescription());
    assertEquals(1, backend.calls.get());
    assertEquals(0, fixture.timer.scheduledCount());
  }

  @Test
  void retriesStopAtTheDeadlineLongBeforeMaxAttempts() {
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(1_000, Duration.ofMillis(20), 20, LONG, 8), fixture.timer);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(fixture.channel(resilience), UNARY,
            deadlineIn(Duration.ofMillis(300)), "q"));

    // Usually the last UNAVAILABLE; DEADLINE_EXCEEDED if the deadline struck during an attempt.
    Status.Code code = e.getStatus().getCode();
    assertTrue(code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED,
        e.getStatus().toString());
    long attempts = resilience.snapshot().attempts();
    assertTrue(attempts < 1_000, "attempts: " + attempts);
    assertEquals(attempts, backend.calls.get(), "no attempt may start after the call ended");
  }

  @Test
  void cancellingDuringAnAttemptCancelsItAndDoesNotRetry() throws Exception {
    backend.gate = new CountDownLatch(1);
    backend.arrived = new CountDownLatch(1);
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 20, LONG, 8), fixture.timer);
    ClientCall<String, String> call =
        fixture.channel(resilience).newCall(UNARY, deadlineIn(LONG));

    CompletableFuture<Status> closed = startUnary(call, "q");
    assertTrue(backend.arrived.await(10, TimeUnit.SECONDS));
    call.cancel("caller gave up", null);

    assertEquals(Status.Code.CANCELLED, closed.get(10, TimeUnit.SECONDS).getCode());
    assertTrue(backend.sawCancel.await(10, TimeUnit.SECONDS), "the server saw the cancel");
    assertEquals(1, backend.calls.get());
    assertEquals(0, fixture.timer.scheduledCount());
    assertEquals(0, resilience.snapshot().inFlight());
  }

  @Test
  void cancellingDuringTheBackoffEndsTheCallWithoutAnotherAttempt() throws Exception {
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(5, LONG, 20, LONG, 8), fixture.timer);
    ClientCall<String, String> call =
        fixture.channel(resilience).newCall(UNARY, deadlineIn(Duration.ofMinutes(5)));

    CompletableFuture<Status> closed = startUnary(call, "q");
    assertTrue(fixture.timer.firstScheduled.await(10, TimeUnit.SECONDS));
    call.cancel("caller gave up", null);

    Status status = closed.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.CANCELLED, status.getCode());
    assertEquals("caller gave up", status.getDescription());
    assertTrue(fixture.timer.last().isCancelled(), "the pending retry was cancelled");
    assertEquals(1, backend.calls.get());
    assertEquals(0, resilience.snapshot().inFlight());
  }

  @Test
  void cancellingTheCallersContextStopsRetries() throws Exception {
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(5, Duration.ofSeconds(1), 20, LONG, 8), fixture.timer);
    Context.CancellableContext context = Context.current().withCancellation();
    AtomicReference<CompletableFuture<Status>> closed = new AtomicReference<>();

    context.run(() -> closed.set(startUnary(
        fixture.channel(resilience).newCall(UNARY, deadlineIn(LONG)), "q")));
    assertTrue(fixture.timer.firstScheduled.await(10, TimeUnit.SECONDS));
    context.cancel(null);

    // The retry starts in the cancelled context and ends at once, without reaching the server.
    assertEquals(Status.Code.CANCELLED, closed.get().get(10, TimeUnit.SECONDS).getCode());
    assertEquals(1, backend.calls.get());
  }

  @Test
  void retryThatCannotStartEndsTheCallAndFreesItsSlot() {
    backend.script.add(Status.UNAVAILABLE.withDescription("blip"));
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 20, LONG, 8), fixture.timer);
    // Runs after the resilience interceptor, so it sees each attempt; the second one throws.
    Channel channel = fixture.channel(new ThrowingOnStart(2), resilience);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(channel, UNARY, deadlineIn(LONG), "q"));

    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("attempt failed to start"));
    assertEquals(0, resilience.snapshot().inFlight());
  }

  @Test
  void firstAttemptThatCannotStartThrowsToTheCallerAndFreesItsSlot() {
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 20, LONG, 8), fixture.timer);
    Channel channel = fixture.channel(new ThrowingOnStart(1), resilience);

    assertThrows(IllegalStateException.class, () ->
        ClientCalls.blockingUnaryCall(channel, UNARY, deadlineIn(LONG), "q"));

    assertEquals(0, resilience.snapshot().inFlight());
    assertEquals(0, backend.calls.get());
  }

  /** Makes the n-th call's start throw, as a buggy interceptor would. */
  private static final class ThrowingOnStart implements ClientInterceptor {
    private final int failingCall;
    private final AtomicInteger calls = new AtomicInteger();

    ThrowingOnStart(int failingCall) {
      this.failingCall = failingCall;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      boolean fail = calls.incrementAndGet() == failingCall;
      return new ForwardingClientCall.SimpleForwardingClientCall<>(
          next.newCall(method, callOptions)) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          if (fail) {
            throw new IllegalStateException("broken interceptor");
          }
          super.start(listener, headers);
        }
      };
    }
  }
}
