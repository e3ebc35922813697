package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.Evaluation;

/**
 * Measures a run's task on its held-out examples: the student under given adapters, and the
 * teacher. Every student score is the {@link ExactScorer}'s. Used by the run's thread.
 */
interface Evaluator {
  /**
   * @param contextAdapter A
   * @param responseAdapter B when the workspace holds base response embeddings, null when it holds
   *     them as served
   */
  Evaluation student(QueryAdapter contextAdapter, QueryAdapter responseAdapter, long step);

  /** The teacher on the same held-out examples (step 0). */
  Evaluation teacher() throws Exception;

  /** "R@1" or "Hits@1/K": what {@code r_at_1} means for the task, for logs. */
  String headline();
}
