package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named collection: the generation that serves it, its log, and the write rules.
 *
 * <p>On disk: {@code <dir>/CURRENT} names the serving generation directory {@code gen-<n>/},
 * which holds {@code collection.properties}, an optional snapshot (see {@link Snapshots}) and
 * {@code wal.log}. Every write is appended to the log and fsync'ed, then applied in memory, then
 * acknowledged. A swap (rebuild or compaction) writes the new generation's snapshot completely,
 * then flips {@code CURRENT} with an atomic rename: a crash before the flip leaves the old
 * generation, after it the new one.
 *
 * <p>Thread-safety: {@code writeLock} serialises writes, checkpoints and swaps and guards the
 * non-volatile fields. Searches only read {@code current} and pin it.
 */
public final class Collection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Collection.class);
  static final String CURRENT = "CURRENT";
  private static final int APPLY_CHUNK = 4096;

  private final Path dir;
  private final StoreOptions options;
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile Generation current;
  private volatile long lastSeq;
  private volatile boolean rebuilding;
  private volatile boolean closed;
  private WriteAheadLog wal; // guarded by writeLock
  private long snapshotBytes; // guarded by writeLock
  private boolean compacting; // guarded by writeLock
  // Set when a log append fails: the file may end in a partial entry, so no further write may be
  // appended behind it. Restart recovery cuts the partial entry and clears this.
  private volatile String logFailure;

  private Collection(Path dir, StoreOptions options, Generation gen, WriteAheadLog wal, long lastSeq,
      long snapshotBytes) {
    this.dir = dir;
    this.options = options;
    this.current = gen;
    this.wal = wal;
    this.lastSeq = lastSeq;
    this.snapshotBytes = snapshotBytes;
  }

  /** Lays out a new, empty collection in {@code dir} (which must not exist yet) and opens it. */
  static Collection create(Path dir, CollectionConfig config, StoreOptions options) throws IOException {
    Files.createDirectories(dir);
    Generation gen = Generation.empty(1, config, options);
    Path genDir = dir.resolve(genDirName(1));
    Files.createDirectories(genDir);
    GenerationFiles.writeConfig(genDir, config);
    WriteAheadLog wal = WriteAheadLog.create(genDir.resolve(GenerationFiles.WAL));
    Durable.fsyncDir(genDir);
    Durable.writeAtomically(dir.resolve(CURRENT), genDirName(1));
    return new Collection(dir, options, gen, wal, 0, 0);
  }

  /** Recovers a collection: snapshot, then every logged write after it. */
  static Collection open(Path dir, StoreOptions options) throws IOException {
    String genName = Files.readString(dir.resolve(CURRENT)).strip();
    long number = Long.parseLong(genName.substring("gen-".length()));
    Path genDir = dir.resolve(genName);
    CollectionConfig config = GenerationFiles.readConfig(genDir);
    Generation gen;
    long seq;
    long snapshotBytes = 0;
    if (Files.exists(genDir.resolve(Snapshots.SNAPSHOT))) {
      Snapshots.Loaded loaded = Snapshots.read(genDir, number, config, options);
      gen = loaded.generation();
      seq = loaded.seq();
      snapshotBytes = Files.size(genDir.resolve(Snapshots.SNAPSHOT));
    } else {
      gen = Generation.empty(number, config, options);
      seq = 0;
    }
    Path walFile = genDir.resolve(GenerationFiles.WAL);
    List<LogEntry> replayed = new ArrayList<>();
    long[] last = {seq};
    WriteAheadLog.replay(walFile, seq, entry -> {
      replayed.add(entry);
      last[0] = Math.max(last[0], entry.seq());
      if (replayed.size() == APPLY_CHUNK) {
        gen.apply(replayed);
        replayed.clear();
      }
    });
    gen.apply(replayed);
    removeOtherGenerations(dir, genName);
    log.info("collection {} recovered: generation {}, {} live records, last sequence {}",
        config.name(), number, gen.liveCount(), last[0]);
    return new Collection(dir, options, gen, WriteAheadLog.openForAppend(walFile), last[0], snapshotBytes);
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
    return write(() -> {
      List<LogEntry> entries = new ArrayList<>(records.size());
      for (RecordInput r : records) {
        entries.add(new LogEntry.Upsert(++lastSeq, r));
      }
      return entries;
    });
  }

  /** Deletes records by id (unknown ids are counted); durable when it returns. */
  public WriteResult delete(List<String> ids) {
    Limits.checkIds(ids);
    return write(() -> {
      List<LogEntry> entries = new ArrayList<>(ids.size());
      for (String id : ids) {
        entries.add(new LogEntry.Delete(++lastSeq, id));
      }
      return entries;
    });
  }

  private interface EntryFactory {
    List<LogEntry> entries();
  }

  private WriteResult write(EntryFactory factory) {
    writeLock.lock();
    try {
      checkWritable();
      List<LogEntry> entries = factory.entries();
      try {
        wal.append(entries);
      } catch (IOException e) {
        logFailure = e.toString();
        throw new DomainException(DomainException.Kind.INTERNAL,
            "write to the log of collection " + name() + " failed; not acknowledged: " + e.getMessage(), e);
      }
      Generation.ApplyResult applied = current.apply(entries);
      maybeCheckpoint();
      return new WriteResult(applied.upserted() + applied.deleted() + applied.notFound(),
          applied.replaced(), applied.notFound(), lastSeq);
    } finally {
      writeLock.unlock();
    }
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
    writeLock.lock();
    try {
      checkWritable();
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
    long fromSeq;
    List<String> slots;
    List<Payload> payloads = new ArrayList<>();
    writeLock.lock();
    try {
      old = current;
      long tombstones = old.tombstoneCount();
      long total = tombstones + old.liveCount();
      if (closed || rebuilding || compacting || logFailure != null || tombstones < options.compactionMinTombstones()
          || tombstones < options.compactionTombstoneRatio() * total || !old.tryAcquire()) {
        return false;
      }
      compacting = true;
      fromSeq = lastSeq;
      slots = old.slotTable();
      for (String id : slots) {
        payloads.add(id == null ? null : old.payload(id));
      }
    } finally {
      writeLock.unlock();
    }
    Generation fresh = Generation.empty(old.number() + 1, old.config(), options);
    boolean installed = false;
    try {
      int d = old.config().dimension();
      for (int start = 0; start < slots.size(); start += APPLY_CHUNK) {
        int count = Math.min(APPLY_CHUNK, slots.size() - start);
        float[] vectors = old.vectors(start, count);
        List<LogEntry> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          Payload p = payloads.get(start + i);
          if (p != null) {
            float[] v = java.util.Arrays.copyOfRange(vectors, i * d, (i + 1) * d);
            batch.add(new LogEntry.Upsert(0, new RecordInput(slots.get(start + i), v, p.text(), p.metadataJson())));
          }
        }
        fresh.apply(batch);
      }
      writeLock.lock();
      try {
        if (closed || current != old) {
          return false;
        }
        List<LogEntry> since = new ArrayList<>();
        WriteAheadLog.replay(wal.file(), fromSeq, since::add);
        fresh.apply(since);
        try {
          install(fresh);
        } finally {
          installed = current == fresh;
        }
        log.info("collection {} compacted: generation {} -> {}, {} slots -> {} live records",
            name(), old.number(), fresh.number(), slots.size(), fresh.liveCount());
        return true;
      } finally {
        compacting = false;
        writeLock.unlock();
      }
    } finally {
      old.release();
      if (!installed) {
        fresh.retire();
      }
    }
  }

  /** Makes {@code gen} durable as the next generation, flips CURRENT, swaps. Holds writeLock. */
  private void install(Generation gen) throws IOException {
    String name = genDirName(gen.number());
    Path genDir = dir.resolve(name);
    Durable.deleteRecursively(genDir);
    Files.createDirectories(genDir);
    GenerationFiles.writeConfig(genDir, gen.config());
    long bytes = Snapshots.write(genDir, gen, lastSeq);
    WriteAheadLog newWal = WriteAheadLog.create(genDir.resolve(GenerationFiles.WAL));
    Durable.fsyncDir(genDir);
    Durable.writeAtomically(dir.resolve(CURRENT), name);
    Generation old = current;
    current = gen;
    wal.close();
    wal = newWal;
    snapshotBytes = bytes;
    old.retire();
    Durable.deleteRecursively(dir.resolve(genDirName(old.number())));
  }

  /** Folds the log into a snapshot once it outgrows both the minimum and the last snapshot. */
  private void maybeCheckpoint() {
    try {
      long walBytes = wal.sizeBytes();
      if (!compacting && walBytes > options.checkpointMinBytes() && walBytes > snapshotBytes) {
        checkpoint();
      }
    } catch (IOException e) {
      // The write itself is durable in the log; a failed checkpoint only delays log truncation.
      log.warn("checkpoint of collection {} failed; the log keeps growing: {}", name(), e.getMessage());
    }
  }

  private void checkpoint() throws IOException {
    Path genDir = dir.resolve(genDirName(current.number()));
    snapshotBytes = Snapshots.write(genDir, current, lastSeq);
    Path walFile = genDir.resolve(GenerationFiles.WAL);
    Path tmp = genDir.resolve(GenerationFiles.WAL + ".new");
    WriteAheadLog.create(tmp).close();
    Files.move(tmp, walFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Durable.fsyncDir(genDir);
    wal.close();
    wal = WriteAheadLog.openForAppend(walFile);
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
        if (!rebuilding && !compacting && wal.sizeBytes() > GenerationFiles.WAL_HEADER_BYTES) {
          checkpoint();
        }
      } catch (IOException e) {
        log.warn("final checkpoint of {} failed (the log still has every write): {}", name(), e.getMessage());
      }
      closed = true;
      closeQuietly();
      current.retire();
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

  static String genDirName(long number) {
    return String.format("gen-%08d", number);
  }

  private static void removeOtherGenerations(Path dir, String keep) throws IOException {
    try (var entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("gen-") && !n.equals(keep)) {
          log.info("removing {} (an unfinished or replaced generation)", p);
          Durable.deleteRecursively(p);
        }
      }
    }
  }
}
