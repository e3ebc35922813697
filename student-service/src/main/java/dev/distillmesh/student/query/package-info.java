/**
 * The student's domain: the two towers over a batched encoder ({@link
 * dev.distillmesh.student.query.TowerEncoder}), the query path ({@link
 * dev.distillmesh.student.query.Retriever}), bulk ingestion ({@link
 * dev.distillmesh.student.query.Ingestor}) and the index they share, as an interface ({@link
 * dev.distillmesh.student.query.VectorIndex}). No gRPC or proto types here: the {@code grpc}
 * package adapts these classes to the wire, the {@code client} package implements the index over
 * index-service; deadlines are {@link dev.distillmesh.common.CallDeadline}s and failures {@link
 * dev.distillmesh.common.DomainException}s.
 */
package dev.distillmesh.student.query;
