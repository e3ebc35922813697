package dev.distillmesh.trainer.run;

/**
 * Where a run's questions come from, one batch per step; its position is checkpointed so that a
 * resumed run continues where it stopped. Used by the run's thread only.
 */
interface BatchSource {
  /** The next batch, or null when there is nothing yet (after a short wait); the caller asks again. */
  Batch next() throws Exception;

  /** Questions consumed so far (LABELLED: across epochs; TRAFFIC: taken and trained). */
  long position();

  /** TRAFFIC: queries taken from the student, and those it dropped because the run fell behind (0 otherwise). */
  default long taken() {
    return 0;
  }

  default long dropped() {
    return 0;
  }

  /** A checkpoint at {@link #position} is on disk. */
  default void checkpointed() {}

  /** The run has ended (or its trainer is stopping). */
  default void close() {}
}
