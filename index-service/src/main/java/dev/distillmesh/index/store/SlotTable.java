package dev.distillmesh.index.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The record side of a generation's FAISS index: which record id each slot holds (null for a
 * tombstone: a slot whose record was deleted or replaced) and, per live id, its slot, payload and,
 * in a collection that keeps them, base vector (the one copy of it in memory: FAISS holds the
 * served vectors).
 * FAISS slots are only ever appended, so the table only grows; a removed record leaves a tombstone.
 *
 * <p>Not thread-safe: the owning {@link Generation}'s lock guards it.
 */
final class SlotTable {
  /** Where a live record sits and what it carries. */
  record Entry(String id, long slot, Payload payload, float[] base) {}

  private final ArrayList<String> slotIds = new ArrayList<>(); // slot -> id, null = tombstone
  private final HashMap<String, Entry> byId = new HashMap<>();

  /** Slots in all, live and tombstoned; also the slot the next record gets. */
  int size() {
    return slotIds.size();
  }

  int liveCount() {
    return byId.size();
  }

  int tombstoneCount() {
    return slotIds.size() - byId.size();
  }

  /** The id in a slot, or null for a tombstone. */
  String idAt(int slot) {
    return slotIds.get(slot);
  }

  /** The payload of a live record, or null. */
  Payload payload(String id) {
    Entry e = byId.get(id);
    return e == null ? null : e.payload();
  }

  /** The entry of a live record, or null. */
  Entry entry(String id) {
    return byId.get(id);
  }

  /**
   * Puts a record in the next slot; the caller has removed any earlier record of the same id.
   *
   * @param base the record's base vector, or null in a collection without them
   */
  void append(String id, Payload payload, float[] base) {
    long slot = slotIds.size();
    slotIds.add(id);
    byId.put(id, new Entry(id, slot, payload, base));
  }

  /** Appends one slot as a snapshot recorded it: a live record, or a tombstone when id is null. */
  void restore(String idOrNull, Payload payload, float[] base) {
    if (idOrNull == null) {
      slotIds.add(null);
    } else {
      append(idOrNull, payload, base);
    }
  }

  /** Tombstones the slot of a live record; false if the id is not live. */
  boolean remove(String id) {
    Entry old = byId.remove(id);
    if (old == null) {
      return false;
    }
    slotIds.set(Math.toIntExact(old.slot()), null);
    return true;
  }

  /** The live records' entries, in slot order (references: entries are immutable). */
  List<Entry> liveEntries() {
    List<Entry> out = new ArrayList<>(byId.size());
    for (String id : slotIds) {
      if (id != null) {
        out.add(byId.get(id));
      }
    }
    return out;
  }

  /** A copy of the slot-to-id column (null = tombstone). */
  List<String> ids() {
    return new ArrayList<>(slotIds);
  }
}
