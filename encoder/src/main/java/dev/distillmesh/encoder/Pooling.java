package dev.distillmesh.encoder;

/** How token vectors become one sentence vector. */
public enum Pooling {
  /** Average of the token vectors under the attention mask (sentence-transformers' default). */
  MEAN,
  /** The first token's vector ([CLS]), as bge models are trained. */
  CLS;

  /** Parses "mean" or "cls" (any case); the error names the allowed values. */
  public static Pooling parse(String value) {
    for (Pooling p : values()) {
      if (p.name().equalsIgnoreCase(value.strip())) {
        return p;
      }
    }
    throw new IllegalArgumentException("pooling must be \"mean\" or \"cls\", got \"" + value + "\"");
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
