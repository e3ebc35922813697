package dev.distillmesh.trainer.run.model;

/**
 * The student (or the teacher) on a run's held-out examples at one step (the contract's {@code
 * Evaluation}). For QA runs r@k and MRR rank the gold passage within the top {@code candidates}
 * the student retrieves from the served collection, and {@code ceiling} is the share of questions
 * whose gold is in that top K at all; for DIALOGUE runs they are over each example's own
 * candidates, and equal the hits. Fields a task does not measure are 0. Immutable.
 */
public record Evaluation(long step, int questions, double rAt1, double rAt5, double mrrAt10, double conicity,
    double hitsAt1, double hitsAt5, int candidates, double dist2, double dist3, double ceiling)
    implements RunEvent.Payload {

  /**
   * Whether this evaluation ranks above {@code other}: by R@1 (a dialogue run's Hits@1), a tie
   * broken by R@5 (Hits@5), then by MRR@10. Equal on all three is not better, so the earlier stays
   * the best.
   */
  public boolean betterThan(Evaluation other) {
    if (rAt1 != other.rAt1) {
      return rAt1 > other.rAt1;
    }
    if (rAt5 != other.rAt5) {
      return rAt5 > other.rAt5;
    }
    return mrrAt10 > other.mrrAt10;
  }
}
