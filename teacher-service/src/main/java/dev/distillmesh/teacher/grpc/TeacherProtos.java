package dev.distillmesh.teacher.grpc;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.teacher.v1.ItemScores;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreResponse;
import dev.distillmesh.teacher.ScoreItem;
import dev.distillmesh.teacher.ScoreKind;
import java.util.ArrayList;
import java.util.List;

/** Between the wire types of {@code teacher.proto} and the domain types. */
final class TeacherProtos {
  private TeacherProtos() {}

  /** The domain kind; null for SCORE_KIND_UNSPECIFIED (the limits check names the problem). */
  static ScoreKind kind(dev.distillmesh.proto.teacher.v1.ScoreKind kind) {
    return switch (kind) {
      case LOG_LIKELIHOOD -> ScoreKind.LOG_LIKELIHOOD;
      case MUTUAL_INFORMATION -> ScoreKind.MUTUAL_INFORMATION;
      case COHERENCE -> ScoreKind.COHERENCE;
      case RELEVANCE -> ScoreKind.RELEVANCE;
      case SCORE_KIND_UNSPECIFIED -> null;
      case UNRECOGNIZED -> throw DomainException.invalid("kind " + "is an unknown enum value; choose one of "
          + List.of(ScoreKind.values()));
    };
  }

  static dev.distillmesh.proto.teacher.v1.ScoreKind kind(ScoreKind kind) {
    return dev.distillmesh.proto.teacher.v1.ScoreKind.valueOf(kind.name());
  }

  static List<ScoreItem> items(ScoreRequest request) {
    List<ScoreItem> items = new ArrayList<>(request.getItemsCount());
    for (dev.distillmesh.proto.teacher.v1.ScoreItem item : request.getItemsList()) {
      items.add(new ScoreItem(item.getContext(), item.getCandidatesList()));
    }
    return items;
  }

  static ScoreResponse scores(ScoreKind kind, String model, float[][] scores) {
    ScoreResponse.Builder b = ScoreResponse.newBuilder().setKind(kind(kind)).setModel(model);
    for (float[] item : scores) {
      ItemScores.Builder s = b.addItemsBuilder();
      for (float v : item) {
        s.addScores(v);
      }
    }
    return b.build();
  }
}
