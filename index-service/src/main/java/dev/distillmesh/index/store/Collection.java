package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A named collection: the generation that serves it, its log, and the write rules.
 *
 * <p>Every write is appended to the log and fsync'ed, then applied in memory, then acknowledged.
 * The log, its sequence numbers and checkpoints are {@link CollectionLog}'s; the serving
 * generation and its replacement by a rebuild or a compaction {@link GenerationSwap}'s; this class
 * holds the rules that tie them together and the calls the service makes.
 *
 * <p>Thread-safety: {@code writeLock} serialises writes, checkpoints and swaps and guards the
 * state of both collaborators. Searches only read the serving generation and pin it.
 */
public final class Collection implements AutoCloseable {
  private final ReentrantLock writeLock = new ReentrantLock();
  private final CollectionLog log;
  private final GenerationSwap swap;

  private Collection(CollectionFiles files, StoreOptions options, CollectionFiles.Opened opened) {
    this.log = new CollectionLog(opened.generation().config().name(), files, options, opened);
    this.swap = new GenerationSwap(writeLock, log, options, opened.generation());
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
    return swap.current().config();
  }

  public String name() {
    return swap.current().config().name();
  }

  /**
   * Inserts or replaces records; durable when it returns. In a collection that keeps base vectors
   * each record is served as P·base with the serving generation's projection P, computed under the
   * write lock so that no swap can come between.
   */
  public WriteResult upsert(List<RecordInput> records) {
    Limits.checkBatch(records, config());
    return write(first -> {
      List<LogEntry> entries = new ArrayList<>(records.size());
      Projection projection = config().projection();
      long seq = first;
      for (int i = 0; i < records.size(); i++) {
        RecordInput r = records.get(i);
        if (r.baseVector() != null) {
          r = r.served(projection.project(r.baseVector(), Limits.recordName(i, r.id())));
        }
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
      swap.checkWritable();
      List<LogEntry> entries = factory.entries(log.lastSeq() + 1);
      log.append(entries);
      Generation.ApplyResult applied;
      try {
        applied = swap.current().apply(entries);
      } catch (RuntimeException e) {
        // Logged but not (fully) in memory: serve what we have, take no more writes; a restart
        // replays the log and brings memory back in line.
        log.stop("applying logged writes failed: " + e);
        throw new DomainException(DomainException.Kind.INTERNAL, "write to collection " + name()
            + " is logged but could not be applied (" + e.getMessage() + "); restart the service", e);
      }
      log.maybeCheckpoint(swap.current(), swap.compacting());
      return new WriteResult(applied.upserted() + applied.deleted() + applied.notFound(),
          applied.replaced(), applied.notFound(), log.lastSeq());
    } finally {
      writeLock.unlock();
    }
  }

  /** Searches query vectors; the caller has checked k and the query count. */
  public SearchResult search(float[][] queries, int k, int efSearch, int nprobe, boolean payloads) {
    return search(queries, k, efSearch, nprobe, payloads, false);
  }

  /** Searches query vectors; with {@code vectors} each hit carries its served and base vectors. */
  public SearchResult search(float[][] queries, int k, int efSearch, int nprobe, boolean payloads,
      boolean vectors) {
    Generation gen = swap.pin();
    try {
      gen.checkSearchParams(efSearch, nprobe);
      int d = gen.config().dimension();
      float[] flat = new float[queries.length * d];
      for (int q = 0; q < queries.length; q++) {
        Limits.checkVector(queries[q], d, "queries[" + q + "]");
        System.arraycopy(queries[q], 0, flat, q * d, d);
      }
      return new SearchResult(gen.search(flat, k, efSearch, nprobe, payloads, vectors), gen.number());
    } finally {
      gen.release();
    }
  }

  /** Payloads of the given ids in order; null where an id does not exist. */
  public List<Payload> payloads(List<String> ids) {
    return records(ids, false).stream().map(r -> r == null ? null : r.payload()).toList();
  }

  /**
   * The records of the given ids in order, from one generation; null where an id does not exist.
   * With {@code vectors} each carries its served and (where kept) base vector.
   */
  public List<RecordPage.Item> records(List<String> ids, boolean vectors) {
    Limits.checkIds(ids);
    Generation gen = swap.pin();
    try {
      List<RecordPage.Item> out = new ArrayList<>(ids.size());
      for (String id : ids) {
        out.add(gen.record(id, vectors));
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
      if (swap.closed()) {
        throw DomainException.notFound("collection " + name() + " was dropped");
      }
      gen = swap.pin();
      seq = log.lastSeq();
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

  /** The projection the serving generation was made with (the identity without base vectors). */
  public ServedProjection projection() {
    Generation gen = swap.current();
    return new ServedProjection(name(), gen.config().dimension(), gen.number(), gen.config().projection());
  }

  public CollectionInfo info() {
    Generation gen = swap.pin();
    try {
      return new CollectionInfo(gen.config(), gen.liveCount(), gen.tombstoneCount(), gen.number(),
          swap.rebuilding(), log.lastSeq());
    } finally {
      gen.release();
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
    GenerationSwap.checkExpectedSign(expectedLastSequence);
    writeLock.lock();
    try {
      swap.checkWritable();
      swap.checkExpected(expectedLastSequence, "rebuild", "list it again (ListRecords) and rebuild from what you read");
      IndexSpec spec = newSpec == null || newSpec.isBlank() ? config().spec() : IndexSpec.parse(newSpec);
      return new RebuildSession(this, swap.beginRebuild(spec));
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Re-projects every live record with a new matrix B into a new generation swapped in like a
   * rebuild; see {@link Reprojection#run}.
   *
   * @param values B row-major, rows x cols
   * @return the collection's state right after the swap
   */
  public CollectionInfo reproject(int rows, int cols, float[] values, long version, String description,
      long expectedLastSequence) throws IOException {
    GenerationSwap.checkExpectedSign(expectedLastSequence);
    return Reprojection.run(this, rows, cols, values, version, description, expectedLastSequence);
  }

  /**
   * Called by a Reproject with its checked projection: under the write lock, checks that writes are
   * allowed, the sequence and the version, captures the live records and begins the rebuild.
   */
  Reprojection.Started beginReprojection(long expectedLastSequence, Projection next) {
    writeLock.lock();
    try {
      swap.checkWritable();
      swap.checkExpected(expectedLastSequence, "reprojection", "read it again (GetCollection) and reproject if"
          + " that is still what you want");
      Projection.checkVersion(config().projection(), next.version());
      List<SlotTable.Entry> records = swap.current().liveEntries();
      return new Reprojection.Started(records, swap.beginRebuild(config().withProjection(next), "Reproject"));
    } finally {
      writeLock.unlock();
    }
  }

  /** Called by a rebuild session: installs its generation, or abandons it when gen is null. */
  void finishRebuild(Generation gen) throws IOException {
    swap.finishRebuild(gen);
  }

  /**
   * Folds tombstones away by building a new generation of the live records while the current one
   * serves, catching up with writes made meanwhile from the log, then swapping.
   *
   * @return true if a new generation was installed
   */
  public boolean compactIfNeeded() throws IOException {
    return swap.compactIfNeeded();
  }

  /** Marks the collection dropped and frees its index; the store deletes the files. */
  void drop() {
    writeLock.lock();
    try {
      if (!swap.closed()) {
        swap.markClosed();
        log.close();
        swap.current().retire();
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
      if (swap.closed()) {
        return;
      }
      if (!swap.rebuilding() && !swap.compacting()) {
        log.finalCheckpoint(swap.current());
      }
      swap.markClosed();
      try {
        log.close();
      } finally {
        swap.current().retire();
      }
    } finally {
      writeLock.unlock();
    }
  }
}
