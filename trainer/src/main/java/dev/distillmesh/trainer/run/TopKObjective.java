package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.Distributions;
import java.util.ArrayList;
import java.util.List;

/**
 * TOPK: knowledge distillation on the teacher's top_k passages of the whole pool (0: all), its
 * distribution renormalised over them, plus alpha·CE on the gold passage when the question has one
 * (it joins the candidates if the teacher did not rank it that high).
 */
record TopKObjective(QaWorkspace workspace, TeacherOracle teacher, Hyper hyper) implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<float[]> rows = teacher.rows(batch.texts(), workspace.passages());
    List<Example> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      float[] row = rows.get(i);
      int[] cand = hyper.topK() == 0 ? Candidates.all(row.length) : Distributions.topK(row, hyper.topK());
      int gold = batch.golds().get(i);
      double wCe = gold >= 0 ? hyper.alpha() : 0;
      if (gold >= 0 && Candidates.indexOf(cand, gold) < 0 && wCe > 0) {
        cand = Candidates.append(cand, gold);
      }
      out.add(new Example(batch.queries().get(i), cand, Candidates.rows(workspace.pool(), cand),
          Distributions.softmax(Candidates.pick(row, cand), hyper.teacherTemperature()),
          gold >= 0 ? Candidates.indexOf(cand, gold) : -1, hyper.studentScale(), 1, wCe));
    }
    return out;
  }
}
