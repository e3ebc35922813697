package dev.distillmesh.index.store;

/** What a record carries besides its vector. Immutable. */
public record Payload(String text, String metadataJson) {
  public static final Payload EMPTY = new Payload("", "");
}
