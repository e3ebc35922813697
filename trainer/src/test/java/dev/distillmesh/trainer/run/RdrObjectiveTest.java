package dev.distillmesh.trainer.run;

import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;
import org.junit.jupiter.api.Test;

class RdrObjectiveTest {
  @Test
  void theStudentLearnsThePassageTheTeacherPrefersAmongItsOwnTopK() throws Exception {
    LearningProblem problem = new LearningProblem(12);
    // Every passage is among the student's own top_k, so the teacher's preferred one, which the
    // untrained student ranks low, is re-scored from the first step.
    Hyper hyper = Hyper.of(ObjectiveKind.RDR, RunMessages.hyper(
        Hyperparameters.newBuilder().setLearningRate(0.02)
        .setTopK(LearningProblem.PASSAGES).setCandidates(LearningProblem.PASSAGES).build()));
    Adapters adapters = Adapters.identity(LearningProblem.DIM, hyper.learningRate(), false);
    RdrObjective rdr = new RdrObjective(problem.candidates(hyper), problem.teacher(), hyper, adapters::context);

    problem.train(rdr, adapters, hyper, 60).assertLearned();
  }
}
