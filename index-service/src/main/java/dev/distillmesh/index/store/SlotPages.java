package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.index.faiss.FaissIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a generation's live records page by page, in slot order, for ListRecords: a page is bounded
 * by a record count and a byte budget, and its vectors are read back from FAISS in few calls (base
 * vectors, where the collection keeps them, come from the slot table).
 *
 * <p>Stateless; the caller holds its generation's lock (shared) around {@link #page}, so the slot
 * table, the payloads and the vectors of one page agree with each other.
 */
final class SlotPages {
  /** Tombstoned slots a vector read of {@link #page} may read through beyond its live slots. */
  static final int VECTOR_RUN_SLACK = 64;

  /** Live records of a run of slots, and the slot the next run starts at (-1: none is left). */
  record Slice(List<RecordPage.Item> records, long nextSlot) {}

  private SlotPages() {}

  /**
   * Reads the live records from slot {@code fromSlot} on, in slot order: at most {@code maxRecords},
   * and no more once they add up to {@code maxBytes} (at least one is always read). Tombstones are
   * skipped, also those right after the last record read, so a page is never followed by an empty
   * last page only because deletes trail it.
   *
   * @param generation the generation's number and config, for the message on a bad slot
   */
  static Slice page(FaissIndex index, SlotTable table, long generation, CollectionConfig config,
      long fromSlot, int maxRecords, long maxBytes, boolean vectors) {
    if (fromSlot > table.size()) {
      throw DomainException.invalid("page_token points to slot " + fromSlot + " but generation "
          + generation + " of " + config.name() + " has " + table.size() + "; send an empty page_token"
          + " to list from the start");
    }
    int d = config.dimension();
    List<RecordPage.Item> items = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    long bytes = 0;
    int slot = (int) fromSlot;
    for (; slot < table.size() && items.size() < maxRecords; slot++) {
      String id = table.idAt(slot);
      if (id == null) {
        continue;
      }
      Payload p = table.payload(id);
      long size = Limits.utf8Length(id) + Limits.utf8Length(p.text()) + Limits.utf8Length(p.metadataJson())
          + (vectors ? (config.keepsBaseVectors() ? 8L : 4L) * d : 0);
      if (!items.isEmpty() && bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      items.add(new RecordPage.Item(id, null, p));
      slots.add(slot);
    }
    while (slot < table.size() && table.idAt(slot) == null) {
      slot++;
    }
    if (vectors) {
      items = withVectors(index, table, d, items, slots);
    }
    return new Slice(items, slot < table.size() ? slot : -1);
  }

  /**
   * Reads the vectors of {@code slots} (ascending) with one FAISS call per run of nearby slots. Few
   * calls matter: an IVF index answers each by scanning all of its vectors. A run reads through
   * tombstones, but through no more of them than it holds live slots plus {@link
   * #VECTOR_RUN_SLACK}, so a page never reads much more than twice the vectors it returns.
   */
  private static List<RecordPage.Item> withVectors(FaissIndex index, SlotTable table, int d,
      List<RecordPage.Item> items, List<Integer> slots) {
    List<RecordPage.Item> out = new ArrayList<>(items.size());
    for (int start = 0; start < slots.size(); ) {
      int first = slots.get(start);
      int end = start + 1;
      while (end < slots.size() && slots.get(end) - first + 1 <= 2 * (end - start + 1) + VECTOR_RUN_SLACK) {
        end++;
      }
      float[] run = index.reconstructRange(first, slots.get(end - 1) - first + 1);
      for (int i = start; i < end; i++) {
        RecordPage.Item item = items.get(i);
        int at = (slots.get(i) - first) * d;
        out.add(new RecordPage.Item(item.id(), Arrays.copyOfRange(run, at, at + d), item.payload(),
            table.entry(item.id()).base()));
      }
      start = end;
    }
    return out;
  }
}
