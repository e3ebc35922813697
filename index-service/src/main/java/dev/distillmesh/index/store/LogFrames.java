package dev.distillmesh.index.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads the frames of a log file ({@code [int length][int crc32c][payload]}, see {@link
 * WriteAheadLog}) one at a time, and after a damaged frame finds the next frame that verifies. A
 * frame verifies when its length is plausible, it lies inside the file, its checksum matches and
 * its payload starts with a known entry type and a sequence number above the last one read.
 *
 * <p>Not thread-safe; reads through the caller's channel.
 */
final class LogFrames {
  /** Smallest payload: type byte, sequence number, id length (an empty id). */
  static final int MIN_PAYLOAD = 1 + 8 + 4;
  static final int MAX_PAYLOAD = 64 * 1024 * 1024;
  /** Bit of the type byte marking the last entry of an appended batch (format 2). */
  static final byte COMMIT = (byte) 0x80;
  static final byte UPSERT = 1;
  static final byte DELETE = 2;
  /** An upsert carrying the record's base vector (collections that keep them); its served vector is P·base. */
  static final byte UPSERT_BASE = 3;
  private static final int WINDOW = 1 << 20;
  private static final int PEEK = 8 + 1 + 8;

  /** One frame that verified. {@code payload} is positioned after the type byte and sequence. */
  record Frame(long offset, int length, byte type, long seq, boolean commit, ByteBuffer payload) {
    long end() {
      return offset + 8 + length;
    }
  }

  private final FileChannel channel;
  private final long size;
  private final boolean commitMarks;
  private String problem = "";

  LogFrames(FileChannel channel, long size, boolean commitMarks) {
    this.channel = channel;
    this.size = size;
    this.commitMarks = commitMarks;
  }

  long size() {
    return size;
  }

  /** Why the last {@link #readAt} returned null, in words. */
  String problem() {
    return problem;
  }

  /** The frame at {@code offset} if it verifies (and its sequence is above {@code minSeq}), else null. */
  Frame readAt(long offset, long minSeq) throws IOException {
    if (size - offset < 8) {
      problem = size == offset ? "end of file" : "an incomplete frame header (" + (size - offset) + " bytes)";
      return null;
    }
    ByteBuffer header = read(offset, 8);
    int length = header.getInt(0);
    if (length < MIN_PAYLOAD || length > MAX_PAYLOAD) {
      problem = "an impossible entry length " + length;
      return null;
    }
    if (offset + 8 + length > size) {
      problem = "an entry of " + length + " bytes that runs past the end of the file";
      return null;
    }
    ByteBuffer payload = read(offset + 8, length);
    CRC32C crc = new CRC32C();
    crc.update(payload.array(), 0, length);
    if ((int) crc.getValue() != header.getInt(4)) {
      problem = "a checksum mismatch";
      return null;
    }
    byte typeByte = payload.get();
    boolean commit = !commitMarks || (typeByte & COMMIT) != 0;
    byte type = (byte) (typeByte & ~COMMIT);
    if (!known(type) || (!commitMarks && typeByte != type)) {
      problem = "an unknown entry type " + typeByte;
      return null;
    }
    long seq = payload.getLong();
    if (seq <= minSeq) {
      problem = "sequence number " + seq + " not above the previous entry's " + minSeq;
      return null;
    }
    return new Frame(offset, length, type, seq, commit, payload);
  }

  /**
   * The offset of the first frame at or after {@code from} that verifies with a sequence number
   * above {@code minSeq}, or -1 when none does. Reads the file once, in windows; a full check runs
   * only where the header's length, type and sequence are plausible.
   */
  long nextValid(long from, long minSeq) throws IOException {
    long maxSeq = minSeq + (size - from) / (8 + MIN_PAYLOAD) + 1;
    for (long windowStart = from; windowStart + PEEK <= size; windowStart += WINDOW) {
      int span = (int) Math.min(WINDOW + PEEK, size - windowStart);
      ByteBuffer w = read(windowStart, span);
      for (int i = 0; i + PEEK <= span && i < WINDOW; i++) {
        int length = w.getInt(i);
        if (length < MIN_PAYLOAD || length > MAX_PAYLOAD || windowStart + i + 8 + length > size) {
          continue;
        }
        byte type = (byte) (w.get(i + 8) & (commitMarks ? ~COMMIT : 0xff));
        long seq = w.getLong(i + 9);
        if (known(type) && seq > minSeq && seq <= maxSeq
            && readAt(windowStart + i, minSeq) != null) {
          return windowStart + i;
        }
      }
    }
    return -1;
  }

  private static boolean known(byte type) {
    return type == UPSERT || type == DELETE || type == UPSERT_BASE;
  }

  private ByteBuffer read(long offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    int read = 0;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, offset + read);
      if (n < 0) {
        throw new IOException("log shrank while being read at offset " + (offset + read));
      }
      read += n;
    }
    buffer.flip();
    return buffer;
  }
}
