package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;
import org.junit.jupiter.api.Test;

class TopKObjectiveTest {
  @Test
  void theStudentLearnsThePassageTheTeacherPrefersFromItsTopK() throws Exception {
    LearningProblem problem = new LearningProblem(11);
    Hyper hyper = Hyper.of(ObjectiveKind.TOPK, RunMessages.hyper(
        Hyperparameters.newBuilder().setLearningRate(0.02).setTopK(4).build()));
    Adapters adapters = Adapters.identity(LearningProblem.DIM, hyper.learningRate(), false);
    TopKObjective topK = new TopKObjective(problem.workspace, problem.teacher(), hyper);

    problem.train(topK, adapters, hyper, 60).assertLearned();
    // Whole-pool rows are cached per question: the teacher read each question once.
    assertEquals(LearningProblem.QUESTIONS, problem.teacherCalls);
  }
}
