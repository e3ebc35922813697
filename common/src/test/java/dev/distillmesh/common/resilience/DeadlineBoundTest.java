package dev.distillmesh.common.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import io.grpc.Deadline;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlineBoundTest {
  @Test
  void workThatOutlivesItsDeadlineEndsDeadlineExceededAndIsCancelled() {
    CompletableFuture<String> work = new CompletableFuture<>(); // never completes by itself
    CompletableFuture<String> bounded = Deadlines.bound(Deadline.after(20, TimeUnit.MILLISECONDS), work, "too slow");
    ExecutionException e = assertThrows(ExecutionException.class, bounded::get);
    DomainException cause = (DomainException) e.getCause();
    assertEquals(DomainException.Kind.DEADLINE_EXCEEDED, cause.kind());
    assertEquals("too slow", cause.getMessage());
    assertTrue(work.isCancelled(), "what the work still had queued is dropped");
  }

  @Test
  void aDeadlineAlreadyPassedFailsAtOnce() {
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletableFuture<String> bounded = Deadlines.bound(Deadline.after(-1, TimeUnit.SECONDS), work, "late");
    assertTrue(bounded.isCompletedExceptionally());
    assertTrue(work.isCancelled());
  }

  @Test
  void workDoneInTimeKeepsItsValueOrItsError() throws Exception {
    Deadline far = Deadline.after(1, TimeUnit.DAYS);
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletableFuture<String> bounded = Deadlines.bound(far, work, "unused");
    work.complete("answer");
    assertEquals("answer", bounded.get());
    DomainException notFound = DomainException.notFound("no such collection");
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> Deadlines.bound(far, CompletableFuture.failedFuture(notFound), "unused").get());
    assertEquals(notFound, e.getCause());
  }

  @Test
  void cancellingTheBoundedFutureCancelsTheWork() {
    CompletableFuture<String> work = new CompletableFuture<>();
    Deadlines.bound(Deadline.after(1, TimeUnit.DAYS), work, "unused").cancel(false);
    assertTrue(work.isCancelled(), "a client that gives up takes its work out of the queue");
  }

  @Test
  void toNanoTimeComparesWithTheClock() {
    long now = System.nanoTime();
    assertTrue(Deadlines.toNanoTime(Deadline.after(-1, TimeUnit.SECONDS)) - now < 0);
    assertTrue(Deadlines.toNanoTime(Deadline.after(1, TimeUnit.DAYS)) - now > 0);
  }
}
