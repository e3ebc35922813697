package dev.distillmesh.index.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Append-only log of writes, one file per generation. {@link #append} returns only after the
 * entries are written and {@code fsync}ed, so an acknowledged write survives kill -9 and power
 * loss (as far as the disk honours fsync).
 *
 * <p>Format: an 8-byte magic, then entries of {@code [int length][int crc32c][payload]},
 * little-endian (see {@link LogFrames}). Format 2 ({@code DMWAL002}) marks the last entry of each
 * appended batch in its type byte, so a batch is replayed whole or not at all; format 1 ({@code
 * DMWAL001}, still read and appended to) has no marks and every entry counts as a batch. An upsert
 * to a collection that keeps base vectors is an entry of its own type ({@link
 * LogFrames#UPSERT_BASE}) that carries the base vector in place of the served one: replay serves
 * it as P·base with the generation's projection, as the write was.
 *
 * <p>Damage, as {@link #replay} tells it apart: a <em>torn tail</em> is an end of the file that
 * holds no complete batch and no entry that verifies after it (an append cut short by a crash or a
 * full disk, which was never acknowledged): it is cut. A damaged entry <em>followed by entries that
 * verify</em> is something else (those later entries were acknowledged): the file is left as it is
 * and {@link CorruptLogException} names it and the offset; {@link LogRepair} is the explicit way out.
 *
 * <p>Not thread-safe: the owning collection's single writer calls {@link #append}.
 */
final class WriteAheadLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);
  private static final byte[] MAGIC_V1 = "DMWAL001".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAGIC = "DMWAL002".getBytes(StandardCharsets.US_ASCII);
  /** Size of an empty log: just the magic. */
  static final long HEADER_BYTES = MAGIC.length;

  private final Path file;
  private final FileChannel channel;
  private final boolean commitMarks;
  private long length;
  private boolean tailUnknown;

  private WriteAheadLog(Path file, FileChannel channel, boolean commitMarks) throws IOException {
    this.file = file;
    this.channel = channel;
    this.commitMarks = commitMarks;
    this.length = channel.size();
  }

  /** Creates an empty log (replacing any file there) and syncs it. */
  static WriteAheadLog create(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    try {
      channel.write(ByteBuffer.wrap(MAGIC));
      channel.force(true);
      return new WriteAheadLog(file, channel, true);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** Opens an existing log for appending after {@link #replay} has validated it. */
  static WriteAheadLog openForAppend(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      boolean marks = readMagic(channel, file);
      channel.position(channel.size());
      return new WriteAheadLog(file, channel, marks);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** What a read of a log found. */
  record Scan(long entries, long committedEnd, long lastCommittedSeq, long damagedAt, String problem,
      long nextValidAt) {
    /** True when a damaged entry is followed by one that verifies. */
    boolean corruptInTheMiddle() {
      return nextValidAt >= 0;
    }
  }

  /**
   * Recovery: hands every entry of a complete batch with {@code seq > afterSeq} to {@code sink}, in
   * order, and cuts a torn tail (logged at WARN). Refuses, changing nothing, when a damaged entry
   * is followed by entries that verify.
   *
   * @return the number of entries read (all of them, including those at or below afterSeq)
   * @throws CorruptLogException for damage in the middle of the file
   */
  static long replay(Path file, long afterSeq, Consumer<LogEntry> sink) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      Scan scan = scan(channel, file, afterSeq, sink);
      long size = channel.size();
      if (scan.corruptInTheMiddle()) {
        throw new CorruptLogException(file, scan);
      }
      if (scan.committedEnd() < size) {
        log.warn("{}: cutting a torn tail of {} bytes at byte offset {} after {} entries: {} there and no"
            + " entry that verifies after it, so it is the end of an append that never completed (a crash"
            + " or a full disk) and was never acknowledged", file, size - scan.committedEnd(),
            scan.committedEnd(), scan.entries(), scan.problem());
        channel.truncate(scan.committedEnd());
        channel.force(true);
      }
      return scan.entries();
    }
  }

  /**
   * Reads the entries with {@code seq > afterSeq} of a log that is being appended to (the caller
   * holds the writer's lock), changing nothing; any damage is an error.
   */
  static void readAll(Path file, long afterSeq, Consumer<LogEntry> sink) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Scan scan = scan(channel, file, afterSeq, sink);
      if (scan.committedEnd() < channel.size()) {
        throw new CorruptLogException(file, scan);
      }
    }
  }

  /** Reads a log without changing it or keeping its entries: how far it verifies. */
  static Scan inspect(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return scan(channel, file, Long.MAX_VALUE, e -> {});
    }
  }

  private static Scan scan(FileChannel channel, Path file, long afterSeq, Consumer<LogEntry> sink)
      throws IOException {
    boolean marks = readMagic(channel, file);
    LogFrames frames = new LogFrames(channel, channel.size(), marks);
    long position = HEADER_BYTES;
    long entries = 0;
    long lastSeq = 0;
    long committedEnd = position;
    long committedSeq = 0;
    List<LogEntry> batch = new ArrayList<>();
    LogFrames.Frame frame;
    String unparsable = null;
    while ((frame = frames.readAt(position, lastSeq)) != null) {
      LogEntry entry = decode(frame);
      if (entry == null) {
        unparsable = "an entry whose content does not parse";
        break;
      }
      batch.add(entry);
      entries++;
      lastSeq = frame.seq();
      position = frame.end();
      if (frame.commit()) {
        for (LogEntry e : batch) {
          if (e.seq() > afterSeq) {
            sink.accept(e);
          }
        }
        batch.clear();
        committedEnd = position;
        committedSeq = lastSeq;
      }
    }
    if (committedEnd == frames.size()) {
      return new Scan(entries, committedEnd, committedSeq, -1, "", -1);
    }
    String problem = position == frames.size()
        ? "a batch of " + batch.size() + " entries without its last entry"
        : (unparsable != null ? unparsable : frames.problem()) + " at byte offset " + position;
    long next = position == frames.size() ? -1 : frames.nextValid(position + 1, lastSeq);
    return new Scan(entries - batch.size(), committedEnd, committedSeq, position, problem, next);
  }

  /** True for format 2 (batch marks), false for format 1; IOException for anything else. */
  static boolean readMagic(FileChannel channel, Path file) throws IOException {
    ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
    while (magic.hasRemaining() && channel.read(magic, magic.position()) > 0) {
      // keep reading
    }
    if (Arrays.equals(magic.array(), MAGIC)) {
      return true;
    }
    if (Arrays.equals(magic.array(), MAGIC_V1)) {
      return false;
    }
    throw new IOException(file + " is not a distillmesh log (bad magic)");
  }

  /**
   * Writes the entries as one batch and fsyncs; when this returns they are durable. When it fails
   * the file is cut back to where the batch started, so none of the batch is in the log and a later
   * append can succeed; if even that fails, {@link #tailUnknown()} turns true.
   */
  void append(List<LogEntry> entries) throws IOException {
    if (tailUnknown) {
      throw new IOException(file + ": an earlier failed append could not be cut back");
    }
    int total = 0;
    ByteBuffer[] encoded = new ByteBuffer[entries.size()];
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = encode(entries.get(i), commitMarks && i == encoded.length - 1);
      total += encoded[i].remaining();
    }
    ByteBuffer all = ByteBuffer.allocate(total);
    for (ByteBuffer b : encoded) {
      all.put(b);
    }
    all.flip();
    long before = length;
    try {
      while (all.hasRemaining()) {
        channel.write(all, before + all.position());
      }
      channel.force(false);
      length = before + total;
    } catch (IOException e) {
      try {
        channel.truncate(before);
        channel.force(true);
      } catch (IOException cut) {
        tailUnknown = true;
        e.addSuppressed(cut);
      }
      throw e;
    }
  }

  /** True after a failed append could not be undone: nothing more may be appended to this file. */
  boolean tailUnknown() {
    return tailUnknown;
  }

  long sizeBytes() {
    return length;
  }

  Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static ByteBuffer encode(LogEntry entry, boolean commit) {
    byte[] id = entry instanceof LogEntry.Upsert u ? utf8(u.record().id()) : utf8(((LogEntry.Delete) entry).id());
    int length = 1 + 8 + 4 + id.length;
    byte[] text = null;
    byte[] meta = null;
    float[] vector = null;
    if (entry instanceof LogEntry.Upsert u) {
      text = utf8(u.record().text());
      meta = utf8(u.record().metadataJson());
      vector = u.record().baseVector() != null ? u.record().baseVector() : u.record().vector();
      length += 4 + text.length + 4 + meta.length + 4 + 4 * vector.length;
    }
    ByteBuffer payload = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    byte type = entry instanceof LogEntry.Upsert u
        ? (u.record().baseVector() != null ? LogFrames.UPSERT_BASE : LogFrames.UPSERT) : LogFrames.DELETE;
    payload.put(commit ? (byte) (type | LogFrames.COMMIT) : type).putLong(entry.seq());
    payload.putInt(id.length).put(id);
    if (vector != null) {
      payload.putInt(text.length).put(text).putInt(meta.length).put(meta);
      payload.putInt(vector.length);
      payload.asFloatBuffer().put(vector);
      payload.position(payload.position() + 4 * vector.length);
    }
    CRC32C crc = new CRC32C();
    crc.update(payload.array(), 0, length);
    ByteBuffer framed = ByteBuffer.allocate(8 + length).order(ByteOrder.LITTLE_ENDIAN);
    framed.putInt(length).putInt((int) crc.getValue()).put(payload.array());
    framed.flip();
    return framed;
  }

  /** The entry a verified frame holds, or null when its payload does not parse. */
  private static LogEntry decode(LogFrames.Frame frame) {
    ByteBuffer in = frame.payload();
    try {
      String id = readString(in);
      if (frame.type() == LogFrames.DELETE) {
        return new LogEntry.Delete(frame.seq(), id);
      }
      String text = readString(in);
      String meta = readString(in);
      float[] vector = new float[in.getInt()];
      in.asFloatBuffer().get(vector);
      return new LogEntry.Upsert(frame.seq(), frame.type() == LogFrames.UPSERT_BASE
          ? RecordInput.withBase(id, vector, text, meta) : new RecordInput(id, vector, text, meta));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String readString(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
