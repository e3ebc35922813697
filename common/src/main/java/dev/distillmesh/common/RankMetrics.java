package dev.distillmesh.common;

/**
 * R@1, R@5 and MRR@10 over the 1-based ranks of the right answer, one per evaluated item: the one
 * definition the trainer's held-out evaluation and {@code student-cli eval} share, so that their
 * numbers can be compared. A rank below 1 (or past 10, for MRR@10) counts as not found. For
 * dialogue, where each item ranks its own K candidates, the same sums are Hits@1/K, Hits@5/K and
 * MRR.
 *
 * @param items the ranks counted
 */
public record RankMetrics(int items, double at1, double at5, double mrrAt10) {
  public static RankMetrics of(int[] ranks) {
    double at1 = 0;
    double at5 = 0;
    double mrr = 0;
    for (int r : ranks) {
      if (r >= 1) {
        at1 += r == 1 ? 1 : 0;
        at5 += r <= 5 ? 1 : 0;
        mrr += r <= 10 ? 1.0 / r : 0;
      }
    }
    int n = ranks.length;
    return n == 0 ? new RankMetrics(0, 0, 0, 0) : new RankMetrics(n, at1 / n, at5 / n, mrr / n);
  }
}
