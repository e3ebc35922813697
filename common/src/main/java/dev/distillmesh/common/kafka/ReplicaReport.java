package dev.distillmesh.common.kafka;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one student replica serves, on the status topic ({@link MeshTopics#ADAPTER_STATUS},
 * compacted, keyed by replica id): written whenever it changes and every heartbeat, and a tombstone
 * when the replica stops cleanly. A replica whose last report is older than the liveness timeout
 * counts as gone.
 *
 * <p>Wire format, big-endian: magic {@code DMRS}, schema (u16), replica id, ready (caught up with
 * the rollout topic), report time (i64 ms), then the served versions (count, then collection and
 * version each) and the refused ones (count, then collection, version and reason each). A reader
 * skips a schema newer than its own as {@code schema}.
 *
 * @param served each collection's context adapter version the replica serves (collections with one)
 * @param refused per collection, the newest version the replica refused and why (bad matrix, a
 *     schema it cannot read, a disk that would not take it)
 */
public record ReplicaReport(String replicaId, boolean ready, long atMillis, Map<String, Long> served,
    Map<String, Refusal> refused) {
  public static final int SCHEMA = 1;
  private static final int MAGIC = 0x444d5253; // "DMRS"

  /** A version a replica would not serve. */
  public record Refusal(long version, String reason) {}

  public ReplicaReport {
    served = Map.copyOf(served);
    refused = Map.copyOf(refused);
  }

  /** The version of {@code collection} served (0: the identity). */
  public long servedVersion(String collection) {
    return served.getOrDefault(collection, 0L);
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(SCHEMA);
      out.writeUTF(replicaId);
      out.writeBoolean(ready);
      out.writeLong(atMillis);
      out.writeInt(served.size());
      for (var e : new TreeMap<>(served).entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue());
      }
      out.writeInt(refused.size());
      for (var e : new TreeMap<>(refused).entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue().version());
        out.writeUTF(truncate(e.getValue().reason()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * @throws MalformedRecordException {@code foreign}, {@code schema} or {@code truncated}
   */
  public static ReplicaReport decode(byte[] value) throws MalformedRecordException {
    if (value == null) {
      throw new MalformedRecordException("foreign", "a tombstone is not a report");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
    try {
      if (value.length < 6 || in.readInt() != MAGIC) {
        throw new MalformedRecordException("foreign", "not a replica report (no DMRS magic)");
      }
      int schema = in.readUnsignedShort();
      if (schema > SCHEMA || schema < 1) {
        throw new MalformedRecordException("schema", "replica report of schema " + schema + "; this reader knows "
            + SCHEMA);
      }
      String replica = in.readUTF();
      boolean ready = in.readBoolean();
      long at = in.readLong();
      Map<String, Long> served = new TreeMap<>();
      for (int i = count(in); i > 0; i--) {
        served.put(in.readUTF(), in.readLong());
      }
      Map<String, Refusal> refused = new TreeMap<>();
      for (int i = count(in); i > 0; i--) {
        refused.put(in.readUTF(), new Refusal(in.readLong(), in.readUTF()));
      }
      return new ReplicaReport(replica, ready, at, served, refused);
    } catch (IOException e) {
      throw new MalformedRecordException("truncated", "replica report ends early");
    }
  }

  private static int count(DataInputStream in) throws IOException, MalformedRecordException {
    int n = in.readInt();
    if (n < 0 || n > 100_000) {
      throw new MalformedRecordException("truncated", "replica report claims " + n + " entries");
    }
    return n;
  }

  private static String truncate(String reason) {
    return reason.length() > 2000 ? reason.substring(0, 2000) + "..." : reason;
  }

  /** The refusals and versions as one list, for logs. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    served.forEach((c, v) -> lines.add(c + " v" + v));
    refused.forEach((c, r) -> lines.add(c + " refused v" + r.version() + ": " + r.reason()));
    return lines;
  }
}
