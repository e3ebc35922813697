package dev.distillmesh.common.resilience;

import static dev.distillmesh.common.resilience.EchoBackend.STREAM;
import static dev.distillmesh.common.resilience.EchoBackend.UNARY;
import static dev.distillmesh.common.resilience.InProcessFixture.deadlineIn;
import static dev.distillmesh.common.resilience.InProcessFixture.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The breaker opens, fails fast and recovers; the bulkhead rejects; streams are not retried. */
class BreakerAndBulkheadTest {
  private static final Duration FAST = Duration.ofMillis(5);
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration OPEN_WAIT = Duration.ofMillis(200);

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
  void breakerOpensFailsFastThenHalfOpensAndRecovers() throws Exception {
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(1, FAST, 4, OPEN_WAIT, 8), fixture.timer);
    Channel channel = fixture.channel(resilience);
    for (int i = 0; i < 4; i++) {
      assertEquals(Status.Code.UNAVAILABLE, callFails(channel).getCode());
    }
    assertEquals(CircuitBreaker.State.OPEN, resilience.state());

    Status fast = callFails(channel);

    assertEquals(Status.Code.UNAVAILABLE, fast.getCode());
    assertTrue(fast.getDescription().contains("circuit breaker 'index-service' is OPEN"),
        fast.getDescription());
    assertTrue(fast.getDescription().contains("next trial call in ~"), fast.getDescription());
    assertEquals(4, backend.calls.get(), "an open breaker sends nothing");
    assertEquals(1, resilience.snapshot().rejectedByCircuitBreaker());

    backend.failAlways = null;
    Thread.sleep(OPEN_WAIT.toMillis() + 50); // a lower bound only: OPEN ends after the wait
    assertEquals("echo:q", call(channel));
    assertEquals(CircuitBreaker.State.HALF_OPEN, resilience.state());
    for (int i = 1; i < CallGuard.HALF_OPEN_TRIAL_CALLS; i++) {
      assertEquals("echo:q", call(channel));
    }
    assertEquals(CircuitBreaker.State.CLOSED, resilience.state());
  }

  @Test
  void retriedCallCountsOnceAndDeadlineExceededCounts() {
    // Window of 2 at 50%: one UNAVAILABLE call (3 attempts) plus one DEADLINE_EXCEEDED opens it.
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 2, LONG, 8), fixture.timer);
    Channel channel = fixture.channel(resilience);

    assertEquals(Status.Code.UNAVAILABLE, callFails(channel).getCode());
    assertEquals(CircuitBreaker.State.CLOSED, resilience.state(), "3 attempts, 1 call");
    backend.failAlways = Status.DEADLINE_EXCEEDED.withDescription("too slow");
    assertEquals(Status.Code.DEADLINE_EXCEEDED, callFails(channel).getCode());

    assertEquals(CircuitBreaker.State.OPEN, resilience.state());
    assertEquals(4, backend.calls.get());
  }

  @Test
  void bulkheadRejectsTheCallBeyondItsLimitWhileTheOthersProceed() throws Exception {
    backend.gate = new CountDownLatch(1);
    backend.arrived = new CountDownLatch(2);
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 20, LONG, 2), fixture.timer);
    Channel channel = fixture.channel(resilience);
    ListenableFuture<String> first =
        ClientCalls.futureUnaryCall(channel.newCall(UNARY, deadlineIn(LONG)), "a");
    ListenableFuture<String> second =
        ClientCalls.futureUnaryCall(channel.newCall(UNARY, deadlineIn(LONG)), "b");
    assertTrue(backend.arrived.await(10, TimeUnit.SECONDS));
    assertEquals(2, resilience.snapshot().inFlight());

    Status rejected = callFails(channel);

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, rejected.getCode());
    assertTrue(rejected.getDescription().contains("bulkhead 'index-service' is full"),
        rejected.getDescription());
    assertTrue(rejected.getDescription().contains("limit 2"), rejected.getDescription());
    backend.gate.countDown();
    assertEquals("echo:a", first.get(10, TimeUnit.SECONDS));
    assertEquals("echo:b", second.get(10, TimeUnit.SECONDS));
    assertEquals(2, backend.calls.get(), "the rejected call was never sent");
    ResilienceInterceptor.Snapshot snapshot = resilience.snapshot();
    assertEquals(1, snapshot.rejectedByBulkhead());
    assertEquals(0, snapshot.inFlight());
    assertEquals(CircuitBreaker.State.CLOSED, snapshot.state());
  }

  @Test
  void streamingCallIsNotRetriedButOpensTheBreaker() {
    backend.failAlways = Status.UNAVAILABLE.withDescription("down");
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(5, FAST, 2, LONG, 8), fixture.timer);
    Channel channel = fixture.channel(resilience);

    for (int i = 1; i <= 2; i++) {
      assertEquals(Status.Code.UNAVAILABLE, streamFails(channel).getCode());
      assertEquals(i, backend.calls.get(), "one attempt per streaming call");
    }
    assertEquals(0, resilience.snapshot().retries());
    assertEquals(0, fixture.timer.scheduledCount());
    assertEquals(CircuitBreaker.State.OPEN, resilience.state());

    Status fast = streamFails(channel);

    assertTrue(fast.getDescription().contains("circuit breaker 'index-service' is OPEN"),
        fast.getDescription());
    assertEquals(2, backend.calls.get());
  }

  @Test
  void streamingCallPassesThroughWhenHealthy() {
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 2, LONG, 8), fixture.timer);
    Iterator<String> replies = ClientCalls.blockingServerStreamingCall(
        fixture.channel(resilience), STREAM, deadlineIn(LONG), "s");

    assertEquals("echo:s", replies.next());
    assertEquals("echo:s", replies.next());
    assertEquals(false, replies.hasNext());
    assertEquals(0, resilience.snapshot().inFlight());
  }

  @Test
  void callCancelledBeforeStartRefusesToStartAndTakesNoSlot() {
    ResilienceInterceptor resilience = new ResilienceInterceptor(
        settings(3, FAST, 20, LONG, 1), fixture.timer);
    Channel channel = fixture.channel(resilience);
    for (MethodDescriptor<String, String> method : List.of(UNARY, STREAM)) {
      ClientCall<String, String> call = channel.newCall(method, deadlineIn(LONG));
      call.cancel("changed my mind", null);

      assertThrows(IllegalStateException.class,
          () -> call.start(new ClientCall.Listener<>() {}, new Metadata()));

      assertEquals(0, resilience.snapshot().inFlight(), method.getFullMethodName());
    }
    assertEquals("echo:q", call(channel), "the single slot is still free");
    assertEquals(1, backend.calls.get());
  }

  private static String call(Channel channel) {
    return ClientCalls.blockingUnaryCall(channel, UNARY, deadlineIn(LONG), "q");
  }

  private static Status callFails(Channel channel) {
    return assertThrows(StatusRuntimeException.class, () -> call(channel)).getStatus();
  }

  private static Status streamFails(Channel channel) {
    return assertThrows(StatusRuntimeException.class, () -> ClientCalls
        .blockingServerStreamingCall(channel, STREAM, deadlineIn(LONG), "s").hasNext())
        .getStatus();
  }
}
