package dev.distillmesh.index.store;

import java.util.Objects;

/** A record to write: id, vector and payload (text plus a JSON object, possibly empty). */
public record RecordInput(String id, float[] vector, String text, String metadataJson) {
  public RecordInput {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vector, "vector");
    text = text == null ? "" : text;
    metadataJson = metadataJson == null ? "" : metadataJson;
  }

  public Payload payload() {
    return new Payload(text, metadataJson);
  }
}
