package dev.distillmesh.trainer.clients;

/**
 * The matrix a collection's vectors are served with (the index's GetProjection): B of B·base.
 *
 * @param values row-major, dimension × dimension
 * @param version 0 for the identity
 * @param generation the index generation that serves with it
 */
public record Projection(long version, int dimension, float[] values, long generation) {}
