package dev.distillmesh.trainer.run.model;

/**
 * One adapter version a run published to the student (the contract's {@code Publish}). Immutable.
 *
 * @param rAt1 the held-out headline metric of what was published
 * @param reason "improved", or "rollback to vN"
 * @param responseVersion the response adapter version published with it, 0 when none
 * @param indexGeneration the index generation its re-encoded responses became, 0 when none
 */
public record Publish(long step, long version, double rAt1, long atUnixMs, String reason, long responseVersion,
    long indexGeneration) implements RunEvent.Payload {}
