package dev.distillmesh.common.resilience;

import dev.distillmesh.common.DomainException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Server-side admission: at most {@code limit} requests are being served at once, and one more is
 * refused at once with RESOURCE_EXHAUSTED, before any work is done for it (no tokenizing, no
 * queueing, no call to a dependency). Under overload a client then learns in microseconds that it
 * must back off, instead of after waiting behind everyone else, and the accepted requests' latency
 * stays bounded by what {@code limit} requests cost.
 *
 * <p>A request holds its slot from {@link #admit} until the future it started completes, in any
 * way (value, failure, cancellation). Thread-safe: the slots are a {@link Semaphore}, the counters
 * {@link LongAdder}s. Never blocks.
 */
public final class InFlightLimit {
  private final String name;
  private final int limit;
  private final Semaphore slots;
  private final LongAdder admitted = new LongAdder();
  private final LongAdder rejected = new LongAdder();

  /**
   * @param name what is limited, for the refusal's message, e.g. {@code "student queries"}
   * @param limit requests served at once, at least 1
   */
  public InFlightLimit(String name, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("in-flight limit must be >= 1, got " + limit);
    }
    this.name = name;
    this.limit = limit;
    this.slots = new Semaphore(limit);
  }

  /**
   * Starts {@code request} if a slot is free.
   *
   * @return the request's future; its slot is given back when it completes
   * @throws DomainException RESOURCE_EXHAUSTED, at once and without calling {@code request}, when
   *     {@code limit} requests are already being served
   */
  public <T> CompletableFuture<T> admit(Supplier<CompletableFuture<T>> request) {
    if (!slots.tryAcquire()) {
      rejected.increment();
      throw DomainException.tooLarge("overloaded: " + limit + " " + name + " are already being answered (the"
          + " limit); refused at once without doing any work; retry with backoff or add replicas");
    }
    CompletableFuture<T> future;
    try {
      future = request.get();
    } catch (RuntimeException | Error e) { // refused synchronously (e.g. validation): nothing runs
      slots.release();
      throw e;
    }
    admitted.increment();
    future.whenComplete((value, error) -> slots.release());
    return future;
  }

  public int limit() {
    return limit;
  }

  /** Requests being served now. */
  public int inFlight() {
    return limit - slots.availablePermits();
  }

  /** Requests admitted since creation. */
  public long admitted() {
    return admitted.sum();
  }

  /** Requests refused since creation. */
  public long rejected() {
    return rejected.sum();
  }

  @Override
  public String toString() {
    return "InFlightLimit[" + name + ", " + inFlight() + " of " + limit + "]";
  }
}
