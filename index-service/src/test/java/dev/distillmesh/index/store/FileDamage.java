package dev.distillmesh.index.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Damage done to a stopped store's files on purpose, for the store's tests and the server's ITs. */
public final class FileDamage {
  private FileDamage() {}

  /** Byte offset of entry {@code index} (0-based) of a log: its magic, then length-prefixed frames. */
  public static long logEntryOffset(Path wal, int index) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wal)).order(ByteOrder.LITTLE_ENDIAN);
    int at = (int) WriteAheadLog.HEADER_BYTES;
    for (int i = 0; i < index; i++) {
      at += 8 + b.getInt(at);
    }
    return at;
  }

  /** Inverts {@code bytes} bytes of {@code file} from {@code offset} on. */
  public static void flip(Path file, long offset, int bytes) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] b = new byte[bytes];
      raf.seek(offset);
      raf.readFully(b);
      for (int i = 0; i < bytes; i++) {
        b[i] ^= (byte) 0xff;
      }
      raf.seek(offset);
      raf.write(b);
    }
  }
}
