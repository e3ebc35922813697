package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FuturesTest {
  private static final CallDeadline FAR = CallDeadline.after(Duration.ofHours(1));

  private static DomainException expired() {
    return new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, "too late");
  }

  @Test
  void completesWithEveryResultInTheOrderOfTheParts() throws Exception {
    CompletableFuture<String> a = new CompletableFuture<>();
    CompletableFuture<String> b = new CompletableFuture<>();
    CompletableFuture<String> c = new CompletableFuture<>();
    CompletableFuture<List<String>> all = Futures.allWithin(List.of(a, b, c), FAR, FuturesTest::expired);
    c.complete("c");
    a.complete("a");
    assertFalse(all.isDone(), "one part is still running");
    b.complete("b");
    assertEquals(List.of("a", "b", "c"), all.get());
  }

  @Test
  void noPartsIsAnEmptyResult() throws Exception {
    assertEquals(List.of(), Futures.<String>allWithin(List.of(), FAR, FuturesTest::expired).get());
  }

  @Test
  void firstFailureFailsTheWholeAtOnceUnwrappedAndCancelsTheRest() {
    CompletableFuture<Integer> running = new CompletableFuture<>();
    CompletableFuture<Integer> failing = new CompletableFuture<>();
    // A dependent stage fails with a CompletionException around the cause.
    CompletableFuture<Integer> dependent = failing.thenApply(x -> x + 1);
    CompletableFuture<List<Integer>> all = Futures.allWithin(List.of(running, dependent), FAR, FuturesTest::expired);
    DomainException cause = DomainException.invalid("bad pair");
    failing.completeExceptionally(cause);

    ExecutionException e = assertThrows(ExecutionException.class, all::get);
    assertSame(cause, e.getCause());
    CompletionException joined = assertThrows(CompletionException.class, all::join);
    assertSame(cause, joined.getCause(), "not wrapped twice");
    assertTrue(running.isCancelled(), "the unfinished part is cancelled");
  }

  @Test
  void deadlinePassingFirstFailsWithTheGivenFailureAndCancelsTheParts() {
    CompletableFuture<Integer> never = new CompletableFuture<>();
    AtomicInteger built = new AtomicInteger();
    CompletableFuture<List<Integer>> all = Futures.allWithin(List.of(never), CallDeadline.after(Duration.ofMillis(50)),
        () -> {
          built.incrementAndGet();
          return expired();
        });
    ExecutionException e = assertThrows(ExecutionException.class, all::get);
    DomainException d = (DomainException) e.getCause();
    assertEquals(DomainException.Kind.DEADLINE_EXCEEDED, d.kind());
    assertEquals("too late", d.getMessage());
    assertEquals(1, built.get());
    assertTrue(never.isCancelled());
  }

  @Test
  void deadlineAlreadyPassedFailsWithoutWaitingForTheParts() {
    CompletableFuture<Integer> never = new CompletableFuture<>();
    CompletableFuture<List<Integer>> all = Futures.allWithin(List.of(never), CallDeadline.after(Duration.ofSeconds(-1)),
        FuturesTest::expired);
    ExecutionException e = assertThrows(ExecutionException.class, all::get);
    assertEquals("too late", e.getCause().getMessage());
    assertTrue(never.isCancelled());
  }

  @Test
  void cancellingTheResultCancelsTheParts() {
    CompletableFuture<Integer> a = new CompletableFuture<>();
    CompletableFuture<Integer> done = CompletableFuture.completedFuture(1);
    CompletableFuture<List<Integer>> all = Futures.allWithin(List.of(a, done), FAR, FuturesTest::expired);
    assertTrue(all.cancel(false));
    assertTrue(a.isCancelled());
    assertFalse(done.isCancelled(), "a finished part keeps its result");
  }

  @Test
  void aResultBeforeTheDeadlineIsKeptAndTheFailureNeverBuilt() throws Exception {
    AtomicInteger built = new AtomicInteger();
    CompletableFuture<Integer> part = new CompletableFuture<>();
    CompletableFuture<List<Integer>> all = Futures.allWithin(List.of(part), CallDeadline.after(Duration.ofMillis(500)),
        () -> {
          built.incrementAndGet();
          return expired();
        });
    part.complete(7);
    assertEquals(List.of(7), all.get());
    Thread.sleep(1000); // past the deadline: the cancelled timer must not fire
    assertEquals(0, built.get());
    assertEquals(List.of(7), all.get());
  }

  @Test
  void workThatOutlivesItsDeadlineFailsWithTheGivenFailureAndIsCancelled() {
    CompletableFuture<String> work = new CompletableFuture<>(); // never completes by itself
    CompletableFuture<String> bounded = Futures.within(work, CallDeadline.after(Duration.ofMillis(20)),
        () -> new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, "too slow"));
    ExecutionException e = assertThrows(ExecutionException.class, bounded::get);
    assertEquals("too slow", e.getCause().getMessage());
    assertTrue(work.isCancelled(), "what the work still had queued is dropped");
  }

  @Test
  void workUnderAPassedDeadlineFailsAtOnce() {
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletableFuture<String> bounded = Futures.within(work, CallDeadline.after(Duration.ofSeconds(-1)),
        () -> new IllegalStateException("late"));
    assertTrue(bounded.isCompletedExceptionally());
    assertTrue(work.isCancelled());
  }

  @Test
  void workDoneInTimeKeepsItsValueOrItsError() throws Exception {
    CallDeadline far = CallDeadline.after(Duration.ofDays(1));
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletableFuture<String> bounded = Futures.within(work, far, () -> new AssertionError("never built"));
    work.complete("answer");
    assertEquals("answer", bounded.get());
    DomainException notFound = DomainException.notFound("no such collection");
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> Futures.within(CompletableFuture.<String>failedFuture(notFound), far, AssertionError::new).get());
    assertEquals(notFound, e.getCause());
  }

  @Test
  void cancellingTheBoundedResultCancelsTheWork() {
    CompletableFuture<String> work = new CompletableFuture<>();
    Futures.within(work, CallDeadline.after(Duration.ofDays(1)), AssertionError::new).cancel(false);
    assertTrue(work.isCancelled(), "a client that gives up takes its work out of the queue");
  }
}
