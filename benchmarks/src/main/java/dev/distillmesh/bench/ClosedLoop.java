package dev.distillmesh.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs numbered calls from a fixed number of client threads in a closed loop (each thread sends its
 * next call as soon as its previous one returns, so exactly {@code threads} calls are in flight)
 * and times every call. A failed call is counted, not retried, and does not stop the others.
 *
 * <p>Not thread-safe: one {@link #run} at a time. Owns its threads; {@link #close} stops them.
 */
final class ClosedLoop implements AutoCloseable {
  /** Call number {@code i}; the caller maps it to its input (e.g. question {@code i % n}). */
  @FunctionalInterface
  interface Call {
    void run(int i) throws Exception;
  }

  /**
   * What one run measured.
   *
   * @param nanos latency of each successful call, in completion order
   * @param wallNanos from the first call's start to the last call's end
   */
  record Block(long[] nanos, int errors, Throwable firstError, long wallNanos) {}

  private final ExecutorService pool;

  ClosedLoop(int maxThreads) {
    this.pool = Executors.newFixedThreadPool(maxThreads, r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    });
  }

  /** Calls {@code from .. from+count-1}, spread over {@code threads} threads (1 = this thread). */
  Block run(int threads, int from, int count, Call call) throws Exception {
    long[] nanos = new long[count];
    AtomicInteger done = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    AtomicInteger next = new AtomicInteger();
    Callable<Void> worker = () -> {
      for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
        long t0 = System.nanoTime();
        try {
          call.run(from + i);
          nanos[done.getAndIncrement()] = System.nanoTime() - t0;
        } catch (Exception e) {
          errors.incrementAndGet();
          firstError.compareAndSet(null, e);
        }
      }
      return null;
    };
    long start = System.nanoTime();
    if (threads == 1) {
      worker.call(); // no hand-off to a pool thread: nothing but the call itself is timed
    } else {
      List<Callable<Void>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(worker);
      }
      for (Future<Void> f : pool.invokeAll(workers)) {
        f.get();
      }
    }
    long wall = System.nanoTime() - start;
    return new Block(java.util.Arrays.copyOf(nanos, done.get()), errors.get(), firstError.get(),
        wall);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
