package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Held-out evaluation through a search of the collection: ranks within the top K, a gold passage
 * the search did not return is a miss, the ceiling is the share retrieved at all, and the teacher
 * re-ranks the same top K.
 */
class QaEvaluatorTest {
  /** Passage j is the unit vector e_j; question q's embedding points at passages 0..3 with falling weight. */
  private static float[] question(int... towards) {
    float[] v = new float[6];
    float w = 1;
    for (int t : towards) {
      v[t] = w;
      w /= 2;
    }
    return v;
  }

  @Test
  void theStudentIsRankedWithinItsTopKAndTheTeacherReRanksThem() throws Exception {
    float[][] pool = new float[6][];
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int j = 0; j < 6; j++) {
      pool[j] = new float[6];
      pool[j][j] = 1;
      ids.add("id" + j);
      texts.add("p" + j);
    }
    // Question 0's gold (id1) is the student's 2nd; question 1's (id0) its 1st; question 2's (id5)
    // is not in its top 3 at all.
    float[][] heldOut = {question(0, 1, 2), question(0, 3, 4), question(2, 3, 4)};
    List<QaData.Question> held = List.of(new QaData.Question("q0", 1), new QaData.Question("q1", 0),
        new QaData.Question("q2", 5));
    QaWorkspace workspace = new QaWorkspace(new QaData(ids, List.of(), held), heldOut, new float[0][], 6,
        new ExactRetrieval(ids, texts, pool));
    // The teacher knows every gold passage.
    TeacherOracle teacher = new TeacherOracle("test-run", (context, candidates) -> {
      int gold = held.get(Integer.parseInt(context.substring(1))).gold();
      float[] row = new float[candidates.size()];
      for (int c = 0; c < row.length; c++) {
        row[c] = candidates.get(c).equals("p" + gold) ? 1 : 0;
      }
      return CompletableFuture.completedFuture(row);
    }, () -> false, m -> { });
    QaEvaluator evaluator = new QaEvaluator(workspace, teacher, 3);

    Evaluation student = evaluator.student(QueryAdapter.identity(6), null, 0);
    assertEquals(3, student.questions());
    assertEquals(3, student.candidates());
    assertEquals(1.0 / 3, student.rAt1(), 1e-9, "only question 1's gold is first");
    assertEquals(2.0 / 3, student.rAt5(), 1e-9, "question 2's gold was not retrieved");
    assertEquals((0.5 + 1) / 3, student.mrrAt10(), 1e-9);
    assertEquals(2.0 / 3, student.ceiling(), 1e-9);
    assertTrue(student.conicity() > 0);

    Evaluation t = evaluator.teacher();
    assertEquals(2.0 / 3, t.rAt1(), 1e-9, "the teacher puts every retrieved gold first: teacher@K is the ceiling");
    assertEquals(student.ceiling(), t.ceiling(), 1e-9);
  }
}
