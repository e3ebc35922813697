package dev.distillmesh.index.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * little-endian. A torn or corrupt tail (a crash during a write that was therefore never
 * acknowledged) is cut off by {@link #replay}.
 *
 * <p>Not thread-safe: the owning collection's single writer calls {@link #append}.
 */
final class WriteAheadLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);
  private static final byte[] MAGIC = "DMWAL001".getBytes(StandardCharsets.US_ASCII);
  /** Size of an empty log: just the magic. */
  static final long HEADER_BYTES = MAGIC.length;
  private static final byte UPSERT = 1;
  private static final byte DELETE = 2;
  private static final int MAX_ENTRY_BYTES = 64 * 1024 * 1024;

  private final Path file;
  private final FileChannel channel;

  private WriteAheadLog(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Creates an empty log (replacing any file there) and syncs it. */
  static WriteAheadLog create(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    channel.write(ByteBuffer.wrap(MAGIC));
    channel.force(true);
    return new WriteAheadLog(file, channel);
  }

  /** Opens an existing log for appending after {@link #replay} has validated it. */
  static WriteAheadLog openForAppend(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
    channel.position(channel.size());
    return new WriteAheadLog(file, channel);
  }

  /**
   * Reads every entry with {@code seq > afterSeq} in order, handing it to {@code sink}. A torn or
   * corrupt tail is truncated away (and logged).
   *
   * @return the number of entries read (all of them, including those at or below afterSeq)
   */
  static long replay(Path file, long afterSeq, Consumer<LogEntry> sink) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
      if (readFully(channel, magic, 0) < MAGIC.length
          || !java.util.Arrays.equals(magic.array(), MAGIC)) {
        throw new IOException(file + " is not a distillmesh log (bad magic)");
      }
      long position = MAGIC.length;
      long entries = 0;
      long size = channel.size();
      ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      while (position < size) {
        header.clear();
        if (readFully(channel, header, position) < 8) {
          break;
        }
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (length <= 0 || length > MAX_ENTRY_BYTES || position + 8 + length > size) {
          break;
        }
        ByteBuffer payload = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, payload, position + 8);
        CRC32C check = new CRC32C();
        check.update(payload.array(), 0, length);
        if ((int) check.getValue() != crc) {
          break;
        }
        payload.flip();
        LogEntry entry = decode(payload);
        if (entry.seq() > afterSeq) {
          sink.accept(entry);
        }
        entries++;
        position += 8 + length;
      }
      if (position < size) {
        log.warn("{}: cutting a torn or corrupt tail of {} bytes after {} entries "
            + "(writes that were never acknowledged)", file, size - position, entries);
        channel.truncate(position);
        channel.force(true);
      }
      return entries;
    }
  }

  /** Writes the entries and fsyncs; when this returns they are durable. */
  void append(List<LogEntry> entries) throws IOException {
    int total = 0;
    ByteBuffer[] encoded = new ByteBuffer[entries.size()];
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = encode(entries.get(i));
      total += encoded[i].remaining();
    }
    ByteBuffer all = ByteBuffer.allocate(total);
    for (ByteBuffer b : encoded) {
      all.put(b);
    }
    all.flip();
    while (all.hasRemaining()) {
      channel.write(all);
    }
    channel.force(false);
  }

  long sizeBytes() throws IOException {
    return channel.size();
  }

  Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static ByteBuffer encode(LogEntry entry) {
    byte[] id = entry instanceof LogEntry.Upsert u ? utf8(u.record().id()) : utf8(((LogEntry.Delete) entry).id());
    int length = 1 + 8 + 4 + id.length;
    byte[] text = null;
    byte[] meta = null;
    float[] vector = null;
    if (entry instanceof LogEntry.Upsert u) {
      text = utf8(u.record().text());
      meta = utf8(u.record().metadataJson());
      vector = u.record().vector();
      length += 4 + text.length + 4 + meta.length + 4 + 4 * vector.length;
    }
    ByteBuffer payload = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    payload.put(entry instanceof LogEntry.Upsert ? UPSERT : DELETE).putLong(entry.seq());
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

  private static LogEntry decode(ByteBuffer in) throws IOException {
    byte type = in.get();
    long seq = in.getLong();
    String id = readString(in);
    if (type == DELETE) {
      return new LogEntry.Delete(seq, id);
    }
    if (type != UPSERT) {
      throw new IOException("unknown log entry type " + type);
    }
    String text = readString(in);
    String meta = readString(in);
    float[] vector = new float[in.getInt()];
    in.asFloatBuffer().get(vector);
    return new LogEntry.Upsert(seq, new RecordInput(id, vector, text, meta));
  }

  private static String readString(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    int read = 0;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    return read;
  }
}
