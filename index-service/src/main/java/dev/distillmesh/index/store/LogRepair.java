package dev.distillmesh.index.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a damaged log keeping every complete batch of entries that verify, byte for byte, and
 * says what it dropped. Offline only: the caller holds {@link DataDirLock}.
 */
final class LogRepair {
  /** A run of bytes that was dropped, and why. */
  record Dropped(long offset, long bytes, String why) {}

  /** What a repair kept and dropped; {@code missing} are sequence runs above the snapshot lost. */
  record Result(long kept, long firstSeq, long lastSeq, List<Dropped> dropped, List<long[]> missing,
      long droppedEntries) {
    long missingCount() {
      return missing.stream().mapToLong(r -> r[1] - r[0] + 1).sum();
    }
  }

  private LogRepair() {}

  /**
   * Scans {@code wal}; unless {@code dryRun}, writes the kept entries to a new file that replaces
   * it atomically, after linking (or copying) the original to {@code backup}.
   *
   * @param snapshotSeq the sequence the generation's snapshot includes: entries at or below it are
   *     not counted as missing
   */
  static Result repair(Path wal, long snapshotSeq, Path backup, boolean dryRun) throws IOException {
    List<long[]> keptRanges = new ArrayList<>();
    List<Dropped> dropped = new ArrayList<>();
    List<long[]> missing = new ArrayList<>();
    long kept = 0;
    long firstSeq = 0;
    long lastKeptSeq = 0;
    long droppedEntries = 0;
    ByteBuffer magic = ByteBuffer.allocate((int) WriteAheadLog.HEADER_BYTES);
    try (FileChannel in = FileChannel.open(wal, StandardOpenOption.READ)) {
      boolean marks = WriteAheadLog.readMagic(in, wal);
      in.read(magic, 0);
      LogFrames frames = new LogFrames(in, in.size(), marks);
      long position = WriteAheadLog.HEADER_BYTES;
      long lastSeq = 0;
      List<LogFrames.Frame> pending = new ArrayList<>();
      while (position < frames.size()) {
        LogFrames.Frame f = frames.readAt(position, lastSeq);
        if (f == null) {
          String why = frames.problem();
          long next = frames.nextValid(position + 1, lastSeq);
          long end = next < 0 ? frames.size() : next;
          dropped.add(new Dropped(position, end - position, why));
          position = end;
          continue;
        }
        pending.add(f);
        lastSeq = f.seq();
        position = f.end();
        if (f.commit()) {
          for (LogFrames.Frame p : pending) {
            long expected = Math.max(lastKeptSeq, snapshotSeq) + 1;
            if (p.seq() > expected) {
              missing.add(new long[] {expected, p.seq() - 1});
            }
            if (kept == 0) {
              firstSeq = p.seq();
            }
            lastKeptSeq = Math.max(lastKeptSeq, p.seq());
            kept++;
            addRange(keptRanges, p.offset(), p.end());
          }
          pending.clear();
        }
      }
      if (!pending.isEmpty()) {
        long from = pending.get(0).offset();
        long upTo = pending.get(pending.size() - 1).end();
        droppedEntries += pending.size();
        dropped.add(new Dropped(from, upTo - from, pending.size() + " entries of a batch without its last"
            + " entry (a torn tail: never acknowledged)"));
        dropped.sort((a, b) -> Long.compare(a.offset(), b.offset()));
      }
      if (!dryRun) {
        rewrite(wal, in, magic, keptRanges, backup);
      }
    }
    return new Result(kept, firstSeq, lastKeptSeq, dropped, missing, droppedEntries);
  }

  private static void addRange(List<long[]> ranges, long from, long to) {
    long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
    if (last != null && last[1] == from) {
      last[1] = to;
    } else {
      ranges.add(new long[] {from, to});
    }
  }

  private static void rewrite(Path wal, FileChannel in, ByteBuffer magic, List<long[]> ranges, Path backup)
      throws IOException {
    Path tmp = wal.resolveSibling(wal.getFileName() + ".repair.tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      magic.rewind();
      out.write(magic);
      for (long[] r : ranges) {
        for (long at = r[0]; at < r[1]; ) {
          at += in.transferTo(at, r[1] - at, out);
        }
      }
      out.force(true);
    }
    try {
      Files.createLink(backup, wal);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(wal, backup, StandardCopyOption.COPY_ATTRIBUTES);
      dev.distillmesh.common.Durable.fsync(backup);
    }
    Files.move(tmp, wal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    dev.distillmesh.common.Durable.fsyncDir(wal.getParent());
  }
}
