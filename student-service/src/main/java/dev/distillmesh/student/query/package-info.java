/**
 * The student's domain: the two towers over a batched encoder ({@link
 * dev.distillmesh.student.query.TowerEncoder}), the query path ({@link
 * dev.distillmesh.student.query.Retriever}), bulk ingestion ({@link
 * dev.distillmesh.student.query.Ingestor}) and the index-service client they share ({@link
 * dev.distillmesh.student.query.IndexGateway}). No gRPC server types here: the grpc package adapts
 * these classes to the wire; failures are {@link dev.distillmesh.common.DomainException}s.
 */
package dev.distillmesh.student.query;
