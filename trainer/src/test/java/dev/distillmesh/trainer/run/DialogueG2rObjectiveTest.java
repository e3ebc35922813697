package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.trainer.data.DialogueData;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.learn.ListwiseLoss;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * G2R on dialogue pairs, on the {@link LearningProblem} read as contexts ("qI") and responses
 * ("pJ"), each context's gold response being the one the teacher prefers: with the response
 * adapter frozen, and trained.
 */
class DialogueG2rObjectiveTest {
  private static final Hyper HYPER = Hyper.of(ObjectiveKind.G2R, RunMessages.hyper(
      Hyperparameters.newBuilder().setLearningRate(0.02).setNegatives(5).build()));

  private static DialogueWorkspace workspace(LearningProblem problem, boolean base) {
    List<String> responses = new ArrayList<>();
    for (int j = 0; j < LearningProblem.PASSAGES; j++) {
      responses.add("p" + j);
    }
    List<DialogueData.Pair> train = new ArrayList<>();
    for (int i = 0; i < LearningProblem.QUESTIONS; i++) {
      train.add(new DialogueData.Pair("q" + i, problem.preferred[i]));
    }
    return new DialogueWorkspace(new DialogueData(train, responses, List.of(), List.of()), base, problem.pool,
        new float[0][], new float[0][], problem.questions, null);
  }

  /** The student's score of each context's preferred response, under A and (when not null) B. */
  private static double[] scores(LearningProblem problem, Adapters adapters) {
    double[] out = new double[LearningProblem.QUESTIONS];
    for (int i = 0; i < out.length; i++) {
      float[] p = problem.pool[problem.preferred[i]];
      out[i] = ListwiseLoss.dot(adapters.context().apply(problem.questions[i]),
          adapters.response() == null ? p : adapters.response().applyFloat(p));
    }
    return out;
  }

  private static void assertLearns(boolean trainResponse) throws Exception {
    LearningProblem problem = new LearningProblem(15);
    DialogueWorkspace workspace = workspace(problem, trainResponse);
    Adapters adapters = Adapters.identity(LearningProblem.DIM, HYPER.learningRate(), trainResponse);
    // generated_per_context is 0: the generator never calls the teacher or the student.
    ResponseGenerator none = new ResponseGenerator("test-run", "c", HYPER, workspace, null, null, n -> { });
    DialogueG2rObjective g2r = new DialogueG2rObjective(workspace, problem.teacher(), none, HYPER, adapters::response);

    double[] before = scores(problem, adapters);
    double first = Double.NaN;
    double last = Double.NaN;
    for (int s = 0; s < 60; s++) {
      double loss = adapters.step(g2r.examples(problem.batch, s), HYPER.identityWeight(), workspace.pool()).total();
      first = s == 0 ? loss : first;
      last = loss;
    }
    double[] after = scores(problem, adapters);
    for (int i = 0; i < before.length; i++) {
      assertTrue(after[i] > before[i] + 0.05, "context " + i + ": the score of the preferred response rises, "
          + before[i] + " -> " + after[i]);
    }
    assertTrue(last < 0.8 * first, "the loss falls: " + first + " -> " + last);
    if (trainResponse) {
      assertNotEquals(QueryAdapter.identity(LearningProblem.DIM).values()[1], adapters.response().values()[1],
          "the response adapter moved");
    }
  }

  @Test
  void theStudentLearnsTheGoldResponseWithTheResponseAdapterFrozen() throws Exception {
    assertLearns(false);
  }

  @Test
  void bothTowersLearnWhenTheRunTrainsTheResponseAdapter() throws Exception {
    assertLearns(true);
  }
}
