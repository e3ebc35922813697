package dev.distillmesh.student.adapter;

/**
 * A tower's trainable part: the square matrix {@code A} of {@code E = A·e}, applied to the
 * backbone's embedding {@code e}. Version 0 is the identity, so an untrained student is exactly
 * the pretrained backbone. The result is not re-normalised: scores are inner products of adapted
 * embeddings, as the trainer optimises them.
 *
 * <p>Immutable and thread-safe; the matrix is never exposed for writing.
 */
public final class Adapter {
  private final Tower tower;
  private final long version;
  private final int dimension;
  private final float[] matrix; // row-major dimension x dimension; null for the identity
  private final String description;
  private final long loadedAtMillis;

  private Adapter(Tower tower, long version, int dimension, float[] matrix, String description, long loadedAtMillis) {
    this.tower = tower;
    this.version = version;
    this.dimension = dimension;
    this.matrix = matrix;
    this.description = description;
    this.loadedAtMillis = loadedAtMillis;
  }

  /** Version 0: leaves embeddings as the backbone makes them. */
  public static Adapter identity(Tower tower, int dimension) {
    return new Adapter(tower, 0, dimension, null, "identity", 0);
  }

  /**
   * A trained adapter. {@code matrix} is row-major, {@code dimension²} finite floats; it is copied.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Adapter of(Tower tower, long version, int dimension, float[] matrix, String description,
      long loadedAtMillis) {
    if (version <= 0) {
      throw new IllegalArgumentException("adapter version must be positive (0 is the identity), got " + version);
    }
    if ((long) dimension * dimension != matrix.length) {
      throw new IllegalArgumentException("adapter for dimension " + dimension + " needs " + (long) dimension * dimension
          + " values (rows*cols), got " + matrix.length);
    }
    for (int i = 0; i < matrix.length; i++) {
      if (!Float.isFinite(matrix[i])) {
        throw new IllegalArgumentException("adapter value " + i + " (row " + i / dimension + ", col "
            + i % dimension + ") is " + matrix[i] + "; every value must be finite");
      }
    }
    return new Adapter(tower, version, dimension, matrix.clone(), description == null ? "" : description, loadedAtMillis);
  }

  /** {@code A·e} as a new array ({@code e} itself for the identity, which callers must not modify). */
  public float[] apply(float[] e) {
    if (matrix == null) {
      return e;
    }
    float[] out = new float[dimension];
    for (int r = 0; r < dimension; r++) {
      float acc = 0;
      int row = r * dimension;
      for (int c = 0; c < dimension; c++) {
        acc += matrix[row + c] * e[c];
      }
      out[r] = acc;
    }
    return out;
  }

  public Tower tower() {
    return tower;
  }

  public long version() {
    return version;
  }

  public int dimension() {
    return dimension;
  }

  public boolean isIdentity() {
    return matrix == null;
  }

  public String description() {
    return description;
  }

  public long loadedAtMillis() {
    return loadedAtMillis;
  }

  /** A copy of the matrix (row-major); the identity's is built on demand. */
  public float[] matrix() {
    if (matrix != null) {
      return matrix.clone();
    }
    float[] id = new float[dimension * dimension];
    for (int i = 0; i < dimension; i++) {
      id[i * dimension + i] = 1;
    }
    return id;
  }

  @Override
  public String toString() {
    return tower.label() + " adapter v" + version + " (" + dimension + "x" + dimension + ")";
  }
}
