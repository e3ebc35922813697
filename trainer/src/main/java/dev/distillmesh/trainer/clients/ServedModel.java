package dev.distillmesh.trainer.clients;

/** The context adapter version the student serves a collection with (0: the identity), and its dimension. */
public record ServedModel(long contextVersion, int dimension) {}
