package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelationalObjectiveTest {
  @Test
  void theStudentLearnsTheTeachersInBatchPreference() throws Exception {
    LearningProblem problem = new LearningProblem(13);
    Hyper hyper = Hyper.of(ObjectiveKind.RELATIONAL, RunMessages.hyper(
        Hyperparameters.newBuilder().setLearningRate(0.02).build()));
    Adapters adapters = Adapters.identity(LearningProblem.DIM, hyper.learningRate(), false);
    RelationalObjective relational = new RelationalObjective(problem.candidates(hyper), problem.teacher(), hyper,
        adapters::context);

    List<Example> examples = relational.examples(problem.batch, 0);
    // The candidates are the batch's passages: each question's gold, here the teacher's preferred.
    assertEquals(LearningProblem.QUESTIONS, examples.get(0).candidates().length);
    problem.train(relational, adapters, hyper, 60).assertLearned();
  }

  @Test
  void aBatchWhosePassagesAreOneHasNothingToLearn() throws Exception {
    LearningProblem problem = new LearningProblem(13);
    Hyper hyper = Hyper.of(ObjectiveKind.RELATIONAL, RunMessages.hyper(
        Hyperparameters.getDefaultInstance()));
    Batch one = new Batch(problem.batch.texts().subList(0, 1), problem.batch.queries().subList(0, 1),
        problem.batch.golds().subList(0, 1));
    assertTrue(new RelationalObjective(problem.candidates(hyper), problem.teacher(), hyper,
        () -> dev.distillmesh.trainer.learn.QueryAdapter.identity(LearningProblem.DIM)).examples(one, 0).isEmpty());
  }
}
