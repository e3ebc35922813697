package dev.distillmesh.trainer.run.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which evaluation is the best: R@1, a tie broken by R@5, then MRR@10. */
class EvaluationTest {
  private static Evaluation e(double r1, double r5, double mrr) {
    return new Evaluation(1, 100, r1, r5, mrr, 0, 0, 0, 50, 0, 0, 1);
  }

  @Test
  void r1DecidesThenR5ThenMrr() {
    assertTrue(e(0.6, 0.1, 0.1).betterThan(e(0.5, 0.9, 0.9)));
    assertTrue(e(0.5, 0.8, 0.1).betterThan(e(0.5, 0.7, 0.9)));
    assertTrue(e(0.5, 0.8, 0.7).betterThan(e(0.5, 0.8, 0.6)));
    assertFalse(e(0.5, 0.8, 0.7).betterThan(e(0.5, 0.8, 0.7)), "a full tie keeps the earlier best");
    assertFalse(e(0.4, 0.9, 0.9).betterThan(e(0.5, 0.1, 0.1)));
  }
}
