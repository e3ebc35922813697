package dev.distillmesh.index.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A log damaged where it may not be cut: an entry that does not verify is followed by entries that
 * do (acknowledged writes), or a log being read while serving is damaged at all. The file is left
 * exactly as it was; {@link LogRepair} keeps every entry that verifies, on request.
 */
public final class CorruptLogException extends IOException {
  private final Path file;
  private final long offset;

  CorruptLogException(Path file, WriteAheadLog.Scan scan) {
    super(file + " is damaged: " + scan.problem()
        + (scan.nextValidAt() >= 0
            ? ", and entries that verify follow (the first at byte offset " + scan.nextValidAt()
                + "): they are acknowledged writes, so the log is not cut and the file is left as it is"
            : ""));
    this.file = file;
    this.offset = scan.damagedAt();
  }

  /** The damaged log file. */
  public Path file() {
    return file;
  }

  /** Byte offset of the first entry that does not verify. */
  public long offset() {
    return offset;
  }
}
