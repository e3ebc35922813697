package dev.distillmesh.trainer.run.model;

/**
 * The student (or the teacher) on a run's held-out examples at one step (the contract's {@code
 * Evaluation}). For DIALOGUE runs r@k and MRR are over each example's own candidates, and equal
 * the hits; fields a task does not measure are 0. Immutable.
 */
public record Evaluation(long step, int questions, double rAt1, double rAt5, double mrrAt10, double conicity,
    double hitsAt1, double hitsAt5, int candidates, double dist2, double dist3) implements RunEvent.Payload {}
