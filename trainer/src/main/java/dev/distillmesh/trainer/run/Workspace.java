package dev.distillmesh.trainer.run;

import java.util.List;

/**
 * A run's data after preparation: the training examples with their base embeddings and the
 * held-out ones, per task. The step loop, the batch sources and priming see only this; each
 * task's objectives and evaluator take their own workspace type. Owned by the run's thread.
 */
sealed interface Workspace permits QaWorkspace, DialogueWorkspace {
  /** The labelled training examples' base embeddings (none for a TRAFFIC run). */
  float[][] train();

  /** The embedding dimension. */
  int dim();

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

  /** Training example {@code i}: its gold candidate (QA: an index into the gold ids; DIALOGUE: into the pool). */
  int trainGold(int i);

  /** What the teacher reads once before training (see {@link TeacherOracle#prime}), and what they are. */
  List<String> primeTexts();

  String primeDescription();
}
