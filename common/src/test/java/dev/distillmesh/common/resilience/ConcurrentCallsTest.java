package dev.distillmesh.common.resilience;

import static dev.distillmesh.common.resilience.EchoBackend.UNARY;
import static dev.distillmesh.common.resilience.InProcessFixture.deadlineIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many calls at once, the server failing some attempts at random and callers cancelling at random
 * moments (seeded): every call must end exactly once with an expected status, and every bulkhead
 * slot must come back. Catches races between cancel, attempt close and the retry timer.
 */
class ConcurrentCallsTest {
  private static final int CALLS = 400;
  private static final Set<Status.Code> EXPECTED =
      EnumSet.of(Status.Code.OK, Status.Code.UNAVAILABLE, Status.Code.CANCELLED);

  private InProcessFixture fixture;
  private final ExecutorService callers = Executors.newFixedThreadPool(8);

  @BeforeEach
  void start() throws Exception {
    fixture = new InProcessFixture();
  }

  @AfterEach
  void stop() throws Exception {
    callers.shutdownNow();
    fixture.close();
  }

  @Test
  void everyCallEndsOnceAndReturnsItsSlot() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < CALLS * 3; i++) {
      fixture.backend.script.add(random.nextInt(3) == 0 ? Status.OK
          : Status.UNAVAILABLE.withDescription("flaky"));
    }
    // A window the test never fills, so the breaker stays out of the way.
    ResilienceInterceptor resilience = new ResilienceInterceptor(new ResilienceSettings(
        InProcessFixture.PEER, 3, Duration.ofMillis(1), Duration.ofMillis(4), 50f, 10_000, 10_000,
        Duration.ofSeconds(30), CALLS), fixture.timer);
    Channel channel = fixture.channel(resilience);

    AtomicInteger closes = new AtomicInteger();
    List<CompletableFuture<Status>> outcomes = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      int cancelMode = random.nextInt(3); // 0: never, 1: at once, 2: after a short pause
      long pauseNanos = random.nextInt(2_000_000);
      CompletableFuture<Status> outcome = new CompletableFuture<>();
      outcomes.add(outcome);
      callers.execute(() -> {
        ClientCall<String, String> call = channel.newCall(UNARY, deadlineIn(Duration.ofSeconds(30)));
        call.start(new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closes.incrementAndGet();
            outcome.complete(status);
          }
        }, new Metadata());
        call.request(1);
        call.sendMessage("q");
        call.halfClose();
        if (cancelMode == 2) {
          LockSupport.parkNanos(pauseNanos);
        }
        if (cancelMode != 0) {
          call.cancel("test cancels", null);
        }
      });
    }

    Map<Status.Code, Integer> byCode = new EnumMap<>(Status.Code.class);
    for (CompletableFuture<Status> outcome : outcomes) {
      Status status = outcome.get(30, TimeUnit.SECONDS);
      assertTrue(EXPECTED.contains(status.getCode()), status.toString());
      byCode.merge(status.getCode(), 1, Integer::sum);
    }
    callers.shutdown();
    assertTrue(callers.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(CALLS, closes.get(), "one onClose per call; by code: " + byCode);
    assertEquals(0, resilience.snapshot().inFlight());
    assertEquals(EXPECTED, byCode.keySet(), "the mix exercised every ending: " + byCode);
  }
}
