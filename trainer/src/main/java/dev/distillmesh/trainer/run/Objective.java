package dev.distillmesh.trainer.run;

import java.util.List;

/**
 * What one objective makes of a batch: each question's candidates, the teacher's distribution over
 * them and the weights of the loss's terms. The step loop sums the {@link
 * dev.distillmesh.trainer.learn.ListwiseLoss} gradients of what this returns; an objective only
 * chooses. Implementations are used by the run's thread only.
 */
interface Objective {
  /**
   * @param step the step being built (seeds its random choices)
   * @return the step's examples; empty when the batch has nothing to learn
   */
  List<Example> examples(Batch batch, long step) throws Exception;
}
