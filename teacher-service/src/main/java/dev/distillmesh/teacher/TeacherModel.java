package dev.distillmesh.teacher;

/**
 * A model behind a teacher backend, as {@code Info} reports it.
 *
 * @param role "encoder", "scorer", "selector" or "generator"
 * @param weight ensemble weight (0 outside an ensemble)
 * @param source "bundled", a model directory, or "triton:MODEL@TARGET"
 * @param ready whether it can serve now
 */
public record TeacherModel(String name, String role, float weight, String source, boolean ready) {}
