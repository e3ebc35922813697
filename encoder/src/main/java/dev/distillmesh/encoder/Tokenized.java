package dev.distillmesh.encoder;

/**
 * One text as word-piece ids, ready for the model. Immutable once built (the arrays are not
 * copied: nobody writes them after {@link OnnxEncoder#tokenize}).
 *
 * @param ids word-piece ids, special tokens included
 * @param typeIds segment ids (all 0 for a single text)
 * @param truncated whether the text was cut at the model's maximum length
 */
public record Tokenized(long[] ids, long[] typeIds, boolean truncated) {
  /** Word pieces, special tokens included. */
  public int tokens() {
    return ids.length;
  }
}
