package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.learn.Distributions;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * G2R on a QA run (model-level): each question's positive (its gold passage, or for unlabeled
 * traffic the teacher's best of the passages the student retrieves) against {@code negatives}
 * passages sampled from the collection and shared by the batch; alpha·CE on the positive plus
 * (1 − alpha)·KD toward the teacher's distribution over the same candidates, or (negative_mass
 * ZERO) toward all mass on the positive.
 *
 * @param adapter the context adapter as it is now (it changes every step)
 */
record G2rObjective(QaCandidates candidates, TeacherOracle teacher, Hyper hyper, Supplier<QueryAdapter> adapter)
    implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<Passage> golds = candidates.golds(batch);
    List<Passage> negatives = candidates.negatives(step, -1);
    boolean unlabelled = golds.stream().anyMatch(g -> g == null);
    List<List<Passage>> retrieved = unlabelled ? candidates.retrieved(batch, adapter.get(), hyper.candidates()) : null;
    // What the teacher reads per question: its positive's candidates first (the gold, or the
    // retrieved passages it picks the positive from), then the shared negatives.
    List<List<Passage>> asked = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      List<Passage> first = golds.get(i) != null ? List.of(golds.get(i)) : retrieved.get(i);
      asked.add(QaCandidates.union(first, negatives));
    }
    List<float[]> rows = teacher.scoreAll(batch.texts(), asked.stream().map(QaCandidates::texts).toList());
    List<Example> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      List<Passage> cand = asked.get(i);
      float[] row = rows.get(i);
      int positive = golds.get(i) != null ? 0 : QaCandidates.best(row, retrieved.get(i).size());
      int[] keep = new int[1 + negatives.size()];
      keep[0] = positive;
      int c = 1;
      for (Passage n : negatives) {
        int at = QaCandidates.indexOf(cand, n);
        if (at != positive) {
          keep[c++] = at;
        }
      }
      keep = java.util.Arrays.copyOf(keep, c);
      double[] target;
      if (hyper.scoreNegatives()) {
        target = Distributions.softmax(Candidates.pick(row, keep), hyper.teacherTemperature());
      } else {
        target = new double[keep.length];
        target[0] = 1;
      }
      out.add(new Example(batch.queries().get(i), keep, Candidates.rows(QaCandidates.vectors(cand), keep), target, 0,
          hyper.studentScale(), 1 - hyper.alpha(), hyper.alpha()));
    }
    return out;
  }
}
