/**
 * The student's clients of other services: {@link dev.distillmesh.student.client.IndexGateway}
 * implements the domain's {@link dev.distillmesh.student.query.VectorIndex} and {@link
 * dev.distillmesh.student.query.IndexCatalog} over index-service's gRPC API. Proto mapping and the translation of remote statuses into domain failures (through
 * {@link dev.distillmesh.common.RemoteErrors}) happen here and nowhere else; no domain logic.
 */
package dev.distillmesh.student.client;
