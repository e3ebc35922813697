package dev.distillmesh.common.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distillmesh.common.DomainException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final DomainException DOWN = new DomainException(DomainException.Kind.UNAVAILABLE, "down");
  private static final DomainException BAD = DomainException.invalid("bad");

  @Test
  void pausesGrowLinearlyUpToTheCap() {
    Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0);
    assertEquals(Duration.ofMillis(500), b.pauseAfter(1));
    assertEquals(Duration.ofMillis(1500), b.pauseAfter(3));
    assertEquals(Duration.ofSeconds(10), b.pauseAfter(20));
    assertEquals(Duration.ofSeconds(10), b.pauseAfter(1000));
  }

  @Test
  void retryableFailuresAreRetriedUntilTheWorkSucceeds() throws Exception {
    List<Integer> told = new ArrayList<>();
    String result = Backoff.immediate(0).run(attempt -> {
      if (attempt < 4) {
        throw DOWN;
      }
      return "answer " + attempt;
    }, e -> e == DOWN, (attempt, e, pause) -> told.add(attempt));
    assertEquals("answer 4", result);
    assertEquals(List.of(1, 2, 3), told);
  }

  @Test
  void aFailureThePredicateRefusesIsThrownAtOnce() {
    int[] attempts = {0};
    DomainException e = assertThrows(DomainException.class, () -> Backoff.immediate(0).run(attempt -> {
      attempts[0]++;
      throw BAD;
    }, x -> x == DOWN, (attempt, x, pause) -> { }));
    assertSame(BAD, e);
    assertEquals(1, attempts[0]);
  }

  @Test
  void theLastAttemptsFailureIsThrownWhenTheAttemptsAreSpent() {
    int[] attempts = {0};
    DomainException e = assertThrows(DomainException.class, () -> Backoff.immediate(5).run(attempt -> {
      attempts[0]++;
      throw DOWN;
    }, x -> true, (attempt, x, pause) -> { }));
    assertSame(DOWN, e);
    assertEquals(5, attempts[0]);
  }
}
