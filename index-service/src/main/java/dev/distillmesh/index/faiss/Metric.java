package dev.distillmesh.index.faiss;

/** How FAISS compares vectors. The native code receives {@link #nativeCode()}. */
public enum Metric {
  /** Larger is better; cosine similarity for unit vectors. */
  INNER_PRODUCT(0),
  /** Squared Euclidean distance; smaller is better. */
  L2(1);

  private final int nativeCode;

  Metric(int nativeCode) {
    this.nativeCode = nativeCode;
  }

  int nativeCode() {
    return nativeCode;
  }

  /** True when a larger score is a better match. */
  public boolean higherIsBetter() {
    return this == INNER_PRODUCT;
  }
}
