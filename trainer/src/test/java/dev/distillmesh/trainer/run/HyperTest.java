package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.trainer.v1.Hyperparameters;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.run.model.RunSpec.ObjectiveKind;
import org.junit.jupiter.api.Test;

/** The defaults and ranges of the settings that bound a QA run's candidates. */
class HyperTest {
  private static Hyper of(ObjectiveKind objective, Hyperparameters.Builder h) {
    return Hyper.of(objective, RunMessages.hyper(h.build()));
  }

  private static String refused(ObjectiveKind objective, Hyperparameters.Builder h) {
    DomainException e = assertThrows(DomainException.class, () -> of(objective, h));
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, e.kind());
    return e.getMessage();
  }

  @Test
  void candidateSettingsHaveDefaultsThatDoNotDependOnTheCollection() {
    Hyper topK = of(ObjectiveKind.TOPK, Hyperparameters.newBuilder());
    assertEquals(50, topK.candidates());
    assertEquals(0, topK.efSearch());
    assertEquals(8, topK.negatives());
    assertEquals(0, topK.topK(), "TOPK keeps every candidate the teacher judged");
    assertEquals(32, of(ObjectiveKind.G2R, Hyperparameters.newBuilder()).negatives());
    assertEquals(16, of(ObjectiveKind.RDR, Hyperparameters.newBuilder()).topK());
    assertEquals(10, of(ObjectiveKind.RDR, Hyperparameters.newBuilder().setCandidates(10)).topK(),
        "RDR's default top_k stays within the candidates");
  }

  @Test
  void outOfRangeCandidateSettingsAreRefusedNamingTheField() {
    assertTrue(refused(ObjectiveKind.TOPK, Hyperparameters.newBuilder().setCandidates(1))
        .contains("hyper.candidates must be in 2..1000"));
    assertTrue(refused(ObjectiveKind.TOPK, Hyperparameters.newBuilder().setCandidates(1001))
        .contains("hyper.candidates must be in 2..1000"));
    assertTrue(refused(ObjectiveKind.TOPK, Hyperparameters.newBuilder().setCandidates(-1))
        .contains("got 4294967295"), "an unsigned field is shown as the client sent it");
    assertTrue(refused(ObjectiveKind.TOPK, Hyperparameters.newBuilder().setEfSearch(8))
        .contains("hyper.ef_search must be 0"));
    assertTrue(refused(ObjectiveKind.TOPK, Hyperparameters.newBuilder().setEfSearch(5000))
        .contains("hyper.ef_search must be 0"));
    assertTrue(refused(ObjectiveKind.TOPK, Hyperparameters.newBuilder().setNegatives(1025))
        .contains("hyper.negatives must be in 1..1024"));
    assertTrue(refused(ObjectiveKind.RDR, Hyperparameters.newBuilder().setCandidates(20).setTopK(21))
        .contains("hyper.top_k must be in 2..candidates (20) for RDR"));
  }
}
