package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.Distributions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * G2R on a QA run (model-level): each question's positive (its gold passage, or the teacher's best
 * for unlabeled traffic) against {@code negatives} random passages shared by the batch;
 * alpha·CE on the positive plus (1 − alpha)·KD toward the teacher's distribution over the same
 * candidates, or (negative_mass ZERO) toward all mass on the positive.
 */
record G2rObjective(QaWorkspace workspace, TeacherOracle teacher, Hyper hyper) implements Objective {

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<float[]> rows = teacher.rows(batch.texts(), workspace.passages());
    int poolSize = workspace.pool().length;
    Random rnd = new Random(hyper.seed() * 31 + step);
    LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
    int[] negatives = new int[Math.min(hyper.negatives(), poolSize - 1)];
    while (chosen.size() < negatives.length) {
      chosen.add(rnd.nextInt(poolSize));
    }
    int k = 0;
    for (int c : chosen) {
      negatives[k++] = c;
    }
    List<Example> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      float[] row = rows.get(i);
      int gold = batch.golds().get(i);
      int positive = gold >= 0 ? gold : Distributions.topK(row, 1)[0];
      int[] cand = new int[negatives.length + 1];
      cand[0] = positive;
      int c = 1;
      for (int neg : negatives) {
        if (neg != positive && c < cand.length) {
          cand[c++] = neg;
        }
      }
      cand = Arrays.copyOf(cand, c);
      double[] target;
      if (hyper.scoreNegatives()) {
        target = Distributions.softmax(Candidates.pick(row, cand), hyper.teacherTemperature());
      } else {
        target = new double[cand.length];
        target[0] = 1;
      }
      out.add(new Example(batch.queries().get(i), cand, Candidates.rows(workspace.pool(), cand), target, 0,
          hyper.studentScale(), 1 - hyper.alpha(), hyper.alpha()));
    }
    return out;
  }
}
