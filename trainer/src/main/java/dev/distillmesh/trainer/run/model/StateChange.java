package dev.distillmesh.trainer.run.model;

/** A run entered {@code state}; the message says why or what it waits for. Immutable. */
public record StateChange(RunState state, String message) implements RunEvent.Payload {}
