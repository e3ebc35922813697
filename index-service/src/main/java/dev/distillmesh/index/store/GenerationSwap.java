package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation that serves one collection, and its replacement: by a rebuild (a new generation
 * filled from a stream, or by a Reproject from the stored base vectors, while writes are refused)
 * or by a compaction (the live records copied into
 * a tombstone-free generation while writes go on, then caught up from the log). Either way the new
 * generation is written completely and then {@code CURRENT} flips atomically: a crash before the
 * flip leaves the old generation, after it the new one.
 *
 * Whether a write may go in now ({@link #checkWritable}, {@link #checkExpected}) depends on this
 * state, so the checks live here too.
 *
 * <p>Thread-safety: the collection's {@code writeLock} guards every change here; searches only
 * read {@code current} and pin it.
 */
final class GenerationSwap {
  private static final Logger log = LoggerFactory.getLogger(Collection.class);

  private final ReentrantLock writeLock;
  private final CollectionLog collectionLog;
  private final StoreOptions options;
  private volatile Generation current;
  private volatile boolean rebuilding;
  private volatile String rebuildCall = ""; // the rpc whose return ends the rebuild: Rebuild or Reproject
  private volatile boolean closed;
  private boolean compacting; // guarded by writeLock

  GenerationSwap(ReentrantLock writeLock, CollectionLog collectionLog, StoreOptions options, Generation current) {
    this.writeLock = writeLock;
    this.collectionLog = collectionLog;
    this.options = options;
    this.current = current;
  }

  /** The serving generation, unpinned: for its config and number. */
  Generation current() {
    return current;
  }

  boolean rebuilding() {
    return rebuilding;
  }

  /** The rpc whose return ends the rebuild in progress ("Rebuild" or "Reproject"). */
  String rebuildCall() {
    return rebuildCall;
  }

  /** True while a compaction copies; checkpoints pause meanwhile. Holds writeLock. */
  boolean compacting() {
    return compacting;
  }

  boolean closed() {
    return closed;
  }

  private String name() {
    return current.config().name();
  }

  /** Refuses a write (or a rebuild's start) the collection's state forbids. Holds writeLock. */
  void checkWritable() {
    if (closed) {
      throw DomainException.notFound("collection " + name() + " was dropped");
    }
    if (rebuilding) {
      throw DomainException.precondition("collection " + name() + " is being "
          + ("Reproject".equals(rebuildCall) ? "reprojected" : "rebuilt") + "; writes resume when the "
          + rebuildCall + " call returns");
    }
    if (collectionLog.failure() != null) {
      throw new DomainException(DomainException.Kind.INTERNAL, "writes to collection " + name()
          + " are stopped after a failed log write (" + collectionLog.failure() + "); searches still work;"
          + " restart the index service to recover");
    }
  }

  static void checkExpectedSign(long expectedLastSequence) {
    if (expectedLastSequence < 0) {
      throw DomainException.invalid("expected_last_sequence " + expectedLastSequence + " is negative;"
          + " send 0 (no check) or the last_sequence read from ListRecords or GetCollection");
    }
  }

  /** ABORTED when the collection was written since {@code expected} (0: no check). Holds writeLock. */
  void checkExpected(long expected, String what, String retry) {
    if (expected != 0 && expected != collectionLog.lastSeq()) {
      throw DomainException.aborted("collection " + name() + " was written since it was read: its"
          + " last_sequence is " + collectionLog.lastSeq() + ", the " + what + " expected " + expected + "; " + retry);
    }
  }

  /** Pins the serving generation for a read; the caller releases it. */
  Generation pin() {
    while (true) {
      Generation gen = current;
      if (gen.tryAcquire()) {
        return gen;
      }
      if (closed) {
        throw DomainException.notFound("collection " + gen.config().name() + " was dropped");
      }
    }
  }

  /** Marks the collection dropped or closed: pins fail from now on. Holds writeLock. */
  void markClosed() {
    closed = true;
  }

  /** Marks a rebuild begun and returns its empty generation. Holds writeLock; writes are checked. */
  Generation beginRebuild(IndexSpec spec) {
    return beginRebuild(current.config().withSpec(spec), "Rebuild");
  }

  /**
   * Marks a rebuild begun by {@code call} and returns its empty generation with {@code config} (a
   * Reproject's new projection). Holds writeLock; writes are checked.
   */
  Generation beginRebuild(CollectionConfig config, String call) {
    Generation next = Generation.empty(current.number() + 1, config, options);
    rebuildCall = call;
    rebuilding = true;
    return next;
  }

  /** Installs a rebuilt generation, or abandons the rebuild when gen is null. */
  void finishRebuild(Generation gen) throws IOException {
    writeLock.lock();
    try {
      if (gen != null) {
        if (closed) {
          gen.retire();
          throw DomainException.notFound("collection " + name() + " was dropped during the rebuild");
        }
        try {
          install(gen);
        } catch (IOException | RuntimeException e) {
          if (current != gen) {
            gen.retire();
          }
          throw e;
        }
      }
    } finally {
      rebuilding = false;
      writeLock.unlock();
    }
  }

  /** See {@link Collection#compactIfNeeded()}. */
  boolean compactIfNeeded() throws IOException {
    Generation old;
    CompactionCopy copy;
    writeLock.lock();
    try {
      old = current;
      long tombstones = old.tombstoneCount();
      long total = tombstones + old.liveCount();
      if (closed || rebuilding || compacting || collectionLog.failure() != null
          || tombstones < options.compactionMinTombstones()
          || tombstones < options.compactionTombstoneRatio() * total || !old.tryAcquire()) {
        return false;
      }
      // Checkpoints pause until the swap: the catch-up below reads this generation's log.
      compacting = true;
      copy = CompactionCopy.capture(old, collectionLog.lastSeq());
    } finally {
      writeLock.unlock();
    }
    Generation fresh;
    try {
      fresh = copy.build(options); // outside the lock: writes and searches go on
    } catch (RuntimeException e) {
      endCompaction(old);
      throw e;
    }
    writeLock.lock();
    try {
      if (closed || current != old || rebuilding) {
        // Dropped, closed or rebuilt meanwhile, or a rebuild is under way: it will install the
        // generation number this copy has, so this copy yields.
        return false;
      }
      List<LogEntry> since = collectionLog.since(copy.fromSeq());
      fresh.apply(since);
      install(fresh);
      log.info("collection {} compacted: generation {} -> {}, {} slots -> {} live records",
          name(), old.number(), fresh.number(), copy.slotCount(), fresh.liveCount());
      return true;
    } finally {
      writeLock.unlock();
      if (current != fresh) {
        fresh.retire();
      }
      endCompaction(old);
    }
  }

  private void endCompaction(Generation old) {
    writeLock.lock();
    try {
      compacting = false;
    } finally {
      writeLock.unlock();
    }
    old.release();
  }

  /** Makes {@code gen} durable as the next generation, flips CURRENT, swaps. Holds writeLock. */
  private void install(Generation gen) throws IOException {
    CollectionFiles.Opened installed = collectionLog.writeGeneration(gen);
    Generation old = current;
    current = gen;
    collectionLog.switchTo(installed);
    old.retire();
    collectionLog.removeGeneration(old.number());
  }
}
