package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.NegativeMass;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class G2rObjectiveTest {
  @Test
  void theStudentLearnsThePositiveAgainstSharedRandomNegatives() throws Exception {
    LearningProblem problem = new LearningProblem(14);
    Hyper hyper = Hyper.of(ObjectiveKind.G2R, RunMessages.hyper(
        Hyperparameters.newBuilder().setLearningRate(0.02).setNegatives(5).build()));
    Adapters adapters = Adapters.identity(LearningProblem.DIM, hyper.learningRate(), false);
    G2rObjective g2r = new G2rObjective(problem.candidates(hyper), problem.teacher(), hyper, adapters::context);

    List<Example> examples = g2r.examples(problem.batch, 0);
    for (int i = 0; i < examples.size(); i++) {
      assertSame(problem.pool[problem.preferred[i]], examples.get(i).vectors()[0], "the positive comes first");
    }
    problem.train(g2r, adapters, hyper, 60).assertLearned();
  }

  @Test
  void withNegativeMassZeroTheTargetIsAllOnThePositive() throws Exception {
    LearningProblem problem = new LearningProblem(14);
    Hyper hyper = Hyper.of(ObjectiveKind.G2R, RunMessages.hyper(
        Hyperparameters.newBuilder().setLearningRate(0.02).setNegatives(5)
        .setNegativeMass(NegativeMass.ZERO).build()));
    Adapters adapters = Adapters.identity(LearningProblem.DIM, hyper.learningRate(), false);
    G2rObjective g2r = new G2rObjective(problem.candidates(hyper), problem.teacher(), hyper, adapters::context);

    Example first = g2r.examples(problem.batch, 0).get(0);
    assertEquals(1.0, first.teacher()[0]);
    problem.train(g2r, adapters, hyper, 60).assertLearned();
  }
}
