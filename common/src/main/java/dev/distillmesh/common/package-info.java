/**
 * What every distillmesh service shares: the domain error type and its single mapping to gRPC
 * {@code Status}, server bootstrap (health, reflection, three-step shutdown) and the bearer-token
 * check for admin RPCs.
 *
 * <p>Belongs here: code that two or more services would otherwise copy. Does not belong here:
 * anything about one service's domain (vectors, encoders, teachers, training).
 */
package dev.distillmesh.common;
