package dev.distillmesh.common.metrics;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.batch.DynamicBatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatcherMetricsTest {

  @Test
  void batchSizesQueueDepthAndRejectionsFollowTheBatcher() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("enc", inputs -> {
      release.await(10, TimeUnit.SECONDS);
      return inputs;
    }, 4, 0, 4)) {
      MetricsRegistry registry = new MetricsRegistry();
      BatcherMetrics.register(registry, () -> Map.of(batcher.name(), batcher.stats()));
      String before = registry.render();
      assertContains(before, "distillmesh_batcher_batch_size_count{batcher=\"enc\"} 0");
      assertContains(before, "distillmesh_batcher_queue_depth{batcher=\"enc\"} 0");
      assertContains(before, "distillmesh_batcher_expired_total{batcher=\"enc\"} 0");

      List<CompletableFuture<Integer>> results = new ArrayList<>();
      results.add(batcher.submit(1)); // taken by the worker, which then waits on the latch
      awaitQueued(batcher, 0);
      results.addAll(batcher.submitAll(List.of(2, 3, 4))); // wait behind it
      assertThrows(DomainException.class, () -> batcher.submitAll(List.of(5, 6))); // one place left
      String waiting = registry.render();
      assertContains(waiting, "distillmesh_batcher_queue_depth{batcher=\"enc\"} 3");
      assertContains(waiting, "distillmesh_batcher_rejected_total{batcher=\"enc\"} 1");

      release.countDown();
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      String after = registry.render();
      assertContains(after, """
          distillmesh_batcher_batch_size_bucket{batcher="enc",le="1"} 1
          distillmesh_batcher_batch_size_bucket{batcher="enc",le="2"} 1
          distillmesh_batcher_batch_size_bucket{batcher="enc",le="4"} 2
          """);
      assertContains(after, "distillmesh_batcher_batch_size_sum{batcher=\"enc\"} 4\n");
      assertContains(after, "distillmesh_batcher_batch_size_count{batcher=\"enc\"} 2\n");
      assertContains(after, "distillmesh_batcher_queue_depth{batcher=\"enc\"} 0\n");
    }
  }

  /** Waits until the worker has taken what was submitted and only {@code n} items wait. */
  private static void awaitQueued(DynamicBatcher<?, ?> batcher, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (batcher.stats().queued() != n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("queue never reached " + n + ": " + batcher.stats());
      }
      Thread.sleep(5);
    }
  }

  static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "expected\n" + expected + "\nin\n" + text);
  }
}
