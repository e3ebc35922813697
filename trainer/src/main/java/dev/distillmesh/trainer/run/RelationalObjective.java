package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.learn.Distributions;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * RELATIONAL: the batch's questions against the batch's passages (each question's gold, or for
 * unlabeled traffic the teacher's best of the passages the student retrieves); the teacher's
 * in-batch distribution at temperature tau1 matched by the student's at tau2 (KL). A batch whose
 * questions all share one passage has nothing to learn.
 *
 * @param adapter the context adapter as it is now (it changes every step)
 */
record RelationalObjective(QaCandidates candidates, TeacherOracle teacher, Hyper hyper,
    Supplier<QueryAdapter> adapter) implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<Passage> positives = new ArrayList<>(candidates.golds(batch));
    if (positives.contains(null)) {
      List<List<Passage>> retrieved = candidates.retrieved(batch, adapter.get(), hyper.candidates());
      List<String> texts = new ArrayList<>();
      List<List<String>> asked = new ArrayList<>();
      List<Integer> who = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        if (positives.get(i) == null && !retrieved.get(i).isEmpty()) {
          texts.add(batch.texts().get(i));
          asked.add(QaCandidates.texts(retrieved.get(i)));
          who.add(i);
        }
      }
      List<float[]> rows = teacher.scoreAll(texts, asked);
      for (int f = 0; f < who.size(); f++) {
        List<Passage> hits = retrieved.get(who.get(f));
        positives.set(who.get(f), hits.get(QaCandidates.best(rows.get(f), hits.size())));
      }
    }
    List<Passage> inBatch = QaCandidates.union(positives);
    List<Example> out = new ArrayList<>(batch.size());
    if (inBatch.size() < 2) {
      return out;
    }
    List<String> texts = QaCandidates.texts(inBatch);
    List<float[]> rows = teacher.scoreAll(batch.texts(), java.util.Collections.nCopies(batch.size(), texts));
    float[][] vectors = QaCandidates.vectors(inBatch);
    int[] all = Candidates.all(inBatch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(new Example(batch.queries().get(i), all, vectors, Distributions.softmax(rows.get(i), hyper.tau1()), -1,
          1 / hyper.tau2(), 1, 0));
    }
    return out;
  }
}
