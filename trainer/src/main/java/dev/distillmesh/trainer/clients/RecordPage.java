package dev.distillmesh.trainer.clients;

import java.util.List;

/**
 * One page of a collection's live records.
 *
 * @param lastSequence the collection's write sequence when the page was read
 * @param nextPageToken empty on the last page
 */
public record RecordPage(List<ListedRecord> records, long lastSequence, String nextPageToken) {
  public RecordPage {
    records = List.copyOf(records);
  }
}
