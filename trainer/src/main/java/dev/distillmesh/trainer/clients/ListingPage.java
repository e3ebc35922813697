package dev.distillmesh.trainer.clients;

import java.util.List;

/**
 * One page of a collection's live records, with their vectors.
 *
 * @param nextPageToken empty on the last page
 */
public record ListingPage(List<Passage> records, String nextPageToken) {
  public ListingPage {
    records = List.copyOf(records);
  }
}
