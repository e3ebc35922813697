package dev.distillmesh.common;

/**
 * What an adapter matrix must satisfy beyond its shape (the student's LoadAdapter, the index's
 * Reproject), so that no published adapter can wreck serving (the rules are the spec in {@code
 * student.proto}, LoadAdapter):
 *
 * <ul>
 *   <li>the version moves forward by 1..{@value #MAX_VERSION_STEP}, so a version such as
 *       {@code Long.MAX_VALUE} cannot leave no room for the next publish or rollback;
 *   <li>the description is at most {@value #MAX_DESCRIPTION_CHARS} characters;
 *   <li>the matrix {@code A} (d x d) has finite values, a scale {@code r = ||A||_F / sqrt(d)} in
 *       [1/{@value #MAX_SCALE}, {@value #MAX_SCALE}], and a symmetric part {@code (A + Aᵀ) / 2}
 *       whose smallest eigenvalue is at least {@code r / }{@value #MARGIN_DIVISOR}.
 * </ul>
 *
 * <p>Why the last rule: {@code eᵀ A e = eᵀ S e} for the symmetric part {@code S}, so a positive
 * definite {@code S} means every embedding keeps a positive inner product with its adapted self:
 * the adapter may stretch and turn directions by less than 90° but never collapse one (A is then
 * invertible: {@code A x = 0} would give {@code xᵀ A x = 0}) or turn it around. That refuses the
 * all-zero matrix, {@code -I} (every ranking reversed) and every singular matrix, while the
 * identity and trained adapters (which start at the identity and move a little) pass. It is
 * checked exactly by a Cholesky factorisation of {@code S - (r/100) I}, in doubles: d³/6
 * multiply-adds (about 10 ms for d = 384), once per LoadAdapter.
 */
public final class AdapterRules {
  public static final long MAX_VERSION_STEP = 1_000_000;
  public static final int MAX_DESCRIPTION_CHARS = 1024;
  public static final double MAX_SCALE = 16;
  public static final double MARGIN_DIVISOR = 100;

  private AdapterRules() {}

  /** @throws DomainException INVALID_ARGUMENT naming the broken rule */
  public static void checkVersionStep(long current, long version) {
    if (version > current && version - current > MAX_VERSION_STEP) {
      throw DomainException.invalid("adapter version " + version + " jumps more than " + MAX_VERSION_STEP
          + " past the current version " + current + "; publish a version in " + (current + 1) + ".."
          + (current + MAX_VERSION_STEP));
    }
  }

  public static void checkDescription(String description) {
    if (description.length() > MAX_DESCRIPTION_CHARS) {
      throw DomainException.invalid("adapter description is " + description.length() + " characters; allowed at most "
          + MAX_DESCRIPTION_CHARS);
    }
  }

  /** {@code matrix} row-major, {@code d * d} values (the caller has checked the length). */
  public static void checkMatrix(float[] matrix, int d) {
    for (int i = 0; i < matrix.length; i++) {
      float v = matrix[i];
      if (!Float.isFinite(v)) {
        throw DomainException.invalid("adapter value " + i + " (row " + i / d + ", col " + i % d + ") is " + v
            + "; every value must be finite");
      }
    }
    double scale = scale(matrix, d);
    if (!(scale >= 1 / MAX_SCALE && scale <= MAX_SCALE)) {
      throw DomainException.invalid(String.format(java.util.Locale.ROOT, "adapter scale ||A||_F / sqrt(d) is %.4g;"
          + " allowed %s..%s (the identity's is 1): scores would %s", scale, "1/" + (int) MAX_SCALE, (int) MAX_SCALE,
          scale > MAX_SCALE ? "grow out of proportion" : "shrink to nothing"));
    }
    double margin = scale / MARGIN_DIVISOR;
    if (!symmetricPartAtLeast(matrix, d, margin)) {
      throw DomainException.invalid(String.format(java.util.Locale.ROOT, "adapter's symmetric part (A + A^T) / 2 is"
          + " not positive definite with smallest eigenvalue >= %.4g (scale / %d): the matrix would collapse or"
          + " reverse some direction of the embedding space (e.g. an all-zero, singular or negated matrix);"
          + " see LoadAdapter in student.proto", margin, (int) MARGIN_DIVISOR));
    }
  }

  /**
   * Whether {@code matrix} (row-major d×d, finite) meets {@link #checkMatrix}'s rule on its
   * symmetric part: smallest eigenvalue at least its scale / {@value #MARGIN_DIVISOR}.
   */
  public static boolean meetsSymmetricMargin(float[] matrix, int d) {
    return symmetricPartAtLeast(matrix, d, scale(matrix, d) / MARGIN_DIVISOR);
  }

  /** {@code ||A||_F / sqrt(d)}: 1 for the identity. */
  private static double scale(float[] matrix, int d) {
    double sumSquares = 0;
    for (float v : matrix) {
      sumSquares += (double) v * v;
    }
    return Math.sqrt(sumSquares / d);
  }

  /** Whether {@code (A + Aᵀ)/2 - margin·I} is positive definite: its Cholesky factorisation succeeds. */
  private static boolean symmetricPartAtLeast(float[] a, int d, double margin) {
    // Lower triangle of S - margin*I, row-major; factorised in place into L (S = L Lᵀ).
    double[] l = new double[d * d];
    for (int r = 0; r < d; r++) {
      for (int c = 0; c <= r; c++) {
        l[r * d + c] = 0.5 * ((double) a[r * d + c] + a[c * d + r]) - (r == c ? margin : 0);
      }
    }
    for (int j = 0; j < d; j++) {
      double diag = l[j * d + j];
      int rowJ = j * d;
      for (int k = 0; k < j; k++) {
        diag -= l[rowJ + k] * l[rowJ + k];
      }
      if (!(diag > 0)) {
        return false;
      }
      double pivot = Math.sqrt(diag);
      l[rowJ + j] = pivot;
      for (int i = j + 1; i < d; i++) {
        int rowI = i * d;
        double s = l[rowI + j];
        for (int k = 0; k < j; k++) {
          s -= l[rowI + k] * l[rowJ + k];
        }
        l[rowI + j] = s / pivot;
      }
    }
    return true;
  }
}
