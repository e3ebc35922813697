package dev.distillmesh.index.store;

import dev.distillmesh.index.faiss.FaissIndex;

/**
 * The vectors of one live record as a lookup returns them (include_vectors on Search and
 * GetPayloads): the served vector and, in a collection that keeps them, the base vector. Nothing is
 * copied to hold them: the served vector is read back from FAISS, which stores it anyway, and the
 * base vector is the slot table's one copy. An IVF index can only read a slot back by scanning
 * every list, so there a collection with base vectors recomputes P·base instead, which gives the
 * same floats ({@link Projection#apply} is deterministic).
 *
 * <p>Stateless; the caller holds its generation's lock (shared). The arrays returned may be shared
 * with the store: callers must not change them.
 */
final class RecordVectors {
  /** A record's served vector and its base vector (null without base vectors). */
  record Pair(float[] vector, float[] base) {}

  private RecordVectors() {}

  static Pair of(FaissIndex index, SlotTable.Entry entry, CollectionConfig config) {
    float[] served = entry.base() != null && index.kind() == FaissIndex.Kind.IVF
        ? config.projection().apply(entry.base())
        : index.reconstructRange(entry.slot(), 1);
    return new Pair(served, entry.base());
  }
}
