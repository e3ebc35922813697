package dev.distillmesh.trainer.clients;

/**
 * One record of a served collection as a run learns on it: its id and text, the vector the index
 * serves for it, and its base (un-projected) vector where the collection keeps them.
 *
 * @param base null when the collection keeps no base vectors
 */
public record Passage(String id, String text, float[] vector, float[] base) {}
