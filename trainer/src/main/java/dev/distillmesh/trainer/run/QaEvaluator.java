package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.Evaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * R@1, R@5, MRR@10 (and the student's conicity) of the held-out questions, measured through the
 * real search of the served collection: each question, adapted, is searched for as the student
 * would search it, and its gold passage's place in the top {@code candidates} is its rank (not
 * retrieved: a miss). The teacher is measured as a re-ranker of the untrained student's top K
 * ("teacher@K"); both report the ceiling, the share of questions whose gold is in that top K.
 */
final class QaEvaluator implements Evaluator {
  private static final int SEARCH_BATCH = 256;
  private static final int TEACHER_BATCH = 64;

  private final QaWorkspace workspace;
  private final TeacherOracle teacher;
  private final int k;

  /** @param k passages retrieved per question (hyper.candidates) */
  QaEvaluator(QaWorkspace workspace, TeacherOracle teacher, int k) {
    this.workspace = workspace;
    this.teacher = teacher;
    this.k = k;
  }

  @Override
  public Evaluation student(QueryAdapter contextAdapter, QueryAdapter responseAdapter, long step) {
    float[][] heldOut = workspace.heldOut();
    List<QaData.Question> held = workspace.data().heldOut();
    int[] ranks = new int[heldOut.length];
    List<double[]> queries = new ArrayList<>(heldOut.length);
    for (int from = 0; from < heldOut.length; from += SEARCH_BATCH) {
      int to = Math.min(heldOut.length, from + SEARCH_BATCH);
      List<float[]> adapted = new ArrayList<>(to - from);
      for (int q = from; q < to; q++) {
        double[] u = contextAdapter.apply(heldOut[q]);
        queries.add(u);
        adapted.add(toFloats(u));
      }
      List<List<Passage>> hits = workspace.collection().search(adapted, k);
      for (int q = from; q < to; q++) {
        int at = indexOf(hits.get(q - from), workspace.data().goldId(held.get(q)));
        ranks[q] = at < 0 ? Metrics.MISSED : at + 1;
      }
    }
    return Metrics.withinTopK(step, ranks, k, queries);
  }

  @Override
  public Evaluation teacher() throws Exception {
    float[][] heldOut = workspace.heldOut();
    List<QaData.Question> held = workspace.data().heldOut();
    QueryAdapter identity = QueryAdapter.identity(workspace.dim());
    int[] ranks = new int[heldOut.length];
    for (int from = 0; from < heldOut.length; from += TEACHER_BATCH) {
      int to = Math.min(heldOut.length, from + TEACHER_BATCH);
      List<float[]> queries = new ArrayList<>(to - from);
      List<String> texts = new ArrayList<>(to - from);
      for (int q = from; q < to; q++) {
        queries.add(identity.applyFloat(heldOut[q]));
        texts.add(held.get(q).text());
      }
      List<List<Passage>> hits = workspace.collection().search(queries, k);
      List<float[]> rows = teacher.scoreAll(texts, hits.stream().map(QaCandidates::texts).toList());
      for (int q = from; q < to; q++) {
        int at = indexOf(hits.get(q - from), workspace.data().goldId(held.get(q)));
        ranks[q] = at < 0 ? Metrics.MISSED : Metrics.rank(ExactScorer.widen(rows.get(q - from)), at);
      }
    }
    return Metrics.withinTopK(0, ranks, k, null);
  }

  @Override
  public String headline() {
    return "R@1";
  }

  private static int indexOf(List<Passage> hits, String id) {
    for (int i = 0; i < hits.size(); i++) {
      if (hits.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  private static float[] toFloats(double[] u) {
    float[] f = new float[u.length];
    for (int i = 0; i < u.length; i++) {
      f[i] = (float) u[i];
    }
    return f;
  }
}
