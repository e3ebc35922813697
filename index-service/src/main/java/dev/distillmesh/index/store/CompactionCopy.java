package dev.distillmesh.index.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live records of a generation as of one log sequence number, and the copy of them into a
 * fresh, tombstone-free generation. Capturing is quick (references only) and happens under the
 * collection's write lock; copying re-adds every vector and runs outside it, while the source
 * keeps serving. Vectors are read back from the source's FAISS index: a slot's vector never
 * changes once written, so reading them without the lock is safe.
 */
final class CompactionCopy {
  private static final int CHUNK = 4096;

  private final Generation source;
  private final long fromSeq;
  private final List<String> slots;
  private final List<SlotTable.Entry> records; // per slot; null for a tombstone

  private CompactionCopy(Generation source, long fromSeq, List<String> slots, List<SlotTable.Entry> records) {
    this.source = source;
    this.fromSeq = fromSeq;
    this.slots = slots;
    this.records = records;
  }

  /**
   * Captures the slot table, payloads and base vectors; the caller holds the write lock and a pin
   * on source.
   */
  static CompactionCopy capture(Generation source, long fromSeq) {
    List<String> slots = source.slotTable();
    List<SlotTable.Entry> records = new ArrayList<>(slots.size());
    for (String id : slots) {
      records.add(id == null ? null : source.entry(id));
    }
    return new CompactionCopy(source, fromSeq, slots, records);
  }

  /** The log sequence number the capture reflects; later writes must be caught up from the log. */
  long fromSeq() {
    return fromSeq;
  }

  int slotCount() {
    return slots.size();
  }

  /** Builds the next generation holding exactly the captured live records. */
  Generation build(StoreOptions options) {
    Generation fresh = Generation.empty(source.number() + 1, source.config(), options);
    try {
      int d = source.config().dimension();
      for (int start = 0; start < slots.size(); start += CHUNK) {
        int count = Math.min(CHUNK, slots.size() - start);
        float[] vectors = source.vectors(start, count);
        List<LogEntry> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          SlotTable.Entry r = records.get(start + i);
          if (r != null) {
            float[] v = Arrays.copyOfRange(vectors, i * d, (i + 1) * d);
            Payload p = r.payload();
            batch.add(new LogEntry.Upsert(0, new RecordInput(r.id(), v, p.text(), p.metadataJson(), r.base())));
          }
        }
        fresh.apply(batch);
      }
      return fresh;
    } catch (RuntimeException e) {
      fresh.retire();
      throw e;
    }
  }
}
