package dev.distillmesh.index.store;

import java.util.Objects;

/**
 * A record to write: id, vector, payload (text plus a JSON object, possibly empty) and, in a
 * collection that keeps base vectors, its base vector.
 *
 * @param vector the served vector; empty for a record written with a base vector (the store
 *     computes it as P·base with the generation's projection P)
 * @param baseVector null (or empty) in a collection without base vectors
 */
public record RecordInput(String id, float[] vector, String text, String metadataJson, float[] baseVector) {
  private static final float[] NONE = new float[0];

  public RecordInput {
    Objects.requireNonNull(id, "id");
    vector = vector == null ? NONE : vector;
    text = text == null ? "" : text;
    metadataJson = metadataJson == null ? "" : metadataJson;
    baseVector = baseVector == null || baseVector.length == 0 ? null : baseVector;
  }

  /** A record of a collection without base vectors. */
  public RecordInput(String id, float[] vector, String text, String metadataJson) {
    this(id, vector, text, metadataJson, null);
  }

  /** A record of a collection that keeps base vectors; the store computes its served vector. */
  public static RecordInput withBase(String id, float[] baseVector, String text, String metadataJson) {
    return new RecordInput(id, NONE, text, metadataJson, Objects.requireNonNull(baseVector, "baseVector"));
  }

  /** The same record with its served vector set. */
  RecordInput served(float[] servedVector) {
    return new RecordInput(id, servedVector, text, metadataJson, baseVector);
  }

  public Payload payload() {
    return new Payload(text, metadataJson);
  }
}
