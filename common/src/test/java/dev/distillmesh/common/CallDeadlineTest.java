package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.resilience.Deadlines;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallDeadlineTest {
  @Test
  void expiryAndRemaining() {
    assertTrue(CallDeadline.after(Duration.ZERO).isExpired());
    assertTrue(CallDeadline.after(Duration.ofMillis(-5)).isExpired());
    CallDeadline later = CallDeadline.after(Duration.ofHours(1));
    assertFalse(later.isExpired());
    assertTrue(later.remaining(TimeUnit.MINUTES) >= 59);
  }

  @Test
  void hugeTimeoutsSaturateInsteadOfOverflowing() {
    CallDeadline far = CallDeadline.after(Duration.ofSeconds(Long.MAX_VALUE));
    assertFalse(far.isExpired());
    assertTrue(far.remaining().toDays() > 365L * 100);
  }

  @Test
  void nanoTimeIsWhenItExpiresOnTheNanoClock() {
    long before = System.nanoTime();
    CallDeadline d = CallDeadline.after(Duration.ofSeconds(10));
    long after = System.nanoTime();
    assertTrue(d.nanoTime() - before >= Duration.ofSeconds(10).toNanos());
    assertTrue(d.nanoTime() - after <= Duration.ofSeconds(10).toNanos());
  }

  @Test
  void minimumIsTheEarlier() {
    CallDeadline soon = CallDeadline.after(Duration.ofSeconds(1));
    CallDeadline late = CallDeadline.after(Duration.ofSeconds(100));
    assertSame(soon, soon.minimum(late));
    assertSame(soon, late.minimum(soon));
  }

  @Test
  void convertsToAndFromGrpcKeepingTheTimeLeft() {
    CallDeadline d = CallDeadline.after(Duration.ofSeconds(30));
    long grpcLeft = Deadlines.toGrpc(d).timeRemaining(TimeUnit.SECONDS);
    assertTrue(grpcLeft >= 28 && grpcLeft <= 30, "left " + grpcLeft);
    long back = Deadlines.fromGrpc(Deadlines.toGrpc(d)).remaining(TimeUnit.SECONDS);
    assertEquals(29, back, 1.0);
  }
}
