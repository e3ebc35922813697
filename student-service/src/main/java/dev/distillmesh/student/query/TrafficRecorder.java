package dev.distillmesh.student.query;

import dev.distillmesh.common.DomainException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded, sampled record of the queries the student answered, kept in memory until a trainer
 * takes them.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Each offered query is kept with probability {@code sampleRate} (decided per query with
 *       {@link TrafficSink#sampled}); a rate of 1 keeps all, 0 none. A capacity of 0 keeps none and
 *       costs nothing.
 *   <li>At most {@code capacity} queries are held. When the buffer is full the <em>newest</em>
 *       query is dropped and counted: the buffer then holds an unbroken run of traffic since the
 *       last take, and the query path never removes anything, so it never contends with a take.
 *       The count of drops tells the trainer it is falling behind; it resets at every take.
 *   <li>Offering never blocks and does no I/O: a random draw, a compare-and-set on the size and
 *       an append to a lock-free queue. Only takes are serialised among themselves.
 *   <li>{@link #take} removes what it returns, oldest first: each query is handed out once.
 *       Queries offered by different threads at the same moment are ordered as their appends were.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class TrafficRecorder implements TrafficSink {
  /** Most queries one take may return. */
  public static final int MAX_TAKE = 10_000;
  /** What a take returns when it names no limit. */
  public static final int DEFAULT_TAKE = 1000;

  /** Which rpc served a query. */
  public enum Kind { ANSWER, RESPOND }

  /**
   * One answered query as the client sent it.
   *
   * @param question the question for {@link Kind#ANSWER}; empty for {@link Kind#RESPOND}
   * @param turns the dialogue turns, oldest first, for {@link Kind#RESPOND}; empty for {@link Kind#ANSWER}
   * @param servedAtUnixMs when the answer was ready
   */
  public record Item(Kind kind, String collection, String question, List<String> turns, long servedAtUnixMs) {}

  /**
   * What one take removed, oldest first.
   *
   * @param dropped queries dropped because the buffer was full since the previous take
   * @param remaining queries left in the buffer (of every collection)
   */
  public record Taken(List<Item> items, long dropped, int remaining) {}

  private final int capacity;
  private final double sampleRate;
  private final Queue<Item> buffer = new ConcurrentLinkedQueue<>();
  /** Slots reserved by offers; an offer reserves before it appends, so the bound is exact. */
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final ReentrantLock takeLock = new ReentrantLock();

  /**
   * @param capacity most queries held, 0..1,000,000; 0 disables recording
   * @param sampleRate fraction of answered queries recorded, in [0, 1]
   */
  public TrafficRecorder(int capacity, double sampleRate) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be 0 or more, got " + capacity);
    }
    this.capacity = capacity;
    this.sampleRate = TrafficSink.checkRate(sampleRate);
  }

  @Override
  public void offerAnswer(String collection, String question) {
    if (sampled()) {
      append(new Item(Kind.ANSWER, collection, question, List.of(), System.currentTimeMillis()));
    }
  }

  @Override
  public void offerRespond(String collection, List<String> turns) {
    if (sampled()) {
      append(new Item(Kind.RESPOND, collection, "", List.copyOf(turns), System.currentTimeMillis()));
    }
  }

  private boolean sampled() {
    return capacity > 0 && TrafficSink.sampled(sampleRate);
  }

  private void append(Item item) {
    int n;
    do {
      n = size.get();
      if (n >= capacity) {
        dropped.incrementAndGet();
        return;
      }
    } while (!size.compareAndSet(n, n + 1));
    buffer.add(item);
  }

  /**
   * Removes and returns up to {@code maxItems} of the oldest queries, only those of
   * {@code collection} unless it is empty, and resets the drop count.
   *
   * @param maxItems 1..{@value #MAX_TAKE}, or 0 for {@value #DEFAULT_TAKE}
   * @throws DomainException INVALID_ARGUMENT for {@code maxItems} out of range
   */
  public Taken take(int maxItems, String collection) {
    if (maxItems < 0 || maxItems > MAX_TAKE) {
      throw DomainException.invalid("max_items must be in 1.." + MAX_TAKE + " (0 means " + DEFAULT_TAKE
          + "), got " + maxItems);
    }
    int limit = maxItems == 0 ? DEFAULT_TAKE : maxItems;
    List<Item> items = new ArrayList<>(Math.min(limit, size.get()));
    takeLock.lock();
    try {
      if (collection.isEmpty()) {
        Item item;
        while (items.size() < limit && (item = buffer.poll()) != null) {
          items.add(item);
        }
      } else {
        // Offers only append, and takes hold the lock: nothing else removes while this iterates.
        for (Iterator<Item> it = buffer.iterator(); it.hasNext() && items.size() < limit; ) {
          Item item = it.next();
          if (item.collection().equals(collection)) {
            it.remove();
            items.add(item);
          }
        }
      }
      int remaining = size.addAndGet(-items.size());
      return new Taken(Collections.unmodifiableList(items), dropped.getAndSet(0), remaining);
    } finally {
      takeLock.unlock();
    }
  }
}
