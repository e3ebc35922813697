package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.Evaluation;
import java.util.ArrayList;
import java.util.List;

/** R@1, R@5, MRR@10 (and the student's conicity) of the held-out questions over the whole passage pool. */
final class QaEvaluator implements Evaluator {
  private static final int TEACHER_BATCH = 64;

  private final QaWorkspace workspace;
  private final TeacherOracle teacher;

  QaEvaluator(QaWorkspace workspace, TeacherOracle teacher) {
    this.workspace = workspace;
    this.teacher = teacher;
  }

  @Override
  public Evaluation student(QueryAdapter contextAdapter, QueryAdapter responseAdapter, long step) {
    float[][] heldOut = workspace.heldOut();
    int[] ranks = new int[heldOut.length];
    List<double[]> queries = new ArrayList<>(heldOut.length);
    for (int q = 0; q < heldOut.length; q++) {
      double[] u = contextAdapter.apply(heldOut[q]);
      queries.add(u);
      ranks[q] = Metrics.rank(ExactScorer.scores(u, workspace.pool()), workspace.data().heldOut().get(q).gold());
    }
    return Metrics.evaluation(step, ranks, queries);
  }

  @Override
  public Evaluation teacher() throws Exception {
    List<String> questions = workspace.data().heldOut().stream().map(QaData.Question::text).toList();
    List<float[]> rows = new ArrayList<>();
    for (int from = 0; from < questions.size(); from += TEACHER_BATCH) {
      rows.addAll(teacher.rows(questions.subList(from, Math.min(questions.size(), from + TEACHER_BATCH)),
          workspace.passages()));
    }
    int[] ranks = new int[rows.size()];
    for (int q = 0; q < ranks.length; q++) {
      ranks[q] = Metrics.rank(ExactScorer.widen(rows.get(q)), workspace.data().heldOut().get(q).gold());
    }
    return Metrics.evaluation(0, ranks, null);
  }

  @Override
  public String headline() {
    return "R@1";
  }
}
