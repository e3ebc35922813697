package dev.distillmesh.common.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {
  /** A batch function that records batch sizes and can be held at a gate. */
  private static final class Recorder implements DynamicBatcher.BatchFunction<Integer, Integer> {
    final List<Integer> sizes = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate;

    Recorder(boolean held) {
      gate = new CountDownLatch(held ? 1 : 0);
    }

    @Override
    public List<Integer> apply(List<Integer> inputs) throws Exception {
      entered.countDown();
      gate.await();
      sizes.add(inputs.size());
      return inputs.stream().map(i -> i * 10).toList();
    }
  }

  @Test
  void requestsArrivingWhileABatchRunsFormTheNextBatch() throws Exception {
    Recorder f = new Recorder(true);
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("test", f, 32, 0, 100)) {
      CompletableFuture<Integer> first = b.submit(0);
      f.entered.await();
      List<CompletableFuture<Integer>> rest = new ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        rest.add(b.submit(i));
      }
      f.gate.countDown();
      assertEquals(0, first.get(10, TimeUnit.SECONDS));
      for (int i = 1; i <= 20; i++) {
        assertEquals(i * 10, rest.get(i - 1).get(10, TimeUnit.SECONDS), "results go back to their callers");
      }
      assertEquals(List.of(1, 20), f.sizes);
      assertEquals(1, b.stats().batchSizeCounts()[20]);
    }
  }

  @Test
  void batchesNeverExceedTheMaximum() throws Exception {
    Recorder f = new Recorder(true);
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("test", f, 8, 0, 100)) {
      b.submit(0);
      f.entered.await();
      List<CompletableFuture<Integer>> rest = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        rest.add(b.submit(i));
      }
      f.gate.countDown();
      CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertEquals(List.of(1, 8, 8, 4), f.sizes);
    }
  }

  @Test
  void aFullQueueAnswersResourceExhaustedAtOnce() throws Exception {
    Recorder f = new Recorder(true);
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("encoder", f, 4, 0, 4)) {
      b.submit(0);
      f.entered.await(); // the worker holds item 0; the queue is empty
      for (int i = 0; i < 4; i++) {
        b.submit(i);
      }
      DomainException e = assertThrows(DomainException.class, () -> b.submit(99));
      assertEquals(DomainException.Kind.RESOURCE_EXHAUSTED, e.kind());
      assertTrue(e.getMessage().contains("encoder queue is full"), e.getMessage());
      assertThrows(DomainException.class, () -> b.submitAll(List.of(1, 2)), "all or nothing");
      assertEquals(2, b.stats().rejected(), "rejections are counted");
      f.gate.countDown();
    }
  }

  @Test
  void aBoundedWaitGathersItemsThatArriveSoonAfter() throws Exception {
    Recorder f = new Recorder(false);
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("test", f, 4, 5_000_000, 100)) {
      // With a 5 s wait and a batch of 4, the batch runs as soon as the fourth item arrives.
      List<CompletableFuture<Integer>> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add(b.submit(i));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertEquals(List.of(4), f.sizes);
    }
  }

  @Test
  void cancelledItemsAreSkipped() throws Exception {
    Recorder f = new Recorder(true);
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("test", f, 32, 0, 100)) {
      b.submit(0);
      f.entered.await();
      CompletableFuture<Integer> gone = b.submit(1);
      CompletableFuture<Integer> kept = b.submit(2);
      gone.cancel(false);
      f.gate.countDown();
      assertEquals(20, kept.get(10, TimeUnit.SECONDS));
      assertEquals(List.of(1, 1), f.sizes);
    }
  }

  @Test
  void itemsStillQueuedAtTheirDeadlineAreDroppedWithoutRunning() throws Exception {
    Recorder f = new Recorder(true);
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("encoder", f, 32, 0, 100)) {
      b.submit(0);
      f.entered.await(); // the worker holds item 0; what follows waits in the queue
      List<CompletableFuture<Integer>> late = b.submitAll(List.of(1, 2, 3), System.nanoTime() - 1);
      CompletableFuture<Integer> timely = b.submit(4, System.nanoTime() + TimeUnit.DAYS.toNanos(1));
      CompletableFuture<Integer> undated = b.submit(5);
      f.gate.countDown();
      for (CompletableFuture<Integer> gone : late) {
        ExecutionException e = assertThrows(ExecutionException.class, gone::get);
        DomainException cause = (DomainException) e.getCause();
        assertEquals(DomainException.Kind.DEADLINE_EXCEEDED, cause.kind());
        assertTrue(cause.getMessage().contains("encoder queue"), cause.getMessage());
      }
      assertEquals(40, timely.get());
      assertEquals(50, undated.get());
      assertEquals(List.of(1, 2), f.sizes, "the late items never reached the model");
      assertEquals(3, b.stats().expired());
      assertEquals(3, b.stats().items());
    }
  }

  @Test
  void aFailingBatchFailsItsCallersAndTheWorkerCarriesOn() throws Exception {
    List<Integer> calls = new CopyOnWriteArrayList<>();
    DynamicBatcher.BatchFunction<Integer, Integer> f = inputs -> {
      calls.add(inputs.size());
      if (inputs.contains(-1)) {
        throw new IllegalStateException("model exploded");
      }
      return inputs;
    };
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("test", f, 32, 0, 100)) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> b.submit(-1).get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("model exploded"));
      assertEquals(5, b.submit(5).get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void closingFailsWhatIsStillQueued() throws Exception {
    Recorder f = new Recorder(true);
    DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("test", f, 1, 0, 100);
    b.submit(0);
    f.entered.await();
    CompletableFuture<Integer> queued = b.submit(1);
    b.close(); // interrupts the worker inside the held batch; item 1 never runs
    ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(10, TimeUnit.SECONDS));
    assertEquals(DomainException.Kind.UNAVAILABLE, ((DomainException) e.getCause()).kind());
    assertEquals(DomainException.Kind.UNAVAILABLE, assertThrows(DomainException.class, () -> b.submit(2)).kind());
  }
}
