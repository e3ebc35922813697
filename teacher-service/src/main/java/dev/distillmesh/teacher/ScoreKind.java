package dev.distillmesh.teacher;

/** The kinds of judgement a teacher can give; see {@code teacher.proto} for their definitions. */
public enum ScoreKind {
  /** log P(r|c) / |r|. */
  LOG_LIKELIHOOD,
  /** (log P(r|c) - mean over dummy contexts d of log P(r|d)) / |r|. */
  MUTUAL_INFORMATION,
  /** A response-selection probability in [0, 1]. */
  COHERENCE,
  /** An encoder or reader relevance score. */
  RELEVANCE
}
