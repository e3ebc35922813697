/**
 * What every distillmesh service shares: the domain error type and its single mapping to gRPC
 * {@code Status}, server bootstrap (health, reflection, three-step shutdown), the settings every
 * process shares ({@link dev.distillmesh.common.MeshOptions}: TLS, admin access, connection age)
 * and the admin check (bearer token or allow-listed client certificate); the deadline domain
 * classes take ({@link dev.distillmesh.common.CallDeadline}) and the one mapping from a remote
 * status to a domain failure ({@link dev.distillmesh.common.RemoteErrors}); the two halves of a
 * client-streaming upload ({@link dev.distillmesh.common.ClientStream} for the sender, {@link
 * dev.distillmesh.common.HeaderThenBatches} for the receiver); and the opening every CLI shares
 * ({@link dev.distillmesh.common.CliSession}). TLS itself is in {@code dev.distillmesh.common.tls}.
 *
 * <p>Belongs here: code that two or more services would otherwise copy. Does not belong here:
 * anything about one service's domain (vectors, encoders, teachers, training).
 */
package dev.distillmesh.common;
