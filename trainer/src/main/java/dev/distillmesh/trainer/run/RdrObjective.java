package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.learn.Distributions;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * RDR (reader to retriever): the student's own top_k passages of the served collection under the
 * adapter being trained (its hard negatives), with {@code negatives} sampled from the collection,
 * re-scored by the teacher; KL(P_teacher || P_student) over them.
 *
 * @param adapter the context adapter as it is now (it changes every step)
 */
record RdrObjective(QaCandidates candidates, TeacherOracle teacher, Hyper hyper, Supplier<QueryAdapter> adapter)
    implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<List<Passage>> retrieved = candidates.retrieved(batch, adapter.get(), hyper.topK());
    List<List<Passage>> asked = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      asked.add(QaCandidates.union(retrieved.get(i), candidates.negatives(step, i)));
    }
    List<float[]> rows = teacher.scoreAll(batch.texts(), asked.stream().map(QaCandidates::texts).toList());
    List<Example> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      List<Passage> cand = asked.get(i);
      out.add(new Example(batch.queries().get(i), Candidates.all(cand.size()), QaCandidates.vectors(cand),
          Distributions.softmax(rows.get(i), hyper.teacherTemperature()), -1, hyper.studentScale(), 1, 0));
    }
    return out;
  }
}
