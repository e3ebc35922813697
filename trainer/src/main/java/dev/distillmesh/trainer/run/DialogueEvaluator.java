package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.data.DialogueData;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.Evaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * Hits@1/K and Hits@5/K of the held-out contexts over each one's own K candidates, and Dist-n of
 * what the student returns for a sample of them: searched for in the served collection (what a
 * client gets), or, for a run that trains the response adapter (whose responses the collection
 * does not serve yet), the best of the run's response set under it.
 */
final class DialogueEvaluator implements Evaluator {
  private static final int DIST_CONTEXTS = 300;
  private static final int TEACHER_BATCH = 64;

  private final DialogueWorkspace workspace;
  private final TeacherOracle teacher;
  private final Retrieval collection;

  /** @param collection the served collection Dist-n is measured on; null: the run's response set */
  DialogueEvaluator(DialogueWorkspace workspace, TeacherOracle teacher, Retrieval collection) {
    this.workspace = workspace;
    this.teacher = teacher;
    this.collection = collection;
  }

  @Override
  public Evaluation student(QueryAdapter contextAdapter, QueryAdapter responseAdapter, long step) {
    float[][] heldOut = workspace.heldOut();
    float[][] candidates = served(responseAdapter, workspace.heldOutCandidates());
    List<DialogueData.Example> held = workspace.data().heldOut();
    int[] ranks = new int[heldOut.length];
    int k = 0;
    List<double[]> queries = new ArrayList<>(heldOut.length);
    for (int q = 0; q < heldOut.length; q++) {
      double[] u = contextAdapter.apply(heldOut[q]);
      queries.add(u);
      int[] cand = held.get(q).candidates();
      ranks[q] = Metrics.rank(ExactScorer.scores(u, candidates, cand), held.get(q).gold());
      k = Math.max(k, cand.length);
    }
    return DialogueMetrics.evaluation(step, ranks, k, returned(queries, responseAdapter), queries);
  }

  /** The response the student returns for each of the first {@value #DIST_CONTEXTS} held-out contexts. */
  private List<String> returned(List<double[]> queries, QueryAdapter responseAdapter) {
    List<double[]> sample = queries.subList(0, Math.min(DIST_CONTEXTS, queries.size()));
    List<String> returned = new ArrayList<>(sample.size());
    if (collection != null) {
      List<float[]> adapted = new ArrayList<>(sample.size());
      for (double[] u : sample) {
        float[] f = new float[u.length];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) u[i];
        }
        adapted.add(f);
      }
      for (var hits : collection.search(adapted, 1)) {
        if (!hits.isEmpty()) {
          returned.add(hits.get(0).text());
        }
      }
      return returned;
    }
    float[][] responses = served(responseAdapter, workspace.pool());
    for (double[] u : sample) {
      returned.add(workspace.responseText(ExactScorer.best(u, responses)));
    }
    return returned;
  }

  /** The teacher's Hits@1/K on the held-out examples (no Dist-n: it cannot search the response set). */
  @Override
  public Evaluation teacher() throws Exception {
    List<DialogueData.Example> held = workspace.data().heldOut();
    int[] ranks = new int[held.size()];
    int k = 0;
    for (int from = 0; from < held.size(); from += TEACHER_BATCH) {
      int to = Math.min(held.size(), from + TEACHER_BATCH);
      List<String> contexts = new ArrayList<>();
      List<List<String>> candidateTexts = new ArrayList<>();
      for (int q = from; q < to; q++) {
        List<String> texts = new ArrayList<>();
        for (int c : held.get(q).candidates()) {
          texts.add(workspace.data().candidateTexts().get(c));
        }
        contexts.add(held.get(q).context());
        candidateTexts.add(texts);
      }
      List<float[]> rows = teacher.scoreAll(contexts, candidateTexts);
      for (int q = from; q < to; q++) {
        float[] row = rows.get(q - from);
        ranks[q] = Metrics.rank(ExactScorer.widen(row), held.get(q).gold());
        k = Math.max(k, row.length);
      }
    }
    return DialogueMetrics.evaluation(0, ranks, k, null, null);
  }

  @Override
  public String headline() {
    return "Hits@1/K";
  }

  /** B·e of each embedding, or the embeddings themselves when B is null (already served). */
  private static float[][] served(QueryAdapter b, float[][] embeddings) {
    if (b == null) {
      return embeddings;
    }
    float[][] out = new float[embeddings.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.applyFloat(embeddings[i]);
    }
    return out;
  }
}
