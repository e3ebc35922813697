/**
 * The gRPC edge of the index service: {@link dev.distillmesh.index.grpc.IndexGrpcService} turns
 * protobuf messages into store calls and store results back into messages. No domain logic lives
 * here; every failure goes through {@link dev.distillmesh.common.GrpcErrors#toStatus}.
 */
package dev.distillmesh.index.grpc;
