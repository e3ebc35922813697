package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named collection: the generation that serves it, its log, and the write rules.
 *
 * <p>Every write is appended to the log and fsync'ed, then applied in memory, then acknowledged.
 * A swap (rebuild or compaction) writes the new generation completely, then flips {@code CURRENT}
 * atomically: a crash before the flip leaves the old generation, after it the new one. The files
 * and their commit points are {@link CollectionFiles}' business.
 *
 * <p>Thread-safety: {@code writeLock} serialises writes, checkpoints and swaps and guards the
 * non-volatile fields. Searches only read {@code current} and pin it.
 */
public final class Collection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Collection.class);

  private final CollectionFiles files;
  private final StoreOptions options;
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile Generation current;
  private volatile long lastSeq;
  private volatile boolean rebuilding;
  private volatile boolean closed;
  private WriteAheadLog wal; // guarded by writeLock
  private long snapshotBytes; // guarded by writeLock
  private boolean compacting; // guarded by writeLock
  // Set when a failed log append could not be cut back (the file may end in part of a batch, so
  // nothing may be appended behind it) or when a logged write could not be applied in memory.
  // Restart recovery cuts a torn batch, replays the rest and so clears this. A failed append that
  // was cut back (a full disk, typically) does not set it: the next write simply tries again.
  private volatile String logFailure;

  private Collection(CollectionFiles files, StoreOptions options, CollectionFiles.Opened opened) {
    this.files = files;
    this.options = options;
    this.current = opened.generation();
    this.wal = opened.wal();
    this.lastSeq = opened.lastSeq();
    this.snapshotBytes = opened.snapshotBytes();
  }

  /**
   * Lays out a new, empty collection in {@code dir} (which must not exist yet) and opens it.
   *
   * @param trainingSample IVF only: vectors (row after row) to train on now; null to train later
   */
  static Collection create(Path dir, CollectionConfig config, StoreOptions options, float[] trainingSample)
      throws IOException {
    Generation first = trainingSample == null
        ? Generation.empty(1, config, options)
        : Generation.trained(1, config, options, trainingSample);
    try {
      return new Collection(new CollectionFiles(dir), options, CollectionFiles.create(dir, first, trainingSample != null));
    } catch (IOException | RuntimeException e) {
      first.retire();
      throw e;
    }
  }

  /** Recovers a collection: snapshot, then every logged write after it. */
  static Collection open(Path dir, StoreOptions options) throws IOException {
    CollectionFiles files = new CollectionFiles(dir);
    return new Collection(files, options, files.recover(options));
  }

  public CollectionConfig config() {
    return current.config();
  }

  public String name() {
    return current.config().name();
  }

  /** Inserts or replaces records; durable when it returns. */
  public WriteResult upsert(List<RecordInput> records) {
    Limits.checkBatch(records, current.config().dimension());
    return write(first -> {
      List<LogEntry> entries = new ArrayList<>(records.size());
      long seq = first;
      for (RecordInput r : records) {
        entries.add(new LogEntry.Upsert(seq++, r));
      }
      return entries;
    });
  }

  /** Deletes records by id (unknown ids are counted); durable when it returns. */
  public WriteResult delete(List<String> ids) {
    Limits.checkIds(ids);
    return write(first -> {
      List<LogEntry> entries = new ArrayList<>(ids.size());
      long seq = first;
      for (String id : ids) {
        entries.add(new LogEntry.Delete(seq++, id));
      }
      return entries;
    });
  }

  private interface EntryFactory {
    List<LogEntry> entries(long firstSeq);
  }

  private WriteResult write(EntryFactory factory) {
    writeLock.lock();
    try {
      checkWritable();
      List<LogEntry> entries = factory.entries(lastSeq + 1);
      try {
        wal.append(entries);
      } catch (IOException e) {
        throw appendFailed(entries.size(), e);
      }
      lastSeq += entries.size();
      Generation.ApplyResult applied;
      try {
        applied = current.apply(entries);
      } catch (RuntimeException e) {
        // Logged but not (fully) in memory: serve what we have, take no more writes; a restart
        // replays the log and brings memory back in line.
        logFailure = "applying logged writes failed: " + e;
        throw new DomainException(DomainException.Kind.INTERNAL, "write to collection " + name()
            + " is logged but could not be applied (" + e.getMessage() + "); restart the service", e);
      }
      maybeCheckpoint();
      return new WriteResult(applied.upserted() + applied.deleted() + applied.notFound(),
          applied.replaced(), applied.notFound(), lastSeq);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * The answer to a failed append. The log was cut back to where the batch began (unless {@link
   * WriteAheadLog#tailUnknown()}), so none of the batch is durable, none was applied and
   * last_sequence did not move: the batch is refused whole and a retry may succeed.
   */
  private DomainException appendFailed(int count, IOException e) {
    boolean noSpace = DiskErrors.isNoSpace(e);
    String stopped = "";
    if (wal.tailUnknown()) {
      logFailure = e.toString();
      stopped = "; the log could not be cut back, so writes to " + name() + " stop until the index service"
          + " is restarted";
    }
    log.warn("collection {}: a batch of {} writes to {} failed and was not acknowledged (last sequence stays"
        + " {}){}: {}", name(), count, wal.file(), lastSeq, stopped, e.toString());
    if (noSpace) {
      return new DomainException(DomainException.Kind.RESOURCE_EXHAUSTED, "no space left on device for the"
          + " log of collection " + name() + ": none of the batch's " + count + " writes was stored (last_sequence"
          + " stays " + lastSeq + ")" + (stopped.isEmpty() ? "; writes succeed again once disk space is freed"
          : stopped), e);
    }
    return new DomainException(DomainException.Kind.INTERNAL, "write to the log of collection " + name()
        + " failed (" + e.getMessage() + "): none of the batch's " + count + " writes was stored (last_sequence"
        + " stays " + lastSeq + ")" + stopped, e);
  }

  private void checkWritable() {
    if (closed) {
      throw DomainException.notFound("collection " + name() + " was dropped");
    }
    if (rebuilding) {
      throw DomainException.precondition("collection " + name() + " is being rebuilt; writes resume"
          + " when the Rebuild call returns");
    }
    if (logFailure != null) {
      throw new DomainException(DomainException.Kind.INTERNAL, "writes to collection " + name()
          + " are stopped after a failed log write (" + logFailure + "); searches still work;"
          + " restart the index service to recover");
    }
  }

  /** Searches flattened query vectors; the caller has checked k and the query count. */
  public SearchResult search(float[][] queries, int k, int efSearch, int nprobe, boolean payloads) {
    Generation gen = pin();
    try {
      gen.checkSearchParams(efSearch, nprobe);
      int d = gen.config().dimension();
      float[] flat = new float[queries.length * d];
      for (int q = 0; q < queries.length; q++) {
        Limits.checkVector(queries[q], d, "queries[" + q + "]");
        System.arraycopy(queries[q], 0, flat, q * d, d);
      }
      return new SearchResult(gen.search(flat, k, efSearch, nprobe, payloads), gen.number());
    } finally {
      gen.release();
    }
  }

  /** Payloads of the given ids in order; null where an id does not exist. */
  public List<Payload> payloads(List<String> ids) {
    Limits.checkIds(ids);
    Generation gen = pin();
    try {
      List<Payload> out = new ArrayList<>(ids.size());
      for (String id : ids) {
        out.add(gen.payload(id));
      }
      return out;
    } finally {
      gen.release();
    }
  }

  /**
   * One page of the live records, in slot order, read from a single generation; see {@link
   * Generation#page}. The generation is pinned and the last sequence read together, under the
   * write lock (so this waits for at most the write in progress): every write up to that sequence
   * is then in the pinned generation. The records are read after the lock is let go and may show
   * later writes as well; a caller that needs one consistent state compares sequences (see {@link
   * #startRebuild(String, long)}).
   *
   * @param pageToken empty for the first page, else a {@link RecordPage#nextPageToken()} of this
   *     collection; ABORTED when the collection has moved to another generation since
   * @param pageSize most records in the page; 0 for {@link Limits#DEFAULT_PAGE_SIZE}
   */
  public RecordPage listRecords(String pageToken, int pageSize, boolean vectors) {
    int maxRecords = Limits.pageSize(pageSize);
    PageToken from = pageToken.isEmpty() ? null : PageToken.decode(pageToken, name());
    Generation gen;
    long seq;
    writeLock.lock();
    try {
      if (closed) {
        throw DomainException.notFound("collection " + name() + " was dropped");
      }
      gen = pin();
      seq = lastSeq;
    } finally {
      writeLock.unlock();
    }
    try {
      if (from != null && from.generation() != gen.number()) {
        throw DomainException.aborted("collection " + name() + " changed generation since page_token"
            + " was issued (generation " + from.generation() + ", now " + gen.number() + ", after a"
            + " rebuild or compaction); list it again from the first page (empty page_token)");
      }
      SlotPages.Slice slice = gen.page(from == null ? 0 : from.slot(), maxRecords, Limits.MAX_PAGE_BYTES, vectors);
      String next = slice.nextSlot() < 0 ? "" : new PageToken(name(), gen.number(), slice.nextSlot()).encode();
      return new RecordPage(slice.records(), next, gen.number(), seq);
    } finally {
      gen.release();
    }
  }

  public CollectionInfo info() {
    Generation gen = pin();
    try {
      return new CollectionInfo(gen.config(), gen.liveCount(), gen.tombstoneCount(), gen.number(),
          rebuilding, lastSeq);
    } finally {
      gen.release();
    }
  }

  private Generation pin() {
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

  /** Starts building a new generation from streamed records; see {@link RebuildSession}. */
  public RebuildSession startRebuild(String newSpec) {
    return startRebuild(newSpec, 0);
  }

  /**
   * Starts a rebuild only if nothing was written since the caller read the collection at {@code
   * expectedLastSequence} (0: no check). The check runs under the write lock and the rebuild then
   * refuses writes until it ends, so a rebuild that starts replaces exactly the state that was
   * read and loses no write; a stale one is refused (ABORTED) before anything changes.
   */
  public RebuildSession startRebuild(String newSpec, long expectedLastSequence) {
    if (expectedLastSequence < 0) {
      throw DomainException.invalid("expected_last_sequence " + expectedLastSequence + " is negative;"
          + " send 0 (no check) or the last_sequence read from ListRecords or GetCollection");
    }
    writeLock.lock();
    try {
      checkWritable();
      if (expectedLastSequence != 0 && expectedLastSequence != lastSeq) {
        throw DomainException.aborted("collection " + name() + " was written since it was read: its"
            + " last_sequence is " + lastSeq + ", the rebuild expected " + expectedLastSequence
            + "; list it again (ListRecords) and rebuild from what you read");
      }
      CollectionConfig config = current.config();
      IndexSpec spec = newSpec == null || newSpec.isBlank() ? config.spec() : IndexSpec.parse(newSpec);
      rebuilding = true;
      return new RebuildSession(this, Generation.empty(current.number() + 1, config.withSpec(spec), options));
    } finally {
      writeLock.unlock();
    }
  }

  /** Called by a rebuild session: installs its generation, or abandons it when gen is null. */
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

  /**
   * Folds tombstones away by building a new generation of the live records while the current one
   * serves, catching up with writes made meanwhile from the log, then swapping.
   *
   * @return true if a new generation was installed
   */
  public boolean compactIfNeeded() throws IOException {
    Generation old;
    CompactionCopy copy;
    writeLock.lock();
    try {
      old = current;
      long tombstones = old.tombstoneCount();
      long total = tombstones + old.liveCount();
      if (closed || rebuilding || compacting || logFailure != null
          || tombstones < options.compactionMinTombstones()
          || tombstones < options.compactionTombstoneRatio() * total || !old.tryAcquire()) {
        return false;
      }
      // Checkpoints pause until the swap: the catch-up below reads this generation's log.
      compacting = true;
      copy = CompactionCopy.capture(old, lastSeq);
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
      if (closed || current != old) {
        return false; // dropped, closed or rebuilt meanwhile
      }
      List<LogEntry> since = new ArrayList<>();
      WriteAheadLog.readAll(wal.file(), copy.fromSeq(), since::add);
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
    CollectionFiles.Opened installed = files.installGeneration(gen, lastSeq);
    Generation old = current;
    current = gen;
    wal.close();
    wal = installed.wal();
    snapshotBytes = installed.snapshotBytes();
    old.retire();
    files.removeGeneration(old.number());
  }

  /** Folds the log into a snapshot once it outgrows both the minimum and the last snapshot. */
  private void maybeCheckpoint() {
    try {
      long walBytes = wal.sizeBytes();
      if (!compacting && walBytes > options.checkpointMinBytes() && walBytes > snapshotBytes) {
        checkpoint();
      }
    } catch (IOException | RuntimeException e) {
      // The write itself is durable in the log; a failed checkpoint (a full disk: FAISS reports it
      // as a FaissException) only delays log truncation.
      log.warn("checkpoint of collection {} failed; the log keeps growing: {}", name(), e.toString());
    }
  }

  private void checkpoint() throws IOException {
    CollectionFiles.Opened done = files.checkpoint(current, lastSeq, wal);
    wal = done.wal();
    snapshotBytes = done.snapshotBytes();
  }

  /** Marks the collection dropped and frees its index; the store deletes the files. */
  void drop() {
    writeLock.lock();
    try {
      if (!closed) {
        closed = true;
        closeQuietly();
        current.retire();
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Checkpoints (so the next start is fast) and frees the index. */
  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      try {
        if (!rebuilding && !compacting && logFailure == null && wal.sizeBytes() > WriteAheadLog.HEADER_BYTES) {
          checkpoint();
        }
      } catch (IOException | RuntimeException e) {
        // A full disk fails FAISS's write with a FaissException: still close everything below.
        log.warn("final checkpoint of {} failed (the log still has every write): {}", name(), e.toString());
      }
      closed = true;
      try {
        closeQuietly();
      } finally {
        current.retire();
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void closeQuietly() {
    try {
      wal.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
