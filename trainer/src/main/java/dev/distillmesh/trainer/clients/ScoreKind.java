package dev.distillmesh.trainer.clients;

/** What a teacher's scores mean, of the kinds a run can learn from. */
public enum ScoreKind {
  /** A relevance score of the candidate for the context (e.g. a cosine). */
  RELEVANCE,
  /** The log-likelihood of the candidate given the context. */
  LOG_LIKELIHOOD;

  dev.distillmesh.proto.teacher.v1.ScoreKind toProto() {
    return this == RELEVANCE ? dev.distillmesh.proto.teacher.v1.ScoreKind.RELEVANCE
        : dev.distillmesh.proto.teacher.v1.ScoreKind.LOG_LIKELIHOOD;
  }
}
