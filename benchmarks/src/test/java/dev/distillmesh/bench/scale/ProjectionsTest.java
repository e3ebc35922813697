package dev.distillmesh.bench.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AdapterRules;
import dev.distillmesh.common.DomainException;
import org.junit.jupiter.api.Test;

class ProjectionsTest {
  @Test
  void noisyIdentityIsSeededNotTheIdentityAndWithinTheAdapterRules() {
    float[] b = Projections.noisyIdentity(384, 0.05, 7);
    assertArrayEquals(b, Projections.noisyIdentity(384, 0.05, 7));
    double fromIdentity = Projections.maxDifference(b, Projections.identity(384));
    assertTrue(fromIdentity > 0.001 && fromIdentity < 0.05, "max |B - I| " + fromIdentity);
    assertTrue(Projections.maxDifference(b, Projections.noisyIdentity(384, 0.05, 8)) > 0);
    AdapterRules.checkMatrix(b, 384); // what the index checks Reproject's matrix with
  }

  @Test
  void tooMuchNoiseIsRefusedBeforeItReachesTheService() {
    assertThrows(DomainException.class, () -> Projections.noisyIdentity(64, 3, 7));
  }

  @Test
  void identityAndDifference() {
    assertArrayEquals(new float[] {1, 0, 0, 1}, Projections.identity(2));
    assertEquals(0.5, Projections.maxDifference(new float[] {1, 0}, new float[] {0.5f, 0}));
    assertEquals(Double.POSITIVE_INFINITY, Projections.maxDifference(new float[1], new float[2]));
  }
}
