package dev.distillmesh.index.store;

import dev.distillmesh.index.faiss.FaissIndex;
import dev.distillmesh.index.faiss.Metric;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One complete, searchable version of a collection: a FAISS index and its {@link SlotTable} (slot
 * to record id, the payloads (and base vectors) of live records, tombstones for slots whose record
 * was deleted or replaced). A record written with a base vector and no served vector (from the
 * log, or a Rebuild) is served as P·base with this generation's projection P ({@code
 * config.projection()}), so every record of a generation is projected with the same matrix.
 * Searching past the tombstones is {@link GenerationSearch}'s job, paging through the
 * records {@link SlotPages}'; this class keeps the index and the table in step and guards both.
 *
 * <p>An IVF index cannot be searched before it is trained; until it has seen {@link
 * IndexSpec#trainingThreshold()} vectors, this generation serves from an exact Flat index and then
 * trains the IVF on them and moves them over in slot order.
 *
 * <p>Thread-safety: {@code lock} guards every field below it; searches take it shared, writes
 * exclusively. Lifetime: a reference count starting at 1 (the owner's); searches {@link
 * #tryAcquire()} and {@link #release()}; the owner calls {@link #retire()} after a swap, and the
 * native index is freed when the last reference goes.
 */
final class Generation {
  /** Outcome of applying a list of log entries. */
  record ApplyResult(long upserted, long replaced, long deleted, long notFound) {}

  /** Most records added to FAISS under one hold of the lock. */
  static final int LOCK_CHUNK = 256;

  private final long number;
  private final CollectionConfig config;
  private final StoreOptions options;
  private final AtomicInteger refs = new AtomicInteger(1);

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private FaissIndex index; // serving index (a Flat staging index while an IVF is untrained)
  private FaissIndex untrainedIvf; // non-null until the IVF index has been trained
  private final SlotTable slots = new SlotTable();

  private Generation(long number, CollectionConfig config, StoreOptions options, FaissIndex index) {
    this.number = number;
    this.config = config;
    this.options = options;
    this.index = index;
  }

  /** An empty generation for the config's spec. */
  static Generation empty(long number, CollectionConfig config, StoreOptions options) {
    IndexSpec spec = config.spec();
    FaissIndex created = FaissIndex.create(config.dimension(), spec.factory(), config.metric());
    if (spec.family() == IndexSpec.Family.HNSW) {
      created.setEfConstruction(options.hnswEfConstruction());
    }
    if (spec.family() != IndexSpec.Family.IVF) {
      return new Generation(number, config, options, created);
    }
    Generation g = new Generation(number, config, options,
        FaissIndex.create(config.dimension(), "Flat", config.metric()));
    g.untrainedIvf = created;
    return g;
  }

  /** An empty IVF generation trained on a sample (row after row), so it never searches exactly. */
  static Generation trained(long number, CollectionConfig config, StoreOptions options, float[] sample) {
    FaissIndex created = FaissIndex.create(config.dimension(), config.spec().factory(), config.metric());
    try {
      created.train(sample, options.buildThreads());
    } catch (RuntimeException e) {
      created.close();
      throw e;
    }
    return new Generation(number, config, options, created);
  }

  /** A generation around an index read from a snapshot; the caller adds the slot table. */
  static Generation restored(long number, CollectionConfig config, StoreOptions options, FaissIndex index) {
    return new Generation(number, config, options, index);
  }

  long number() {
    return number;
  }

  CollectionConfig config() {
    return config;
  }

  /**
   * Applies writes in order. One writer at a time (the owner serialises calls). Upserts go to FAISS
   * in chunks of at most {@link #LOCK_CHUNK} records, each under the lock on its own, so a search
   * never waits for a whole large batch; it may see part of a batch, never part of a record.
   */
  ApplyResult apply(List<LogEntry> entries) {
    long[] counts = new long[4];
    List<RecordInput> pending = new ArrayList<>();
    Set<String> pendingIds = new HashSet<>();
    for (LogEntry entry : entries) {
      String id = entry instanceof LogEntry.Upsert u ? u.record().id() : ((LogEntry.Delete) entry).id();
      if (pendingIds.contains(id) || pending.size() == LOCK_CHUNK) {
        addLocked(pending, counts);
        pending.clear();
        pendingIds.clear();
      }
      if (entry instanceof LogEntry.Upsert u) {
        pending.add(u.record());
        pendingIds.add(id);
      } else {
        lock.writeLock().lock();
        try {
          counts[slots.remove(id) ? 2 : 3]++;
        } finally {
          lock.writeLock().unlock();
        }
      }
    }
    addLocked(pending, counts);
    return new ApplyResult(counts[0], counts[1], counts[2], counts[3]);
  }

  private void addLocked(List<RecordInput> records, long[] counts) {
    lock.writeLock().lock();
    try {
      addAll(records, counts);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Restores one slot of a snapshot whose FAISS index was loaded as is. */
  void restoreSlot(String idOrNull, Payload payload, float[] base) {
    lock.writeLock().lock();
    try {
      slots.restore(idOrNull, payload, base);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void addAll(List<RecordInput> records, long[] counts) {
    if (records.isEmpty()) {
      return;
    }
    int d = config.dimension();
    float[] flat = new float[records.size() * d];
    for (int i = 0; i < records.size(); i++) {
      RecordInput r = records.get(i);
      float[] served = r.vector().length == d ? r.vector() : config.projection().apply(r.baseVector());
      System.arraycopy(served, 0, flat, i * d, d);
    }
    long first = index.add(flat, options.buildThreads());
    if (first != slots.size()) {
      throw new IllegalStateException("slot table out of step with FAISS: " + first + " != " + slots.size());
    }
    for (RecordInput r : records) {
      if (slots.remove(r.id())) {
        counts[1]++;
      }
      slots.append(r.id(), r.payload(), r.baseVector());
      counts[0]++;
    }
    if (untrainedIvf != null && index.size() >= config.spec().trainingThreshold()) {
      trainIvf();
    }
  }

  /** Trains the IVF index on every staged vector and moves them over in slot order. */
  private void trainIvf() {
    long n = index.size();
    float[] all = index.reconstructRange(0, Math.toIntExact(n));
    untrainedIvf.train(all, options.buildThreads());
    untrainedIvf.add(all, options.buildThreads());
    index.close();
    index = untrainedIvf;
    untrainedIvf = null;
  }

  /**
   * Searches {@code queries.length / dimension} vectors for live records; see {@link
   * GenerationSearch}.
   */
  List<List<SearchHit>> search(float[] queries, int k, int efSearch, int nprobe, boolean payloads,
      boolean vectors) {
    return read(() -> GenerationSearch.search(index, slots, config, options, queries, k, efSearch, nprobe,
        payloads, vectors));
  }

  /** Checks per-request search parameters against this generation's index family. */
  void checkSearchParams(int efSearch, int nprobe) {
    GenerationSearch.checkParams(config, options, efSearch, nprobe);
  }

  /** The slot table's entry of a live record (slot, payload, base vector), or null. */
  SlotTable.Entry entry(String id) {
    return read(() -> slots.entry(id));
  }

  /** A live record with its payload and, when asked, its vectors (see {@link RecordVectors}); or null. */
  RecordPage.Item record(String id, boolean vectors) {
    lock.readLock().lock();
    try {
      SlotTable.Entry e = slots.entry(id);
      if (e == null || !vectors) {
        return e == null ? null : new RecordPage.Item(id, null, e.payload());
      }
      RecordVectors.Pair v = RecordVectors.of(index, e, config);
      return new RecordPage.Item(id, v.vector(), e.payload(), v.base());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The live records' slot entries (id, payload, base vector), in slot order. */
  List<SlotTable.Entry> liveEntries() {
    return read(() -> slots.liveEntries());
  }

  /**
   * Reads a page of live records from slot {@code fromSlot} on; see {@link SlotPages#page}. The
   * slot table, the payloads and the vectors are read under one hold of the lock, so they agree
   * with each other.
   */
  SlotPages.Slice page(long fromSlot, int maxRecords, long maxBytes, boolean vectors) {
    return read(() -> SlotPages.page(index, slots, number, config, fromSlot, maxRecords, maxBytes, vectors));
  }

  long liveCount() {
    return read(() -> slots.liveCount());
  }

  long tombstoneCount() {
    return read(() -> slots.tombstoneCount());
  }

  /** A copy of the slot table (null = tombstone); payloads are immutable and shared. */
  List<String> slotTable() {
    return read(() -> slots.ids());
  }

  /** Stored vectors of slots [first, first+count); slots never change once written. */
  float[] vectors(long first, int count) {
    return index.reconstructRange(first, count);
  }

  /** The serving FAISS index, for snapshots; null while an IVF index is still untrained. */
  FaissIndex trainedIndex() {
    return untrainedIvf == null ? index : null;
  }

  Metric metric() {
    return config.metric();
  }

  /** {@code reader}'s answer, read under the lock (shared). */
  private <T> T read(java.util.function.Supplier<T> reader) {
    lock.readLock().lock();
    try {
      return reader.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Pins this generation for a search; false if it has already been freed. */
  boolean tryAcquire() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (refs.decrementAndGet() == 0) {
      lock.writeLock().lock();
      try {
        index.close();
        if (untrainedIvf != null) {
          untrainedIvf.close();
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** Drops the owner's reference: the index is freed once in-flight searches finish. */
  void retire() {
    release();
  }
}
