package dev.distillmesh.student.query;

/**
 * What happened to a text on its way into the model.
 *
 * @param tokens word pieces fed to the model, special tokens included
 * @param truncated the text was cut at the model's maximum length
 * @param droppedTurns dialogue only: oldest turns left out so the rest fit
 */
public record InputReport(int tokens, boolean truncated, int droppedTurns) {}
