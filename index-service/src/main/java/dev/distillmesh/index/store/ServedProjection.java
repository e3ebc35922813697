package dev.distillmesh.index.store;

/** The projection a collection's serving generation was made with (GetProjection), and that generation. */
public record ServedProjection(String collection, int dimension, long generation, Projection projection) {
  /** The matrix row-major, the identity's written out: a fresh copy. */
  public float[] matrix() {
    return projection.matrixOf(dimension);
  }
}
