package dev.distillmesh.trainer.run.model;

/**
 * One adapter version a run published to the student (the contract's {@code Publish}). Immutable.
 *
 * @param rAt1 the held-out headline metric of what was published
 * @param reason "improved", or "rollback to vN"
 * @param responseVersion the response adapter version published with it, 0 when none
 * @param indexGeneration the index generation its re-encoded responses became, 0 when none
 * @param rollout how the context adapter reached the students, e.g. "rolled out to 3/3 replicas in 0.8 s"
 */
public record Publish(long step, long version, double rAt1, long atUnixMs, String reason, long responseVersion,
    long indexGeneration, String rollout) implements RunEvent.Payload {
  public Publish {
    rollout = rollout == null ? "" : rollout; // records checkpointed before the field existed
  }
}
