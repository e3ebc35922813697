package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;
import org.junit.jupiter.api.Test;

class TopKObjectiveTest {
  @Test
  void theStudentLearnsThePassageTheTeacherPrefersFromItsTopK() throws Exception {
    LearningProblem problem = new LearningProblem(11);
    Hyper hyper = Hyper.of(ObjectiveKind.TOPK, RunMessages.hyper(
        Hyperparameters.newBuilder().setLearningRate(0.02).setTopK(4).setCandidates(4).setNegatives(2).build()));
    Adapters adapters = Adapters.identity(LearningProblem.DIM, hyper.learningRate(), false);
    TopKObjective topK = new TopKObjective(problem.candidates(hyper), problem.teacher(), hyper, adapters::context);

    problem.train(topK, adapters, hyper, 60).assertLearned();
    // The teacher is asked about each question's candidates only (the student's top 4, 2 sampled
    // negatives and the gold passage), and about each (question, passage) pair at most once: the
    // pairs it answered are remembered.
    assertTrue(problem.teacherCalls >= LearningProblem.QUESTIONS);
    assertTrue(problem.candidatesAsked <= LearningProblem.QUESTIONS * LearningProblem.PASSAGES, "asked about "
        + problem.candidatesAsked + " pairs in " + problem.teacherCalls + " requests");
    assertTrue(problem.teacherCalls < 60 * LearningProblem.QUESTIONS, problem.teacherCalls + " requests");
  }
}
