package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.learn.Distributions;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * TOPK: knowledge distillation over the teacher's ranking of each question's candidates (the
 * {@code candidates} passages the student retrieves under the adapter being trained, plus
 * {@code negatives} sampled from the collection): its distribution over its top_k of them (0:
 * all), renormalised, plus alpha·CE on the gold passage when the question has one (it joins the
 * candidates if the search and the teacher did not bring it).
 *
 * @param adapter the context adapter as it is now (it changes every step)
 */
record TopKObjective(QaCandidates candidates, TeacherOracle teacher, Hyper hyper, Supplier<QueryAdapter> adapter)
    implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<List<Passage>> retrieved = candidates.retrieved(batch, adapter.get(), hyper.candidates());
    List<Passage> golds = candidates.golds(batch);
    List<List<Passage>> asked = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      asked.add(QaCandidates.union(retrieved.get(i), candidates.negatives(step, i),
          golds.get(i) == null ? List.of() : List.of(golds.get(i))));
    }
    List<float[]> rows = teacher.scoreAll(batch.texts(), asked.stream().map(QaCandidates::texts).toList());
    List<Example> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      float[] row = rows.get(i);
      int[] keep = hyper.topK() == 0 || hyper.topK() >= row.length ? Candidates.all(row.length)
          : Distributions.topK(row, hyper.topK());
      int gold = QaCandidates.indexOf(asked.get(i), golds.get(i));
      double wCe = gold >= 0 ? hyper.alpha() : 0;
      if (gold >= 0 && wCe > 0 && Candidates.indexOf(keep, gold) < 0) {
        keep = Candidates.append(keep, gold);
      }
      out.add(new Example(batch.queries().get(i), keep, Candidates.rows(QaCandidates.vectors(asked.get(i)), keep),
          Distributions.softmax(Candidates.pick(row, keep), hyper.teacherTemperature()),
          gold >= 0 ? Candidates.indexOf(keep, gold) : -1, hyper.studentScale(), 1, wCe));
    }
    return out;
  }
}
