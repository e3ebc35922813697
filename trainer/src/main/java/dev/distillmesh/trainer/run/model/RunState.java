package dev.distillmesh.trainer.run.model;

/** Where a run is in its life (the contract's {@code RunState}). */
public enum RunState {
  /** Reading data, encoding, measuring the starting point. */
  PREPARING,
  RUNNING,
  /** Reached max_steps (or the end of its epochs). */
  COMPLETED,
  /** Ended by StopRun. */
  STOPPED,
  /** Ended by an error (the message says which). */
  FAILED;

  /** Whether a run in this state is training (it resumes when the trainer restarts). */
  public boolean training() {
    return this == PREPARING || this == RUNNING;
  }
}
