/**
 * What every distillmesh service shares: the domain error type and its single mapping to gRPC
 * {@code Status}, server bootstrap (health, reflection, three-step shutdown), the settings every
 * process shares ({@link dev.distillmesh.common.MeshOptions}: TLS, admin access, connection age)
 * and the admin check (bearer token or allow-listed client certificate). TLS itself is in
 * {@code dev.distillmesh.common.tls}.
 *
 * <p>Belongs here: code that two or more services would otherwise copy. Does not belong here:
 * anything about one service's domain (vectors, encoders, teachers, training).
 */
package dev.distillmesh.common;
