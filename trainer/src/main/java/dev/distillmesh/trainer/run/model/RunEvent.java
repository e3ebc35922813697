package dev.distillmesh.trainer.run.model;

/**
 * Something that happened in a run, as watchers see it (the contract's {@code RunEvent}).
 * Immutable.
 */
public record RunEvent(String runId, long step, long atUnixMs, Payload payload) {
  /** What happened: exactly one of these. */
  public sealed interface Payload permits Progress, Evaluation, Publish, StateChange {}
}
