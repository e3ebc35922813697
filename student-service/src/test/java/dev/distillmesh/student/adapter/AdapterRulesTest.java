package dev.distillmesh.student.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AdapterRules;
import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LoadAdapter rules of {@link AdapterRules} on a real store of the encoder's dimension: each
 * matrix, version and description that would wreck serving is refused, the old adapter keeps
 * serving, and the identity and trained-like matrices pass.
 */
class AdapterRulesTest {
  private static final int DIM = 384;

  private static float[] diagonal(float v) {
    float[] m = new float[DIM * DIM];
    for (int i = 0; i < DIM; i++) {
      m[i * DIM + i] = v;
    }
    return m;
  }

  /** I + noise of the given size, seeded: what a few epochs of training make of the identity. */
  private static float[] trainedLike(double noise, long seed) {
    float[] m = diagonal(1);
    Random r = new Random(seed);
    for (int i = 0; i < m.length; i++) {
      m[i] += (float) (r.nextGaussian() * noise / Math.sqrt(DIM));
    }
    return m;
  }

  private static String refused(AdapterStore store, long version, float[] matrix, String description) {
    DomainException e = assertThrows(DomainException.class,
        () -> store.install("qa", version, DIM, DIM, matrix, description));
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, e.kind(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void matricesThatWreckServingAreRefused(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    assertTrue(refused(store, 1, diagonal(3e38f), "").contains("scale"), "3e38 diagonal");
    assertTrue(refused(store, 1, diagonal(0), "").contains("scale"), "all zeros");
    assertTrue(refused(store, 1, diagonal(-1), "").contains("not positive definite"), "-I reverses rankings");
    float[] singular = diagonal(1);
    singular[DIM * DIM - 1] = 0;
    assertTrue(refused(store, 1, singular, "").contains("not positive definite"), "a collapsed direction");
    float[] flipped = diagonal(1);
    flipped[7 * DIM + 7] = -1;
    assertTrue(refused(store, 1, flipped, "").contains("not positive definite"), "one direction reversed");
    float[] infinite = diagonal(1);
    infinite[3] = Float.POSITIVE_INFINITY;
    assertTrue(refused(store, 1, infinite, "").contains("must be finite"));
    assertEquals(0, store.current("qa").version(), "the identity keeps serving");
  }

  @Test
  void theIdentityScaledCopiesAndTrainedMatricesPass(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    store.install("qa", 1, DIM, DIM, diagonal(1), "identity");
    store.install("qa", 2, DIM, DIM, trainedLike(0.5, 7), "trained");
    store.install("qa", 3, DIM, DIM, diagonal(8), "sharper");
    store.install("qa", 4, DIM, DIM, diagonal(1), "rollback to the identity");
    assertEquals(4, store.current("qa").version());
  }

  @Test
  void theVersionStepAndTheDescriptionAreBounded(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    String m = refused(store, Long.MAX_VALUE, diagonal(1), "");
    assertTrue(m.contains("publish a version in 1..1000000"), m);
    store.install("qa", AdapterRules.MAX_VERSION_STEP, DIM, DIM, diagonal(1), "the largest step");
    assertTrue(refused(store, 2 * AdapterRules.MAX_VERSION_STEP + 1, diagonal(1), "").contains("jumps more than"));
    store.install("qa", AdapterRules.MAX_VERSION_STEP + 1, DIM, DIM, diagonal(1), "x".repeat(1024));
    m = refused(store, AdapterRules.MAX_VERSION_STEP + 2, diagonal(1), "x".repeat(10 << 20));
    assertTrue(m.contains("description is 10485760 characters; allowed at most 1024"), m);
    assertEquals(AdapterRules.MAX_VERSION_STEP + 1, store.current("qa").version());
  }
}
