package dev.distillmesh.trainer.learn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AdapterRules;
import dev.distillmesh.common.DomainException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QueryAdapterTest {
  private static final int D = 64;

  @Test
  void anAdapterThatMeetsTheRulesIsLeftAlone() {
    QueryAdapter a = QueryAdapter.identity(D);
    double[] before = a.values().clone();
    assertEquals(0, a.shiftIntoRules());
    assertEquals(before.length, a.values().length);
    for (int i = 0; i < before.length; i++) {
      assertEquals(before[i], a.values()[i]);
    }
  }

  @Test
  void anAdapterThatReversedADirectionIsShiftedBackJustEnoughToBePublishable() {
    // The identity with one direction collapsed and slightly reversed, plus noise: what a long run
    // at a large collection trained into, and what the student refused.
    Random rnd = new Random(7);
    double[] v = QueryAdapter.identity(D).values();
    for (int i = 0; i < v.length; i++) {
      v[i] += 0.01 * rnd.nextGaussian();
    }
    v[3 * D + 3] = -0.05;
    QueryAdapter a = QueryAdapter.of(D, v);
    assertThrows(DomainException.class, () -> AdapterRules.checkMatrix(a.toFloats(), D));

    double c = a.shiftIntoRules();

    assertTrue(c > 0.05 && c < 0.2, "the shift is about the reversed eigenvalue plus the margin, got " + c);
    assertDoesNotThrow(() -> AdapterRules.checkMatrix(a.toFloats(), D));
    // Smallest: a shift 1% smaller would not do.
    QueryAdapter smaller = QueryAdapter.of(D, v.clone());
    for (int i = 0; i < D; i++) {
      smaller.values()[i * D + i] -= 0.01 * c;
    }
    assertThrows(DomainException.class, () -> AdapterRules.checkMatrix(smaller.toFloats(), D));
  }
}
