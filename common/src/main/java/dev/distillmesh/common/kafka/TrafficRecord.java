package dev.distillmesh.common.kafka;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One query a student replica answered, on the traffic topic ({@link MeshTopics#TRAFFIC}, keyed by
 * collection): what a TRAFFIC run trains on in scale-out mode.
 *
 * <p>Wire format, big-endian: magic {@code DMTR}, schema (u16), kind (u8: 1 Answer, 2 Respond),
 * collection, replica id ({@link DataOutputStream#writeUTF}), served time (i64 ms), then the texts:
 * a count (u16) and each text as a length (i32) and its UTF-8 bytes — the question for Answer, the
 * dialogue turns, oldest first, for Respond.
 *
 * <p>Schemas only ever append fields: a reader meeting a schema newer than {@link #SCHEMA} reads
 * the fields it knows and ignores the rest, so students may be upgraded before or after the
 * trainer. (The adapter records are the other way round: a replica refuses a newer one, because
 * serving half a model is worse than serving the old one.)
 */
public record TrafficRecord(Kind kind, String collection, String replicaId, long servedAtMillis, List<String> texts) {
  public static final int SCHEMA = 1;
  private static final int MAGIC = 0x444d5452; // "DMTR"
  /** Most texts in one record (dialogue turns). */
  public static final int MAX_TEXTS = 1024;

  /** Which rpc served the query. */
  public enum Kind { ANSWER, RESPOND }

  public TrafficRecord {
    texts = List.copyOf(texts);
    if (texts.isEmpty() || texts.size() > MAX_TEXTS) {
      throw new IllegalArgumentException("a traffic record holds 1.." + MAX_TEXTS + " texts, got " + texts.size());
    }
    if (kind == Kind.ANSWER && texts.size() != 1) {
      throw new IllegalArgumentException("an Answer query is one question, got " + texts.size() + " texts");
    }
  }

  /** The text a run trains on: the question, or the dialogue's turns joined by spaces. */
  public String query() {
    return texts.size() == 1 ? texts.get(0) : String.join(" ", texts);
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + texts.stream().mapToInt(String::length).sum() * 2);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(SCHEMA);
      out.writeByte(kind == Kind.ANSWER ? 1 : 2);
      out.writeUTF(collection);
      out.writeUTF(replicaId);
      out.writeLong(servedAtMillis);
      out.writeShort(texts.size());
      for (String t : texts) {
        byte[] utf8 = t.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a record.
   *
   * @throws MalformedRecordException {@code foreign} (not a traffic record, or a tombstone) or
   *     {@code truncated} (ends early, impossible lengths, bytes after its end in its own schema)
   */
  public static TrafficRecord decode(byte[] value) throws MalformedRecordException {
    if (value == null) {
      throw new MalformedRecordException("foreign", "empty record (a tombstone) on the traffic topic");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
    try {
      if (value.length < 7 || in.readInt() != MAGIC) {
        throw new MalformedRecordException("foreign", "not a traffic record (no DMTR magic)");
      }
      int schema = in.readUnsignedShort();
      int kind = in.readUnsignedByte();
      if (schema < 1 || kind < 1 || kind > 2) {
        throw new MalformedRecordException("foreign", "traffic record with schema " + schema + " and kind " + kind);
      }
      String collection = in.readUTF();
      String replica = in.readUTF();
      long servedAt = in.readLong();
      int n = in.readUnsignedShort();
      if (n < 1 || n > MAX_TEXTS || (kind == 1 && n != 1)) {
        throw new MalformedRecordException("truncated", "traffic record of " + collection + " claims " + n + " texts");
      }
      List<String> texts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          throw new MalformedRecordException("truncated", "traffic record of " + collection + ": text " + i
              + " claims " + length + " bytes, " + in.available() + " left");
        }
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        texts.add(new String(utf8, StandardCharsets.UTF_8));
      }
      if (schema == SCHEMA && in.available() != 0) {
        throw new MalformedRecordException("truncated", "traffic record of " + collection + " has " + in.available()
            + " bytes after its end");
      }
      return new TrafficRecord(kind == 1 ? Kind.ANSWER : Kind.RESPOND, collection, replica, servedAt, texts);
    } catch (IOException e) {
      throw new MalformedRecordException("truncated", "traffic record ends early ("
          + (e instanceof EOFException ? "end of data" : e.getMessage()) + ")");
    }
  }
}
