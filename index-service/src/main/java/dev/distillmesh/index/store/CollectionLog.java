package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable side of one collection: the sequence numbers of its writes, the log they are
 * appended to (and what a failed append means), the checkpoints that fold the log into a snapshot,
 * and the move to a new generation's log when a swap installs one. The files and their commit
 * points are {@link CollectionFiles}' business.
 *
 * <p>Not thread-safe: the owning {@link Collection} calls it under its write lock. The last
 * sequence and the failure are volatile so that readers outside the lock see them.
 */
final class CollectionLog {
  private static final Logger log = LoggerFactory.getLogger(Collection.class);

  private final String name;
  private final CollectionFiles files;
  private final StoreOptions options;
  private WriteAheadLog wal;
  private long snapshotBytes;
  private volatile long lastSeq;
  // Set when a failed log append could not be cut back (the file may end in part of a batch, so
  // nothing may be appended behind it) or when a logged write could not be applied in memory.
  // Restart recovery cuts a torn batch, replays the rest and so clears this. A failed append that
  // was cut back (a full disk, typically) does not set it: the next write simply tries again.
  private volatile String failure;

  CollectionLog(String name, CollectionFiles files, StoreOptions options, CollectionFiles.Opened opened) {
    this.name = name;
    this.files = files;
    this.options = options;
    this.wal = opened.wal();
    this.lastSeq = opened.lastSeq();
    this.snapshotBytes = opened.snapshotBytes();
  }

  /** The sequence number of the last logged write. */
  long lastSeq() {
    return lastSeq;
  }

  /** Why writes are stopped, or null while they are not. */
  String failure() {
    return failure;
  }

  /** Stops writes until a restart; see {@link #failure()}. */
  void stop(String reason) {
    failure = reason;
  }

  /**
   * Appends a batch and fsyncs it; the last sequence moves past it only once it is durable. A
   * failed append is answered by {@link #appendFailed}'s error.
   */
  void append(List<LogEntry> entries) {
    try {
      wal.append(entries);
    } catch (IOException e) {
      throw appendFailed(entries.size(), e);
    }
    lastSeq += entries.size();
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
      failure = e.toString();
      stopped = "; the log could not be cut back, so writes to " + name + " stop until the index service"
          + " is restarted";
    }
    log.warn("collection {}: a batch of {} writes to {} failed and was not acknowledged (last sequence stays"
        + " {}){}: {}", name, count, wal.file(), lastSeq, stopped, e.toString());
    if (noSpace) {
      return new DomainException(DomainException.Kind.RESOURCE_EXHAUSTED, "no space left on device for the"
          + " log of collection " + name + ": none of the batch's " + count + " writes was stored (last_sequence"
          + " stays " + lastSeq + ")" + (stopped.isEmpty() ? "; writes succeed again once disk space is freed"
          : stopped), e);
    }
    return new DomainException(DomainException.Kind.INTERNAL, "write to the log of collection " + name
        + " failed (" + e.getMessage() + "): none of the batch's " + count + " writes was stored (last_sequence"
        + " stays " + lastSeq + ")" + stopped, e);
  }

  /**
   * Folds the log into a snapshot of {@code current} once it outgrows both the minimum and the
   * last snapshot, unless {@code paused} (a compaction is reading this log).
   */
  void maybeCheckpoint(Generation current, boolean paused) {
    try {
      long walBytes = wal.sizeBytes();
      if (!paused && walBytes > options.checkpointMinBytes() && walBytes > snapshotBytes) {
        checkpoint(current);
      }
    } catch (IOException | RuntimeException e) {
      // The write itself is durable in the log; a failed checkpoint (a full disk: FAISS reports it
      // as a FaissException) only delays log truncation.
      log.warn("checkpoint of collection {} failed; the log keeps growing: {}", name, e.toString());
    }
  }

  /** The checkpoint at close, so the next start is fast: skipped after a failure or with an empty log. */
  void finalCheckpoint(Generation current) {
    try {
      if (failure == null && wal.sizeBytes() > WriteAheadLog.HEADER_BYTES) {
        checkpoint(current);
      }
    } catch (IOException | RuntimeException e) {
      // A full disk fails FAISS's write with a FaissException: still close everything below.
      log.warn("final checkpoint of {} failed (the log still has every write): {}", name, e.toString());
    }
  }

  private void checkpoint(Generation current) throws IOException {
    CollectionFiles.Opened done = files.checkpoint(current, lastSeq, wal);
    wal = done.wal();
    snapshotBytes = done.snapshotBytes();
  }

  /** The logged writes after sequence {@code fromSeq}, read back from the file. */
  List<LogEntry> since(long fromSeq) throws IOException {
    List<LogEntry> since = new ArrayList<>();
    WriteAheadLog.readAll(wal.file(), fromSeq, since::add);
    return since;
  }

  /** Makes {@code gen} durable as the next generation at the last sequence and flips CURRENT. */
  CollectionFiles.Opened writeGeneration(Generation gen) throws IOException {
    return files.installGeneration(gen, lastSeq);
  }

  /** Moves on to the log of a generation {@link #writeGeneration} made durable. */
  void switchTo(CollectionFiles.Opened installed) throws IOException {
    wal.close();
    wal = installed.wal();
    snapshotBytes = installed.snapshotBytes();
  }

  /** Deletes the files of a generation that no longer serves. */
  void removeGeneration(long number) throws IOException {
    files.removeGeneration(number);
  }

  void close() {
    try {
      wal.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
