package dev.distillmesh.trainer.run;

/**
 * One question's part of a step: what {@link dev.distillmesh.trainer.learn.ListwiseLoss} needs.
 *
 * @param query the question's base embedding
 * @param candidates indices into the task's pool (passages or responses)
 * @param vectors the candidates' served embeddings
 * @param teacher P_T over the candidates, or null when {@code wKd} is 0
 * @param gold the gold candidate's position in {@code candidates}, or -1
 * @param candidateGrad where ∂L/∂p_j is summed: row j is the step's row of candidate j, shared by
 *     every example of the step that has that candidate; null when the response adapter is frozen
 */
record Example(float[] query, int[] candidates, float[][] vectors, double[] teacher, int gold, double scale,
    double wKd, double wCe, double[][] candidateGrad) {

  Example(float[] query, int[] candidates, float[][] vectors, double[] teacher, int gold, double scale, double wKd,
      double wCe) {
    this(query, candidates, vectors, teacher, gold, scale, wKd, wCe, null);
  }
}
