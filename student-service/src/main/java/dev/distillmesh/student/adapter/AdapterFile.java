package dev.distillmesh.student.adapter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one adapter version: a small header, the matrix as little-endian float32,
 * and a CRC32C of everything before it, so a damaged file is refused rather than served.
 *
 * <pre>
 * "DMAD" | format u32 (1) | tower u8 | version i64 | dimension u32 | loaded_at_ms i64 |
 * description_len u32 | description UTF-8 | dimension² float32 | crc32c u32
 * </pre>
 */
public final class AdapterFile {
  private static final int MAGIC = 0x444D4144; // "DMAD"
  private static final int FORMAT = 1;

  private AdapterFile() {}

  static byte[] encode(Adapter a) {
    byte[] description = a.description().getBytes(StandardCharsets.UTF_8);
    float[] m = a.matrix();
    ByteBuffer b = ByteBuffer.allocate(4 + 4 + 1 + 8 + 4 + 8 + 4 + description.length + 4 * m.length + 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(FORMAT).put((byte) a.tower().ordinal()).putLong(a.version())
        .putInt(a.dimension()).putLong(a.loadedAtMillis()).putInt(description.length).put(description);
    for (float v : m) {
      b.putFloat(v);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Reads and checks one file; the error names the file and what is wrong with it. (Public for
   * the CLI, which can publish a file again, e.g. one of the layout from before adapters belonged
   * to a collection.)
   */
  public static Adapter read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      if (bytes.length < 37) {
        throw new IOException("too short (" + bytes.length + " bytes)");
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, bytes.length - 4);
      ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      if (b.getInt(bytes.length - 4) != (int) crc.getValue()) {
        throw new IOException("checksum mismatch (damaged or partly written)");
      }
      if (b.getInt() != MAGIC || b.getInt() != FORMAT) {
        throw new IOException("not an adapter file of format " + FORMAT);
      }
      int towerOrdinal = b.get();
      if (towerOrdinal < 0 || towerOrdinal >= Tower.values().length) {
        throw new IOException("unknown tower " + towerOrdinal);
      }
      long version = b.getLong();
      int dimension = b.getInt();
      long loadedAt = b.getLong();
      int descriptionLength = b.getInt();
      if (dimension <= 0 || descriptionLength < 0
          || 37L + descriptionLength + 4L * dimension * dimension != bytes.length) {
        throw new IOException("sizes do not add up (dimension " + dimension + ")");
      }
      byte[] description = new byte[descriptionLength];
      b.get(description);
      float[] m = new float[dimension * dimension];
      b.asFloatBuffer().get(m);
      return Adapter.of(Tower.values()[towerOrdinal], version, dimension, m,
          new String(description, StandardCharsets.UTF_8), loadedAt);
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("adapter file " + file + " is unusable: " + e.getMessage(), e);
    }
  }
}
