package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RankMetricsTest {
  @Test
  void ranksGiveRecallAndMrrAndNotFoundCountsAsZero() {
    RankMetrics m = RankMetrics.of(new int[] {1, 3, 0, 12, Integer.MAX_VALUE});
    assertEquals(5, m.items());
    assertEquals(0.2, m.at1(), 1e-12);
    assertEquals(0.4, m.at5(), 1e-12);
    assertEquals((1 + 1.0 / 3) / 5, m.mrrAt10(), 1e-12);
    assertEquals(new RankMetrics(0, 0, 0, 0), RankMetrics.of(new int[0]));
  }
}
