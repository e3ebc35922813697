package dev.distillmesh.trainer.clients;

import java.util.List;

/**
 * Queries the student served, taken out of its buffer.
 *
 * @param queries each item's question, or its dialogue turns joined by spaces (may be blank)
 * @param dropped items the student dropped since the last take because its buffer was full
 */
public record Traffic(List<String> queries, long dropped) {
  public Traffic {
    queries = List.copyOf(queries);
  }
}
