package dev.distillmesh.common.batch;

import dev.distillmesh.common.DomainException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers items submitted by many threads into batches for one expensive call (an ONNX Runtime
 * run), on one worker thread.
 *
 * <p>The worker takes whatever is queued, up to {@code maxBatch}; if the batch is not full it
 * waits at most {@code maxWait} for more, then runs. With {@code maxWait = 0} a lone request runs
 * at once, and requests that arrive while a batch runs form the next batch — batching then costs
 * nothing at low load and grows with load. At most {@code capacity} items wait; {@link #submit}
 * fails at once with RESOURCE_EXHAUSTED beyond that, so overload is visible to clients instead of
 * turning into unbounded latency. Items whose future was cancelled while queued are skipped, and
 * items still queued when their deadline passes are dropped without running: their future fails
 * with DEADLINE_EXCEEDED, so a request that gave up costs the model nothing.
 *
 * <p>Thread-safe. Whoever creates it closes it; closing fails the queued items with UNAVAILABLE.
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);

  /** The batched call: one output per input, in order. Runs on the worker thread only. */
  @FunctionalInterface
  public interface BatchFunction<I, O> {
    List<O> apply(List<I> inputs) throws Exception;
  }

  /** @param deadlineNanos a {@link System#nanoTime()} value after which the item is not run */
  private record Pending<I, O>(I input, CompletableFuture<O> result, long deadlineNanos) {}

  /** How far away the deadline of an item submitted without one is: never, in practice (146 years). */
  private static final long NO_DEADLINE_NANOS = Long.MAX_VALUE / 2;

  private final String name;
  private final BatchFunction<I, O> function;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final int capacity;
  private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
  private final Semaphore slots; // free places in the queue; taken by submit, returned by the worker
  private final Thread worker;
  private volatile boolean closed;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong items = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private final AtomicLongArray sizeCounts; // sizeCounts[n] = batches of n items

  /**
   * @param name used in thread names and error messages (e.g. "encoder")
   * @param maxBatch largest batch, at least 1
   * @param maxWaitMicros longest wait for more items once one is queued (0: never wait)
   * @param capacity most items waiting at once, at least maxBatch
   */
  public DynamicBatcher(String name, BatchFunction<I, O> function, int maxBatch, long maxWaitMicros, int capacity) {
    if (maxBatch < 1 || capacity < maxBatch || maxWaitMicros < 0) {
      throw new IllegalArgumentException("need maxBatch >= 1, capacity >= maxBatch, maxWait >= 0; got "
          + maxBatch + ", " + capacity + ", " + maxWaitMicros);
    }
    this.name = name;
    this.function = function;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = TimeUnit.MICROSECONDS.toNanos(maxWaitMicros);
    this.capacity = capacity;
    this.slots = new Semaphore(capacity);
    this.sizeCounts = new AtomicLongArray(maxBatch + 1);
    this.worker = new Thread(this::run, name + "-batcher");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Queues one item with no deadline.
   *
   * @throws DomainException RESOURCE_EXHAUSTED when the queue is full, UNAVAILABLE after close
   */
  public CompletableFuture<O> submit(I input) {
    return submitAll(List.of(input)).get(0);
  }

  /** Queues one item that is not run once {@code deadlineNanos} (a {@link System#nanoTime()} value) passed. */
  public CompletableFuture<O> submit(I input, long deadlineNanos) {
    return submitAll(List.of(input), deadlineNanos).get(0);
  }

  /** Queues all of {@code inputs} or none of them, with no deadline (same errors as {@link #submit}). */
  public List<CompletableFuture<O>> submitAll(List<I> inputs) {
    return submitAll(inputs, System.nanoTime() + NO_DEADLINE_NANOS);
  }

  /**
   * Queues all of {@code inputs} or none of them (same errors as {@link #submit}). Those still
   * queued at {@code deadlineNanos} are not run: their futures fail with DEADLINE_EXCEEDED.
   *
   * @param deadlineNanos a {@link System#nanoTime()} value
   */
  public List<CompletableFuture<O>> submitAll(List<I> inputs, long deadlineNanos) {
    if (closed) {
      throw new DomainException(DomainException.Kind.UNAVAILABLE, name + " is shutting down");
    }
    if (inputs.size() > capacity) {
      throw DomainException.tooLarge(inputs.size() + " items are more than the " + name + " queue holds ("
          + capacity + "); split the request");
    }
    if (!slots.tryAcquire(inputs.size())) {
      rejected.incrementAndGet();
      throw DomainException.tooLarge(name + " queue is full (" + (capacity - slots.availablePermits()) + " of "
          + capacity + " places taken); retry with backoff or add replicas");
    }
    List<CompletableFuture<O>> futures = new ArrayList<>(inputs.size());
    for (I input : inputs) {
      CompletableFuture<O> f = new CompletableFuture<>();
      futures.add(f);
      queue.add(new Pending<>(input, f, deadlineNanos));
    }
    if (closed) { // raced with close(): make sure nothing is left waiting
      drainAndFail();
    }
    return futures;
  }

  private void run() {
    List<Pending<I, O>> batch = new ArrayList<>(maxBatch);
    while (!closed) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, maxBatch - batch.size());
        if (maxWaitNanos > 0 && batch.size() < maxBatch) {
          long deadline = System.nanoTime() + maxWaitNanos;
          long left;
          while (batch.size() < maxBatch && (left = deadline - System.nanoTime()) > 0) {
            Pending<I, O> next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
              break;
            }
            batch.add(next);
            queue.drainTo(batch, maxBatch - batch.size());
          }
        }
      } catch (InterruptedException e) {
        break; // close()
      }
      slots.release(batch.size());
      execute(batch);
      batch.clear();
    }
    drainAndFail();
  }

  private void execute(List<Pending<I, O>> batch) {
    batch.removeIf(p -> p.result().isDone()); // cancelled by the caller while queued
    long now = System.nanoTime();
    batch.removeIf(p -> now - p.deadlineNanos() >= 0 && expire(p));
    if (batch.isEmpty()) {
      return;
    }
    batches.incrementAndGet();
    items.addAndGet(batch.size());
    sizeCounts.incrementAndGet(batch.size());
    List<I> inputs = new ArrayList<>(batch.size());
    for (Pending<I, O> p : batch) {
      inputs.add(p.input());
    }
    try {
      List<O> outputs = function.apply(inputs);
      if (outputs.size() != inputs.size()) {
        throw new IllegalStateException(name + " returned " + outputs.size() + " results for " + inputs.size() + " inputs");
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(outputs.get(i));
      }
    } catch (Throwable t) { // fail the callers, keep the worker alive
      log.error("{} batch of {} failed", name, batch.size(), t);
      for (Pending<I, O> p : batch) {
        p.result().completeExceptionally(t);
      }
    }
  }

  /** Fails an item whose deadline passed while it was queued; always true (for removeIf). */
  private boolean expire(Pending<I, O> p) {
    expired.incrementAndGet();
    p.result().completeExceptionally(new DomainException(DomainException.Kind.DEADLINE_EXCEEDED,
        "the deadline passed while the request waited in the " + name + " queue; it was dropped without running"));
    return true;
  }

  private void drainAndFail() {
    List<Pending<I, O>> left = new ArrayList<>();
    queue.drainTo(left);
    slots.release(left.size());
    for (Pending<I, O> p : left) {
      p.result().completeExceptionally(new DomainException(DomainException.Kind.UNAVAILABLE, name + " is shutting down"));
    }
  }

  /**
   * Counters for tests and metrics: batches run, items run, submissions rejected, queue depth,
   * items dropped at their deadline.
   */
  public Stats stats() {
    long[] sizes = new long[sizeCounts.length()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = sizeCounts.get(i);
    }
    return new Stats(batches.get(), items.get(), rejected.get(), capacity - slots.availablePermits(), sizes,
        expired.get());
  }

  /**
   * @param batchSizeCounts element n = number of batches that held n items
   * @param expired items dropped without running because their deadline passed while queued
   */
  public record Stats(long batches, long items, long rejected, int queued, long[] batchSizeCounts, long expired) {}

  public String name() {
    return name;
  }

  public int maxBatch() {
    return maxBatch;
  }

  public long maxWaitMicros() {
    return TimeUnit.NANOSECONDS.toMicros(maxWaitNanos);
  }

  public int capacity() {
    return capacity;
  }

  /** Stops the worker after its current batch; queued items fail with UNAVAILABLE. */
  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drainAndFail();
  }
}
