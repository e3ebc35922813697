package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.FaissIndex;
import dev.distillmesh.index.faiss.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One complete, searchable version of a collection: a FAISS index whose slots map to record ids,
 * the payloads of live records, and tombstones for slots whose record was deleted or replaced.
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

  /** Where a live record sits and what it carries. */
  record Entry(long slot, Payload payload) {}

  /** Most records added to FAISS under one hold of the lock. */
  static final int LOCK_CHUNK = 256;

  /** Tombstoned slots a vector read of {@link #page} may read through beyond its live slots. */
  static final int VECTOR_RUN_SLACK = 64;

  private final long number;
  private final CollectionConfig config;
  private final StoreOptions options;
  private final AtomicInteger refs = new AtomicInteger(1);

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private FaissIndex index; // serving index (a Flat staging index while an IVF is untrained)
  private FaissIndex untrainedIvf; // non-null until the IVF index has been trained
  private final ArrayList<String> slotIds = new ArrayList<>(); // slot -> id, null = tombstone
  private final HashMap<String, Entry> byId = new HashMap<>();

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
          counts[removeId(id) ? 2 : 3]++;
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
  void restoreSlot(String idOrNull, Payload payload) {
    lock.writeLock().lock();
    try {
      long slot = slotIds.size();
      slotIds.add(idOrNull);
      if (idOrNull != null) {
        byId.put(idOrNull, new Entry(slot, payload));
      }
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
      System.arraycopy(records.get(i).vector(), 0, flat, i * d, d);
    }
    long first = index.add(flat, options.buildThreads());
    if (first != slotIds.size()) {
      throw new IllegalStateException("slot table out of step with FAISS: " + first + " != " + slotIds.size());
    }
    for (int i = 0; i < records.size(); i++) {
      RecordInput r = records.get(i);
      if (removeId(r.id())) {
        counts[1]++;
      }
      slotIds.add(r.id());
      byId.put(r.id(), new Entry(first + i, r.payload()));
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

  private boolean removeId(String id) {
    Entry old = byId.remove(id);
    if (old == null) {
      return false;
    }
    slotIds.set(Math.toIntExact(old.slot()), null);
    return true;
  }

  /**
   * Searches {@code queries.length / dimension} vectors. Tombstoned slots are filtered out; FAISS
   * is asked for k plus the number of tombstones (and more, for a query that still came back
   * short), so k live results come back whenever the collection holds k.
   */
  List<List<SearchHit>> search(float[] queries, int k, int efSearch, int nprobe, boolean payloads) {
    lock.readLock().lock();
    try {
      int n = queries.length / config.dimension();
      List<List<SearchHit>> results = new ArrayList<>(n);
      long size = slotIds.size();
      int wanted = (int) Math.min(k, byId.size());
      if (wanted == 0) {
        for (int q = 0; q < n; q++) {
          results.add(List.of());
        }
        return results;
      }
      int fetch = (int) Math.min(size, (long) k + (size - byId.size()));
      int threads = Math.max(1, Math.min(options.searchThreads(), n));
      // The JNI glue sizes HNSW's candidate queue as max(ef, results asked for).
      int ef = efSearch > 0 ? efSearch : options.defaultEfSearch();
      int probes = nprobe > 0 ? nprobe : Math.min(16, Math.max(1, config.spec().nlist()));
      FaissIndex.SearchParams params = new FaissIndex.SearchParams(ef, probes, threads);
      FaissIndex.Neighbors found = index.search(queries, fetch, params);
      for (int q = 0; q < n; q++) {
        List<SearchHit> hits = collect(found, q, wanted, payloads);
        int d = config.dimension();
        float[] one = hits.size() < wanted ? Arrays.copyOfRange(queries, q * d, (q + 1) * d) : null;
        for (int retryFetch = fetch; hits.size() < wanted && retryFetch < size; ) {
          retryFetch = (int) Math.min(size, 2L * retryFetch);
          hits = collect(index.search(one, retryFetch, params), 0, wanted, payloads);
        }
        results.add(hits);
      }
      return results;
    } finally {
      lock.readLock().unlock();
    }
  }

  private List<SearchHit> collect(FaissIndex.Neighbors found, int q, int wanted, boolean payloads) {
    List<SearchHit> hits = new ArrayList<>(wanted);
    int k = found.k();
    for (int j = 0; j < k && hits.size() < wanted; j++) {
      long slot = found.slots()[q * k + j];
      if (slot < 0 || slot >= slotIds.size()) {
        continue;
      }
      String id = slotIds.get((int) slot);
      if (id == null) {
        continue;
      }
      Payload payload = payloads ? byId.get(id).payload() : null;
      hits.add(new SearchHit(id, found.scores()[q * k + j], payload));
    }
    return hits;
  }

  /** Checks per-request search parameters against this generation's index family. */
  void checkSearchParams(int efSearch, int nprobe) {
    IndexSpec spec = config.spec();
    if (efSearch != 0 && spec.family() != IndexSpec.Family.HNSW) {
      throw DomainException.invalid("ef_search applies to HNSW indexes only; this collection is "
          + spec.factory() + " (send 0)");
    }
    if (efSearch < 0 || efSearch > Limits.MAX_EF_SEARCH) {
      throw DomainException.invalid("ef_search " + efSearch + " out of range; allowed 0 (default "
          + options.defaultEfSearch() + ") or 1.." + Limits.MAX_EF_SEARCH);
    }
    if (nprobe != 0 && spec.family() != IndexSpec.Family.IVF) {
      throw DomainException.invalid("nprobe applies to IVF indexes only; this collection is "
          + spec.factory() + " (send 0)");
    }
    if (nprobe < 0 || nprobe > spec.nlist()) {
      throw new DomainException(DomainException.Kind.OUT_OF_RANGE, "nprobe " + nprobe
          + " out of range; allowed 0 (default) or 1.." + spec.nlist() + " (nlist)");
    }
  }

  /** The payload of a live record, or null. */
  Payload payload(String id) {
    lock.readLock().lock();
    try {
      Entry e = byId.get(id);
      return e == null ? null : e.payload();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Live records of a run of slots, and the slot the next run starts at (-1: none is left). */
  record Slice(List<RecordPage.Item> records, long nextSlot) {}

  /**
   * Reads the live records from slot {@code fromSlot} on, in slot order: at most {@code maxRecords},
   * and no more once they add up to {@code maxBytes} (at least one is always read). Tombstones are
   * skipped, also those right after the last record read, so a page is never followed by an empty
   * last page only because deletes trail it. The slot table, the payloads and the vectors are read
   * under one hold of the lock, so they agree with each other.
   */
  Slice page(long fromSlot, int maxRecords, long maxBytes, boolean vectors) {
    lock.readLock().lock();
    try {
      if (fromSlot > slotIds.size()) {
        throw DomainException.invalid("page_token points to slot " + fromSlot + " but generation "
            + number + " of " + config.name() + " has " + slotIds.size() + "; send an empty page_token"
            + " to list from the start");
      }
      int d = config.dimension();
      List<RecordPage.Item> items = new ArrayList<>();
      List<Integer> slots = new ArrayList<>();
      long bytes = 0;
      int slot = (int) fromSlot;
      for (; slot < slotIds.size() && items.size() < maxRecords; slot++) {
        String id = slotIds.get(slot);
        if (id == null) {
          continue;
        }
        Payload p = byId.get(id).payload();
        long size = Limits.utf8Length(id) + Limits.utf8Length(p.text()) + Limits.utf8Length(p.metadataJson())
            + (vectors ? 4L * d : 0);
        if (!items.isEmpty() && bytes + size > maxBytes) {
          break;
        }
        bytes += size;
        items.add(new RecordPage.Item(id, null, p));
        slots.add(slot);
      }
      while (slot < slotIds.size() && slotIds.get(slot) == null) {
        slot++;
      }
      if (vectors) {
        items = withVectors(items, slots);
      }
      return new Slice(items, slot < slotIds.size() ? slot : -1);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Reads the vectors of {@code slots} (ascending) with one FAISS call per run of nearby slots. Few
   * calls matter: an IVF index answers each by scanning all of its vectors. A run reads through
   * tombstones, but through no more of them than it holds live slots plus {@link
   * #VECTOR_RUN_SLACK}, so a page never reads much more than twice the vectors it returns.
   */
  private List<RecordPage.Item> withVectors(List<RecordPage.Item> items, List<Integer> slots) {
    int d = config.dimension();
    List<RecordPage.Item> out = new ArrayList<>(items.size());
    for (int start = 0; start < slots.size(); ) {
      int first = slots.get(start);
      int end = start + 1;
      while (end < slots.size() && slots.get(end) - first + 1 <= 2 * (end - start + 1) + VECTOR_RUN_SLACK) {
        end++;
      }
      float[] run = index.reconstructRange(first, slots.get(end - 1) - first + 1);
      for (int i = start; i < end; i++) {
        RecordPage.Item item = items.get(i);
        int at = (slots.get(i) - first) * d;
        out.add(new RecordPage.Item(item.id(), Arrays.copyOfRange(run, at, at + d), item.payload()));
      }
      start = end;
    }
    return out;
  }

  long liveCount() {
    lock.readLock().lock();
    try {
      return byId.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  long tombstoneCount() {
    lock.readLock().lock();
    try {
      return slotIds.size() - byId.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A copy of the slot table (null = tombstone); payloads are immutable and shared. */
  List<String> slotTable() {
    lock.readLock().lock();
    try {
      return new ArrayList<>(slotIds);
    } finally {
      lock.readLock().unlock();
    }
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
