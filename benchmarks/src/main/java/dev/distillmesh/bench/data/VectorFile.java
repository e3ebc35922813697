package dev.distillmesh.bench.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Raw vector files: rows of {@code dimension} little-endian float32 values, no header (the row
 * count is the file size divided by {@code 4 * dimension}). Writes go to a temporary file that is
 * renamed into place, so a killed run never leaves a truncated cache entry behind.
 */
public final class VectorFile {
  private VectorFile() {}

  public static void write(Path file, float[][] rows) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      int dim = rows.length == 0 ? 0 : rows[0].length;
      ByteBuffer buf = ByteBuffer.allocate(Math.max(4, 4 * dim)).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] row : rows) {
        buf.clear();
        buf.asFloatBuffer().put(row);
        buf.limit(4 * dim);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static float[][] read(Path file, int dimension) throws IOException {
    long bytes = Files.size(file);
    long rowBytes = 4L * dimension;
    if (bytes % rowBytes != 0) {
      throw new IOException(file + ": size " + bytes + " is not a multiple of " + rowBytes);
    }
    float[][] rows = new float[(int) (bytes / rowBytes)][dimension];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) rowBytes).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] row : rows) {
        buf.clear();
        while (buf.hasRemaining()) {
          if (ch.read(buf) < 0) {
            throw new IOException(file + ": unexpected end of file");
          }
        }
        buf.flip();
        buf.asFloatBuffer().get(row);
      }
    }
    return rows;
  }
}
