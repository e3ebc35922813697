package dev.distillmesh.trainer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.trainer.v1.Evaluation;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.proto.trainer.v1.NegativeMass;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.Progress;
import dev.distillmesh.proto.trainer.v1.Publish;
import dev.distillmesh.proto.trainer.v1.RunEvent;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.trainer.run.model.RunStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract's messages map to the domain types and back unchanged: GetRun and run.pb say what they said. */
class RunMessagesTest {
  private static Evaluation evaluation(int step) {
    return Evaluation.newBuilder().setStep(step).setQuestions(150).setRAt1(0.5 + step).setRAt5(0.7).setMrrAt10(0.6)
        .setConicity(0.3).setHitsAt1(0.5).setHitsAt5(0.7).setCandidates(20).setDist2(0.4).setDist3(0.6).build();
  }

  @Test
  void aRunRecordWithEveryFieldSetReadsBackTheSame() throws Exception {
    RunSpec spec = RunSpec.newBuilder().setName("n").setCollection("c").setPassages("p.jsonl").setQuestions("q.jsonl")
        .setSource(Source.TRAFFIC).setHoldout("fraction:0.2").setObjective(Objective.RDR).setTask(Task.DIALOGUE)
        .setDialogues("d.jsonl").setDialogueEval("e.jsonl").setTrainLimit(-1).setTrainResponseAdapter(true)
        .setHyper(Hyperparameters.newBuilder().setLearningRate(1e-3).setTeacherTemperature(0.01).setStudentScale(30)
            .setAlpha(0.25).setTopK(-2).setNegatives(9).setNegativeMass(NegativeMass.ZERO).setBatchSize(16)
            .setIdentityWeight(0.1).setMaxSteps(-3).setEpochs(2).setEvalEvery(7).setTau1(0.02).setTau2(0.04)
            .setSeed(-5).setGeneratedPerContext(3).setGenerateMinLength(4))
        .build();
    RunInfo info = RunInfo.newBuilder().setRunId("run-1").setSpec(spec).setState(RunState.STOPPED).setStep(40)
        .setMaxSteps(100).setStudentAtStart(evaluation(0)).setTeacher(evaluation(1)).setLatest(evaluation(40))
        .setBest(evaluation(30)).addPublishes(Publish.newBuilder().setStep(30).setVersion(4).setRAt1(0.6)
            .setAtUnixMs(123).setReason("improved").setResponseVersion(2).setIndexGeneration(5))
        .setMessage("stopped at step 40").setStartedAtUnixMs(99).setPairsPerSecond(1.5).setStepsPerSecond(0.5)
        .setResumed(2).setGeneratedResponses(11).build();
    ProtoRunStatusCodec codec = new ProtoRunStatusCodec();

    assertEquals(info, RunMessages.toProto(RunMessages.status(info)));
    assertEquals(info, RunInfo.parseFrom(codec.encode(codec.decode(info.toByteArray()))));
  }

  @Test
  void unsetFieldsStayUnset() {
    RunInfo info = RunInfo.newBuilder().setRunId("run-2").setSpec(RunSpec.getDefaultInstance())
        .setState(RunState.PREPARING).build();
    RunStatus status = RunMessages.status(info);
    assertNull(status.spec().source());
    assertNull(status.spec().objective());
    assertNull(status.latest());
    assertEquals(info, RunMessages.toProto(status));
  }

  @Test
  void aTaskTheContractDoesNotNameIsInvalid() {
    DomainException e = assertThrows(DomainException.class,
        () -> RunMessages.spec(RunSpec.newBuilder().setTaskValue(9).build()));
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, e.kind());
  }

  @Test
  void eventsCarryTheirPayload() {
    var progress = new dev.distillmesh.trainer.run.model.Progress(1.5, Map.of("kd", 1.0, "ce", 0.5, "identity", 0.0),
        10, 2, 3, 4);
    RunEvent e = RunMessages.toProto(new dev.distillmesh.trainer.run.model.RunEvent("run-3", 5, 77, progress));
    assertEquals(RunEvent.newBuilder().setRunId("run-3").setStep(5).setAtUnixMs(77).setProgress(Progress.newBuilder()
        .setLoss(1.5).putTerms("kd", 1.0).putTerms("ce", 0.5).putTerms("identity", 0.0).setPairsPerSecond(10)
        .setStepsPerSecond(2).setTrafficTaken(3).setTrafficDropped(4)).build(), e);
  }
}
