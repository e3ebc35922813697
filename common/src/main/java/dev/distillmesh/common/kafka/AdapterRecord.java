package dev.distillmesh.common.kafka;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * One published adapter version on the rollout topic ({@link MeshTopics#ADAPTERS}, compacted, keyed
 * {@code collection/tower}): what every student replica applies, in order.
 *
 * <p>Wire format, big-endian: magic {@code DMAD}, schema (u16), collection, tower, version (i64)
 * — this header is the same in every schema, so a replica that meets a newer schema can still say
 * which version it could not read — then, for schema 1: dimension (i32), run id, held-out metric
 * (f64), description, publish time (i64 ms), the d×d matrix as float32 row-major, and the CRC32C of
 * the matrix bytes (i32). Strings are {@link DataOutputStream#writeUTF} (at most 65,535 bytes).
 *
 * <p>A reader meeting a schema above {@link #SCHEMA} refuses the record ({@code schema}) and its
 * replica reports the refusal, so a publish that an older replica cannot read fails visibly instead
 * of splitting the fleet; upgrade the replicas before the trainer.
 *
 * @param heldOut the run's held-out metric when it published this version (0 when none)
 */
public record AdapterRecord(String collection, String tower, long version, int dimension, float[] matrix,
    String runId, double heldOut, String description, long publishedAtMillis) {
  public static final int SCHEMA = 1;
  private static final int MAGIC = 0x444d4144; // "DMAD"

  public AdapterRecord {
    if (matrix.length != (long) dimension * dimension) {
      throw new IllegalArgumentException("matrix has " + matrix.length + " values, not " + dimension + "x" + dimension);
    }
  }

  /** The record's key: one compacted entry per collection and tower. */
  public static String key(String collection, String tower) {
    return collection + "/" + tower;
  }

  public String key() {
    return key(collection, tower);
  }

  /** The fields every schema carries, readable even when the rest is not. */
  public record Header(int schema, String collection, String tower, long version) {}

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + matrix.length * 4);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(SCHEMA);
      out.writeUTF(collection);
      out.writeUTF(tower);
      out.writeLong(version);
      out.writeInt(dimension);
      out.writeUTF(runId);
      out.writeDouble(heldOut);
      out.writeUTF(description);
      out.writeLong(publishedAtMillis);
      byte[] values = floatBytes(matrix);
      out.write(values);
      out.writeInt(crc(values));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads the header only.
   *
   * @throws MalformedRecordException {@code foreign} (not an adapter record) or {@code truncated}
   */
  public static Header header(byte[] value) throws MalformedRecordException {
    try {
      return header(new DataInputStream(new ByteArrayInputStream(checkNotNull(value))));
    } catch (IOException e) {
      throw truncated(e);
    }
  }

  /**
   * Reads a whole record.
   *
   * @throws MalformedRecordException {@code foreign}, {@code truncated}, {@code schema} (newer than
   *     this reader) or {@code crc} (the matrix is damaged), with a message saying which version
   */
  public static AdapterRecord decode(byte[] value) throws MalformedRecordException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(checkNotNull(value)));
    try {
      Header h = header(in);
      if (h.schema() > SCHEMA) {
        throw new MalformedRecordException("schema", "adapter v" + h.version() + " of " + h.collection() + " is schema "
            + h.schema() + ", newer than this replica's " + SCHEMA + "; upgrade the student before the trainer");
      }
      int dimension = in.readInt();
      if (dimension < 1 || dimension > 8192) {
        throw new MalformedRecordException("truncated", "adapter v" + h.version() + " of " + h.collection()
            + " claims dimension " + dimension);
      }
      String runId = in.readUTF();
      double heldOut = in.readDouble();
      String description = in.readUTF();
      long publishedAt = in.readLong();
      byte[] values = new byte[dimension * dimension * 4];
      in.readFully(values);
      int crc = in.readInt();
      if (crc != crc(values)) {
        throw new MalformedRecordException("crc", "adapter v" + h.version() + " of " + h.collection()
            + ": the matrix does not match its CRC32C (damaged in transit or on disk)");
      }
      if (in.available() != 0) {
        throw new MalformedRecordException("truncated", "adapter v" + h.version() + " of " + h.collection() + " has "
            + in.available() + " bytes after its end");
      }
      return new AdapterRecord(h.collection(), h.tower(), h.version(), dimension, floats(values), runId, heldOut,
          description, publishedAt);
    } catch (IOException e) {
      throw truncated(e);
    }
  }

  private static Header header(DataInputStream in) throws IOException, MalformedRecordException {
    if (in.available() < 6 || in.readInt() != MAGIC) {
      throw new MalformedRecordException("foreign", "not an adapter record (no DMAD magic)");
    }
    int schema = in.readUnsignedShort();
    if (schema < 1) {
      throw new MalformedRecordException("foreign", "adapter record with schema 0");
    }
    return new Header(schema, in.readUTF(), in.readUTF(), in.readLong());
  }

  private static byte[] checkNotNull(byte[] value) throws MalformedRecordException {
    if (value == null) {
      throw new MalformedRecordException("foreign", "empty record (a tombstone) on the adapter topic");
    }
    return value;
  }

  private static MalformedRecordException truncated(IOException e) {
    return new MalformedRecordException("truncated", "adapter record ends early ("
        + (e instanceof EOFException ? "end of data" : e.getMessage()) + ")");
  }

  private static byte[] floatBytes(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.BIG_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  private static float[] floats(byte[] bytes) {
    float[] values = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  private static int crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  @Override
  public String toString() {
    return "AdapterRecord[" + key() + " v" + version + ", " + dimension + "x" + dimension + ", run " + runId + "]";
  }
}
