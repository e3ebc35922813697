package dev.distillmesh.index.store;

import java.util.List;

/**
 * One page of a collection's live records (see {@link Collection#listRecords}).
 *
 * @param nextPageToken where the next page starts; empty on the last page
 * @param generation the generation every record of the page was read from
 * @param lastSequence the collection's last sequence when the page was read: every write up to it
 *     is in the page's generation
 */
public record RecordPage(List<Item> records, String nextPageToken, long generation, long lastSequence) {
  /**
   * A live record; {@code vector} is null unless vectors were asked for, {@code baseVector} too,
   * and always in a collection without base vectors. The arrays must not be changed.
   */
  public record Item(String id, float[] vector, Payload payload, float[] baseVector) {
    public Item(String id, float[] vector, Payload payload) {
      this(id, vector, payload, null);
    }
  }
}
