package dev.distillmesh.index.faiss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.faiss.FaissIndex.Neighbors;
import dev.distillmesh.index.faiss.FaissIndex.SearchParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FaissIndex} used from several threads: per-request search parameters must not leak
 * between concurrent searches, and adds must serialise with searches.
 */
class FaissConcurrencyTest {
  private static final int D = 32;
  private static final int THREADS = 4;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void shutDown() {
    pool.shutdownNow();
  }

  @Test
  void concurrentSearchesWithDifferentEfSearchMatchSequentialOnes() throws Exception {
    float[] base = TestVectors.gaussianUnit(5_000, D, 31);
    float[] queries = TestVectors.gaussianUnit(100, D, 32);
    int k = 10;
    int[] efSearch = {16, 512};
    try (FaissIndex index = FaissIndex.create(D, "HNSW32,Flat", Metric.INNER_PRODUCT)) {
      index.add(base, 2);
      long[][] expected = new long[efSearch.length][];
      for (int e = 0; e < efSearch.length; e++) {
        expected[e] = index.search(queries, k, new SearchParams(efSearch[e], 0, 1)).slots();
      }
      // Otherwise a leak of one thread's efSearch into another's search could not show.
      assertFalse(Arrays.equals(expected[0], expected[1]),
          "efSearch 16 and 512 gave identical results; the per-request efSearch is ignored");

      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          start.await();
          int mismatches = 0;
          // Every thread switches between the two values, one query per native call, so that
          // searches with different efSearch overlap as much as possible.
          for (int round = 0; round < 6; round++) {
            int e = (thread + round) % 2;
            SearchParams params = new SearchParams(efSearch[e], 0, 1);
            for (int q = 0; q < queries.length / D; q++) {
              long[] slots = index.search(TestVectors.row(queries, D, q), k, params).slots();
              long[] want = Arrays.copyOfRange(expected[e], q * k, (q + 1) * k);
              mismatches += Arrays.equals(want, slots) ? 0 : 1;
            }
          }
          return mismatches;
        }));
      }
      start.countDown();
      for (Future<Integer> worker : workers) {
        assertEquals(0, worker.get(), "concurrent results that differ from sequential ones");
      }
    }
  }

  @Test
  void addsInterleavedWithSearchesKeepEverySlotAndNeverCrash() throws Exception {
    int initial = 1_000;
    int batches = 20;
    int batch = 100;
    float[] vectors = TestVectors.gaussianUnit(initial + batches * batch, D, 41);
    float[] queries = TestVectors.gaussianUnit(16, D, 42);
    try (FaissIndex index = FaissIndex.create(D, "HNSW32,Flat", Metric.L2)) {
      index.add(TestVectors.rows(vectors, D, 0, initial), 1);
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch readersRunning = new CountDownLatch(THREADS - 1);
      List<Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < THREADS - 1; t++) {
        readers.add(pool.submit(reader(index, queries, writing, readersRunning)));
      }
      Future<long[]> writer = pool.submit(() -> {
        readersRunning.await();
        long[] firstSlots = new long[batches];
        try {
          for (int b = 0; b < batches; b++) {
            int from = initial + b * batch;
            firstSlots[b] = index.add(TestVectors.rows(vectors, D, from, from + batch), 1);
          }
        } finally {
          writing.set(false);
        }
        return firstSlots;
      });

      long[] firstSlots = writer.get();
      for (Future<Integer> reader : readers) {
        assertTrue(reader.get() > 0, "a reader never searched");
      }
      for (int b = 0; b < batches; b++) {
        assertEquals(initial + (long) b * batch, firstSlots[b], "first slot of batch " + b);
      }
      assertEquals(initial + batches * batch, index.size());
      for (int slot = 0; slot < index.size(); slot += 97) {
        assertArrayEquals(TestVectors.row(vectors, D, slot), index.reconstruct(slot),
            "slot " + slot);
      }
    }
  }

  /** Searches until the writer is done; every slot must exist; returns the number of searches. */
  private static Callable<Integer> reader(FaissIndex index, float[] queries, AtomicBoolean writing,
      CountDownLatch running) {
    return () -> {
      int searches = 0;
      try {
        do {
          Neighbors found = index.search(queries, 5, new SearchParams(32, 0, 1));
          long sizeAfter = index.size();
          for (long slot : found.slots()) {
            assertTrue(slot >= 0 && slot < sizeAfter, "slot " + slot + " of " + sizeAfter);
          }
          if (searches++ == 0) {
            running.countDown();
          }
        } while (writing.get());
      } finally {
        running.countDown(); // never leave the writer waiting on a reader that failed
      }
      return searches;
    };
  }
}
