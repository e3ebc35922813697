package dev.distillmesh.index.store;

import dev.distillmesh.common.AdapterRules;
import dev.distillmesh.common.DomainException;

/**
 * The matrix P a generation of a collection that keeps base vectors serves its records with: each
 * record's served vector is {@code P·base}. The identity (no matrix) until the first Reproject.
 * Immutable; {@code matrix} is row-major d x d and never changed after construction.
 *
 * @param matrix null for the identity
 * @param version 0 for the identity, else the version the Reproject gave it
 * @param projectedAtMillis when the Reproject ran, milliseconds since the epoch; 0 for the identity
 */
public record Projection(float[] matrix, long version, String description, long projectedAtMillis) {
  public static final Projection IDENTITY = new Projection(null, 0, "", 0);

  public Projection {
    description = description == null ? "" : description;
  }

  public boolean isIdentity() {
    return matrix == null;
  }

  /**
   * Checks a Reproject's matrix against a collection of dimension {@code d} currently served with
   * {@code current}, and returns the projection it asks for. The same rules as a student's
   * LoadAdapter ({@link AdapterRules}).
   *
   * @throws DomainException INVALID_ARGUMENT for a bad shape, matrix, description or version
   *     step; FAILED_PRECONDITION for a version not above the current one
   */
  static Projection checked(int d, Projection current, int rows, int cols, float[] values, long version,
      String description, long nowMillis) {
    if (rows != d || cols != d) {
      throw DomainException.invalid("matrix is " + rows + " x " + cols + "; this collection's dimension is " + d
          + ", so rows and cols must both be " + d);
    }
    if (values.length != rows * cols) {
      throw DomainException.invalid("values holds " + values.length + " floats; a " + rows + " x " + cols
          + " matrix needs rows * cols = " + rows * cols);
    }
    checkVersion(current, version);
    AdapterRules.checkDescription(description);
    AdapterRules.checkMatrix(values, d);
    return new Projection(values.clone(), version, description, nowMillis);
  }

  /** The version rules: above the current one (FAILED_PRECONDITION), by at most the step (INVALID_ARGUMENT). */
  static void checkVersion(Projection current, long version) {
    if (version <= current.version()) {
      throw DomainException.precondition("projection version " + version + " is not greater than the collection's"
          + " current projection_version " + current.version() + "; send a version in " + (current.version() + 1)
          + ".." + (current.version() + AdapterRules.MAX_VERSION_STEP));
    }
    AdapterRules.checkVersionStep(current.version(), version);
  }

  /**
   * {@code P·base}; for the identity, {@code base} itself (shared: vectors are never changed once
   * made). Deterministic: the same base always gives the same floats, so a vector recomputed from
   * its base (log replay, a lookup) is the one that was served.
   */
  float[] apply(float[] base) {
    if (matrix == null) {
      return base;
    }
    int d = base.length;
    float[] out = new float[d];
    for (int r = 0; r < d; r++) {
      int row = r * d;
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      int c = 0;
      for (; c + 3 < d; c += 4) {
        s0 += (double) matrix[row + c] * base[c];
        s1 += (double) matrix[row + c + 1] * base[c + 1];
        s2 += (double) matrix[row + c + 2] * base[c + 2];
        s3 += (double) matrix[row + c + 3] * base[c + 3];
      }
      for (; c < d; c++) {
        s0 += (double) matrix[row + c] * base[c];
      }
      out[r] = (float) ((s0 + s1) + (s2 + s3));
    }
    return out;
  }

  /**
   * The served vector of a record, checked to stay within {@link Limits#MAX_COMPONENT} (a base
   * vector within range can leave it under a matrix of scale up to 16).
   *
   * @param where names the record in the message, e.g. {@code records[3] (id "a")}
   */
  float[] project(float[] base, String where) {
    float[] out = apply(base);
    if (matrix != null) {
      for (int j = 0; j < out.length; j++) {
        if (!(Math.abs(out[j]) <= Limits.MAX_COMPONENT)) {
          throw DomainException.invalid(where + ": its projected vector's component " + j + " is " + out[j]
              + " under projection version " + version + "; served components must be within -1e6..1e6 (as in"
              + " Upsert), so this base vector cannot be served with this matrix");
        }
      }
    }
    return out;
  }

  /** The matrix, row-major; the identity's written out for a dimension {@code d}. */
  float[] matrixOf(int d) {
    if (matrix != null) {
      return matrix.clone();
    }
    float[] identity = new float[d * d];
    for (int i = 0; i < d; i++) {
      identity[i * d + i] = 1f;
    }
    return identity;
  }
}
