package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.Distributions;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * RDR (reader to retriever): the student's own top_k passages under the adapter being trained
 * (its hard negatives), re-scored by the teacher; KL(P_teacher || P_student) over them.
 *
 * @param adapter the context adapter as it is now (it changes every step)
 */
record RdrObjective(QaWorkspace workspace, TeacherOracle teacher, Hyper hyper, Supplier<QueryAdapter> adapter)
    implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    QueryAdapter a = adapter.get();
    List<int[]> cands = new ArrayList<>(batch.size());
    List<List<String>> candidateTexts = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      int[] cand = Distributions.topK(ExactScorer.scores(a.apply(batch.queries().get(i)), workspace.pool()),
          hyper.topK());
      cands.add(cand);
      List<String> texts = new ArrayList<>(cand.length);
      for (int c : cand) {
        texts.add(workspace.passages().get(c));
      }
      candidateTexts.add(texts);
    }
    List<float[]> rows = teacher.scoreAll(batch.texts(), candidateTexts);
    List<Example> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(new Example(batch.queries().get(i), cands.get(i), Candidates.rows(workspace.pool(), cands.get(i)),
          Distributions.softmax(rows.get(i), hyper.teacherTemperature()), -1, hyper.studentScale(), 1, 0));
    }
    return out;
  }
}
