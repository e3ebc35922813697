package dev.distillmesh.trainer.clients;

/**
 * The adapter versions the student serves now (0: none loaded, the identity), and its dimension.
 */
public record ServedModel(long contextVersion, long responseVersion, int dimension) {}
