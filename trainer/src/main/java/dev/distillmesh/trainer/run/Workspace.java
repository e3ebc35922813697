package dev.distillmesh.trainer.run;

import java.util.List;

/**
 * A run's data after preparation: the training examples with their base embeddings, the held-out
 * ones, and the candidate pool, per task. The step loop, the batch sources and priming see only
 * this; each task's objectives and evaluator take their own workspace type. Owned by the run's
 * thread.
 */
sealed interface Workspace permits QaWorkspace, DialogueWorkspace {
  /** The candidate pool as the index serves it, one row per candidate. */
  float[][] pool();

  /** The labelled training examples' base embeddings (none for a TRAFFIC run). */
  float[][] train();

  /** The embedding dimension. */
  default int dim() {
    return pool()[0].length;
  }

  /** Labelled training examples (0 for a TRAFFIC run, which has none). */
  default int trainSize() {
    return train().length;
  }

  /** Training example {@code i}: its base embedding. */
  default float[] trainQuery(int i) {
    return train()[i];
  }

  /** Training example {@code i}: what the teacher reads. */
  String trainText(int i);

  /** Training example {@code i}: its gold candidate in the pool. */
  int trainGold(int i);

  /** What the teacher reads once before training (see {@link TeacherOracle#prime}), and what they are. */
  List<String> primeTexts();

  String primeDescription();
}
