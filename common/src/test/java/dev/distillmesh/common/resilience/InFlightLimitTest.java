package dev.distillmesh.common.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {
  @Test
  void oneRequestBeyondTheLimitIsRefusedWithoutStarting() {
    InFlightLimit limit = new InFlightLimit("query calls", 3);
    List<CompletableFuture<String>> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(limit.admit(CompletableFuture::new));
    }
    AtomicInteger started = new AtomicInteger();
    DomainException e = assertThrows(DomainException.class, () -> limit.admit(() -> {
      started.incrementAndGet();
      return new CompletableFuture<String>();
    }));
    assertEquals(DomainException.Kind.RESOURCE_EXHAUSTED, e.kind());
    assertTrue(e.getMessage().contains("3 query calls are already being answered"), e.getMessage());
    assertEquals(0, started.get(), "no work is done for a refused request");
    assertEquals(3, limit.inFlight());
    assertEquals(1, limit.rejected());
    held.forEach(f -> assertFalse(f.isDone()));
  }

  @Test
  void aSlotComesBackHoweverTheRequestEnds() {
    InFlightLimit limit = new InFlightLimit("query calls", 1);
    limit.admit(() -> CompletableFuture.completedFuture("done"));
    limit.admit(() -> CompletableFuture.failedFuture(new IllegalStateException("failed")));
    CompletableFuture<String> cancelled = limit.admit(CompletableFuture::new);
    cancelled.cancel(false);
    assertThrows(DomainException.class, () -> limit.admit(() -> {
      throw DomainException.invalid("refused while starting");
    }));
    assertEquals(0, limit.inFlight());
    CompletableFuture<String> next = limit.admit(CompletableFuture::new);
    assertEquals(1, limit.inFlight());
    next.complete("x");
    assertEquals(0, limit.inFlight());
    assertEquals(4, limit.admitted());
    assertEquals(0, limit.rejected());
  }

  @Test
  void rejectsANonPositiveLimit() {
    assertThrows(IllegalArgumentException.class, () -> new InFlightLimit("x", 0));
  }
}
