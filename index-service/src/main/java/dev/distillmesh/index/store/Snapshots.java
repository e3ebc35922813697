package dev.distillmesh.index.store;

import dev.distillmesh.common.Durable;
import dev.distillmesh.index.faiss.FaissIndex;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of a generation: {@code snapshot.bin} (slot table, payloads and vectors of live
 * records, the log sequence it includes, a CRC) and, next to it, {@code index-<seq>.faiss} (the
 * FAISS index as FAISS writes it) so a restart need not rebuild an HNSW graph. Both are written to
 * temporary files, fsync'ed and renamed, so a crash leaves either the old or the new snapshot.
 * Without a matching index file (or for an untrained IVF) recovery re-adds the live vectors.
 *
 * <p>Format 2 ({@code DMSNAP02}) also records the CRC32C and size of the index file, checked
 * before FAISS reads it: an index file that does not match is not trusted (FAISS would serve its
 * damaged vectors without complaint); the index is rebuilt from the snapshot's own vectors, which
 * its checksum covers, and a WARN says so. Format 1 snapshots ({@code DMSNAP01}, no index
 * checksum) are still read.
 *
 * <p>Format 3 ({@code DMSNAP03}) adds, after the index file's size, whether the collection keeps
 * base vectors and, if so, each live record's base vector after its served vector. Formats 1 and 2
 * (no base vectors) are still read.
 */
final class Snapshots {
  static final String SNAPSHOT = "snapshot.bin";
  private static final Logger log = LoggerFactory.getLogger(Snapshots.class);
  private static final byte[] MAGIC_V1 = "DMSNAP01".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAGIC_V2 = "DMSNAP02".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MAGIC = "DMSNAP03".getBytes(StandardCharsets.US_ASCII);
  private static final int VECTOR_CHUNK = 4096;

  private Snapshots() {}

  /** Writes a snapshot of {@code gen} that includes every write up to {@code seq}. */
  static long write(Path dir, Generation gen, long seq) throws IOException {
    Path indexTmp = null;
    Path tmp = dir.resolve(SNAPSHOT + ".tmp");
    try {
      FaissIndex trained = gen.trainedIndex();
      String indexFile = trained == null ? "" : "index-" + seq + ".faiss";
      long indexCrc = 0;
      long indexBytes = 0;
      if (trained != null) {
        indexTmp = dir.resolve(indexFile + ".tmp");
        trained.write(indexTmp);
        Durable.fsync(indexTmp);
        indexCrc = crc32c(indexTmp);
        indexBytes = Files.size(indexTmp);
        Files.move(indexTmp, dir.resolve(indexFile), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return writeSnapshot(dir, tmp, gen, seq, indexFile, indexCrc, indexBytes);
    } catch (IOException | RuntimeException e) {
      // A failed write (a full disk, say) leaves no temporary file behind.
      for (Path p : indexTmp == null ? List.of(tmp) : List.of(tmp, indexTmp)) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  private static long writeSnapshot(Path dir, Path tmp, Generation gen, long seq, String indexFile,
      long indexCrc, long indexBytes) throws IOException {
    List<String> slots = gen.slotTable();
    CollectionConfig config = gen.config();
    int d = config.dimension();
    CRC32C crc = new CRC32C();
    try (OutputStream file = Files.newOutputStream(tmp);
         DataOutputStream out = new DataOutputStream(
             new BufferedOutputStream(new CheckedOutputStream(file, crc), 1 << 20))) {
      out.write(MAGIC);
      out.writeLong(seq);
      out.writeLong(gen.number());
      out.writeInt(d);
      out.writeUTF(config.spec().factory());
      out.writeInt(config.metric().ordinal());
      out.writeUTF(indexFile);
      out.writeLong(indexCrc);
      out.writeLong(indexBytes);
      out.writeBoolean(config.keepsBaseVectors());
      out.writeLong(slots.size());
      for (int start = 0; start < slots.size(); start += VECTOR_CHUNK) {
        int count = Math.min(VECTOR_CHUNK, slots.size() - start);
        float[] vectors = gen.vectors(start, count);
        for (int i = 0; i < count; i++) {
          String id = slots.get(start + i);
          SlotTable.Entry e = id == null ? null : gen.entry(id);
          out.writeBoolean(e != null);
          if (e != null) {
            writeString(out, id);
            writeString(out, e.payload().text());
            writeString(out, e.payload().metadataJson());
            for (int j = 0; j < d; j++) {
              out.writeFloat(vectors[i * d + j]);
            }
            if (config.keepsBaseVectors()) {
              for (int j = 0; j < d; j++) {
                out.writeFloat(e.base()[j]);
              }
            }
          }
        }
      }
      out.flush();
      long checksum = crc.getValue();
      out.writeLong(checksum);
    }
    Durable.fsync(tmp);
    Files.move(tmp, dir.resolve(SNAPSHOT), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Durable.fsyncDir(dir);
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith("index-") && name.endsWith(".faiss") && !name.equals(indexFile)) {
          Files.deleteIfExists(f);
        }
      }
    }
    return Files.size(dir.resolve(SNAPSHOT));
  }

  /** A snapshot read back: the generation (with the given number) and the sequence it includes. */
  record Loaded(Generation generation, long seq) {}

  /** Reads {@code snapshot.bin} of a generation directory and restores the generation. */
  static Loaded read(Path dir, long number, CollectionConfig config, StoreOptions options)
      throws IOException {
    CRC32C crc = new CRC32C();
    Generation gen = null;
    try (InputStream file = Files.newInputStream(dir.resolve(SNAPSHOT));
         CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(file, 1 << 20), crc);
         DataInputStream in = new DataInputStream(checked)) {
      byte[] magic = in.readNBytes(MAGIC.length);
      boolean v3 = Arrays.equals(magic, MAGIC);
      boolean v2 = v3 || Arrays.equals(magic, MAGIC_V2);
      if (!v2 && !Arrays.equals(magic, MAGIC_V1)) {
        throw new IOException(dir.resolve(SNAPSHOT) + " is not a distillmesh snapshot");
      }
      long seq = in.readLong();
      in.readLong(); // generation number, informational
      int d = in.readInt();
      in.readUTF(); // spec, informational (collection.properties is authoritative)
      in.readInt(); // metric, informational
      String indexFile = in.readUTF();
      Long indexCrc = v2 ? in.readLong() : null;
      long indexBytes = v2 ? in.readLong() : -1;
      boolean bases = v3 && in.readBoolean();
      long slotCount = in.readLong();
      if (d != config.dimension()) {
        throw new IOException(dir + ": snapshot dimension " + d + " != " + config.dimension());
      }
      if (bases != config.keepsBaseVectors()) {
        throw new IOException(dir.resolve(SNAPSHOT) + (bases ? " holds" : " does not hold") + " base vectors but "
            + CollectionFiles.CONFIG + " says keep_base_vectors=" + config.keepsBaseVectors());
      }
      FaissIndex loaded = loadIndex(dir, indexFile, slotCount, indexCrc, indexBytes);
      gen = loaded != null
          ? Generation.restored(number, config, options, loaded)
          : Generation.empty(number, config, options);
      List<LogEntry> batch = new ArrayList<>();
      for (long slot = 0; slot < slotCount; slot++) {
        if (!in.readBoolean()) {
          if (loaded != null) {
            gen.restoreSlot(null, null, null);
          }
          continue;
        }
        String id = readString(in);
        String text = readString(in);
        String meta = readString(in);
        float[] vector = readFloats(in, d);
        float[] base = bases ? readFloats(in, d) : null;
        if (loaded != null) {
          gen.restoreSlot(id, new Payload(text, meta), base);
        } else {
          batch.add(new LogEntry.Upsert(0, new RecordInput(id, vector, text, meta, base)));
          if (batch.size() == VECTOR_CHUNK) {
            gen.apply(batch);
            batch.clear();
          }
        }
      }
      gen.apply(batch);
      long expected = crc.getValue();
      long stored = in.readLong();
      if (stored != expected) {
        throw new IOException(dir.resolve(SNAPSHOT) + " is corrupt (checksum mismatch)");
      }
      return new Loaded(gen, seq);
    } catch (IOException | RuntimeException e) {
      if (gen != null) {
        gen.retire();
      }
      throw e;
    }
  }

  private static FaissIndex loadIndex(Path dir, String indexFile, long slotCount, Long expectedCrc,
      long expectedBytes) throws IOException {
    if (indexFile.isEmpty() || !Files.exists(dir.resolve(indexFile))) {
      return null;
    }
    if (expectedCrc != null) {
      long bytes = Files.size(dir.resolve(indexFile));
      long crc = crc32c(dir.resolve(indexFile));
      if (bytes != expectedBytes || crc != expectedCrc) {
        log.warn("{}: {} does not match the checksum recorded in {} ({} bytes, crc32c {}; recorded {} bytes,"
            + " crc32c {}): the file is damaged; rebuilding the index from the snapshot's own vectors",
            dir, indexFile, SNAPSHOT, bytes, Long.toHexString(crc), expectedBytes, Long.toHexString(expectedCrc));
        return null;
      }
    }
    try {
      FaissIndex index = FaissIndex.read(dir.resolve(indexFile));
      if (index.size() == slotCount) {
        return index;
      }
      log.warn("{}: {} holds {} vectors, snapshot {}; re-adding vectors instead",
          dir, indexFile, index.size(), slotCount);
      index.close();
    } catch (RuntimeException e) {
      log.warn("{}: cannot read {} ({}); re-adding vectors instead", dir, indexFile, e.getMessage());
    }
    return null;
  }

  /**
   * Checks the checksum of a generation's {@code snapshot.bin} without loading it (it covers every
   * byte but its own last 8) and returns the log sequence the snapshot includes.
   */
  static long verify(Path dir) throws IOException {
    Path file = dir.resolve(SNAPSHOT);
    long size = Files.size(file);
    if (size < MAGIC.length + 16) {
      throw new IOException(file + " is truncated (" + size + " bytes)");
    }
    CRC32C crc = new CRC32C();
    long seq;
    long stored;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
      byte[] head = in.readNBytes(MAGIC.length + 8);
      crc.update(head);
      seq = java.nio.ByteBuffer.wrap(head, MAGIC.length, 8).getLong();
      byte[] buffer = new byte[1 << 16];
      for (long left = size - 8 - head.length; left > 0; ) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(file + " shrank while being read");
        }
        crc.update(buffer, 0, n);
        left -= n;
      }
      stored = in.readLong();
    }
    if (stored != crc.getValue()) {
      throw new IOException(file + " is corrupt (checksum mismatch)");
    }
    return seq;
  }

  static long crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
      }
    }
    return crc.getValue();
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static float[] readFloats(DataInputStream in, int d) throws IOException {
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = in.readFloat();
    }
    return v;
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 16 << 20) {
      throw new IOException("corrupt snapshot: string of length " + n);
    }
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }
}
