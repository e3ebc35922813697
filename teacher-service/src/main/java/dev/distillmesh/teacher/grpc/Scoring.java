package dev.distillmesh.teacher.grpc;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreResponse;
import dev.distillmesh.teacher.ScoreItem;
import dev.distillmesh.teacher.ScoreKind;
import dev.distillmesh.teacher.Teacher;
import dev.distillmesh.teacher.TeacherLimits;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One score request from the wire to the backend and back, shared by Score and StreamScores. */
final class Scoring {
  private final Teacher teacher;

  Scoring(Teacher teacher) {
    this.teacher = teacher;
  }

  /** Validates (throwing DomainException) and starts the backend call. */
  CompletableFuture<ScoreResponse> score(ScoreRequest request, CallDeadline deadline) {
    ScoreKind kind = TeacherProtos.kind(request.getKind());
    List<ScoreItem> items = TeacherProtos.items(request);
    TeacherLimits.checkScore(teacher, kind, items);
    String model = teacher.modelLabel(kind);
    return teacher.score(kind, items, deadline).thenApply(scores -> TeacherProtos.scores(kind, model, scores));
  }
}
