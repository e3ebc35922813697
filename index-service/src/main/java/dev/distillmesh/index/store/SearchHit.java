package dev.distillmesh.index.store;

/**
 * One search result; payload is null unless requested, the vectors null unless requested (and the
 * base vector null in a collection without base vectors). The arrays must not be changed.
 */
public record SearchHit(String id, float score, Payload payload, float[] vector, float[] baseVector) {
  public SearchHit(String id, float score, Payload payload) {
    this(id, score, payload, null, null);
  }
}
