/**
 * The gRPC edge of the index service: {@link dev.distillmesh.index.grpc.IndexGrpcService} turns
 * protobuf messages into store calls and store results back into messages; the two
 * client-streaming rpcs (Upsert, Rebuild) are steps of the shared upload state machine ({@link
 * dev.distillmesh.index.grpc.UploadSteps}, run by {@link dev.distillmesh.common.HeaderThenBatches}).
 * No domain logic lives here; every failure goes through {@link
 * dev.distillmesh.common.GrpcErrors#toStatus}.
 */
package dev.distillmesh.index.grpc;
