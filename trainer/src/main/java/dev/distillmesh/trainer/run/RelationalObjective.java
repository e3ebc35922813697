package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.Distributions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * RELATIONAL: the batch's questions against the batch's passages (each question's gold, or the
 * teacher's best); the teacher's in-batch distribution at temperature tau1 matched by the
 * student's at tau2 (KL). A batch whose questions all share one passage has nothing to learn.
 */
record RelationalObjective(QaWorkspace workspace, TeacherOracle teacher, Hyper hyper) implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<float[]> rows = teacher.rows(batch.texts(), workspace.passages());
    LinkedHashSet<Integer> inBatch = new LinkedHashSet<>();
    for (int i = 0; i < batch.size(); i++) {
      int gold = batch.golds().get(i);
      inBatch.add(gold >= 0 ? gold : Distributions.topK(rows.get(i), 1)[0]);
    }
    int[] cand = inBatch.stream().mapToInt(Integer::intValue).toArray();
    List<Example> out = new ArrayList<>(batch.size());
    if (cand.length < 2) {
      return out;
    }
    float[][] vectors = Candidates.rows(workspace.pool(), cand);
    for (int i = 0; i < batch.size(); i++) {
      out.add(new Example(batch.queries().get(i), cand, vectors,
          Distributions.softmax(Candidates.pick(rows.get(i), cand), hyper.tau1()), -1, 1 / hyper.tau2(), 1, 0));
    }
    return out;
  }
}
