package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.learn.Distributions;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * G2R on dialogue pairs. Each context's positives are its gold response and, with
 * generated_per_context, the teacher's generated ones ({@link ResponseGenerator}); its negatives
 * are the batch's other positives and {@code negatives} random responses shared by the batch. For
 * each positive, alpha·CE of it against the negatives; and (1 − alpha)·KD toward the teacher's
 * distribution over positives and negatives (with negative_mass ZERO, over the positives only).
 * With alpha 1 the teacher is not asked to score.
 *
 * <p>When the run trains the response adapter B, candidates are served as B·e and every example
 * of the step sums its ∂L/∂p_j into one row per response ({@link Example#candidateGrad}), which
 * the step loop folds into ∂L/∂B.
 */
final class DialogueG2rObjective implements Objective {
  private final DialogueWorkspace workspace;
  private final TeacherOracle teacher;
  private final ResponseGenerator generator;
  private final Hyper hyper;
  private final Supplier<QueryAdapter> responseAdapter;

  /** @param responseAdapter B as it is now, or null (a supplier of null) when the run does not train it */
  DialogueG2rObjective(DialogueWorkspace workspace, TeacherOracle teacher, ResponseGenerator generator, Hyper hyper,
      Supplier<QueryAdapter> responseAdapter) {
    this.workspace = workspace;
    this.teacher = teacher;
    this.generator = generator;
    this.hyper = hyper;
    this.responseAdapter = responseAdapter;
  }

  @Override
  public List<Example> examples(Batch batch, long step) throws Exception {
    List<int[]> generated = generator.generated(batch.texts());
    List<int[]> positives = new ArrayList<>(batch.size());
    LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
    for (int i = 0; i < batch.size(); i++) {
      LinkedHashSet<Integer> p = new LinkedHashSet<>();
      p.add(batch.golds().get(i));
      if (generated != null) {
        for (int g : generated.get(i)) {
          p.add(g);
        }
      }
      positives.add(p.stream().mapToInt(Integer::intValue).toArray());
      chosen.addAll(p);
    }
    float[][] pool = workspace.pool();
    Random rnd = new Random(hyper.seed() * 31 + step);
    int wanted = Math.min(pool.length, chosen.size() + hyper.negatives());
    while (chosen.size() < wanted) {
      chosen.add(rnd.nextInt(pool.length));
    }
    // Served embeddings and gradient rows once per response of the step, shared by its examples.
    QueryAdapter b = responseAdapter.get();
    Map<Integer, float[]> vectors = new HashMap<>();
    Map<Integer, double[]> stepRows = b == null ? null : new HashMap<>();
    for (int c : chosen) {
      vectors.put(c, b == null ? pool[c] : b.applyFloat(pool[c]));
    }
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      int[] own = positives.get(i);
      int[] negatives = chosen.stream().mapToInt(Integer::intValue).filter(c -> Candidates.indexOf(own, c) < 0)
          .toArray();
      float[] query = batch.queries().get(i);
      if (hyper.alpha() > 0) {
        for (int positive : own) {
          int[] cand = new int[negatives.length + 1];
          cand[0] = positive;
          System.arraycopy(negatives, 0, cand, 1, negatives.length);
          out.add(new Example(query, cand, gather(cand, vectors), null, 0, hyper.studentScale(), 0, hyper.alpha(),
              rows(cand, stepRows)));
        }
      }
      if (hyper.alpha() < 1) {
        int[] cand = new int[own.length + negatives.length];
        System.arraycopy(own, 0, cand, 0, own.length);
        System.arraycopy(negatives, 0, cand, own.length, negatives.length);
        out.add(new Example(query, cand, gather(cand, vectors), target(batch.texts().get(i), cand, own.length), -1,
            hyper.studentScale(), 1 - hyper.alpha(), 0, rows(cand, stepRows)));
      }
    }
    return out;
  }

  /**
   * P_G over {@code cand}, whose first {@code positives} entries are the positives: the teacher's
   * softmax over all of them, or (negative_mass ZERO) over the positives only, zero elsewhere.
   */
  private double[] target(String context, int[] cand, int positives) throws Exception {
    int scored = hyper.scoreNegatives() ? cand.length : positives;
    double[] target = new double[cand.length];
    if (scored == 1) {
      target[0] = 1;
      return target;
    }
    List<String> texts = new ArrayList<>(scored);
    for (int j = 0; j < scored; j++) {
      texts.add(workspace.responseText(cand[j]));
    }
    double[] p = Distributions.softmax(teacher.score(context, texts), hyper.teacherTemperature());
    System.arraycopy(p, 0, target, 0, scored);
    return target;
  }

  private static float[][] gather(int[] cand, Map<Integer, float[]> vectors) {
    float[][] out = new float[cand.length][];
    for (int j = 0; j < cand.length; j++) {
      out[j] = vectors.get(cand[j]);
    }
    return out;
  }

  /** The step's ∂L/∂p rows for {@code cand}, or null when the response adapter is frozen. */
  private double[][] rows(int[] cand, Map<Integer, double[]> stepRows) {
    if (stepRows == null) {
      return null;
    }
    double[][] out = new double[cand.length][];
    for (int j = 0; j < cand.length; j++) {
      out[j] = stepRows.computeIfAbsent(cand[j], c -> new double[workspace.dim()]);
    }
    return out;
  }
}
