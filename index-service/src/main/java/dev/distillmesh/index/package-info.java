/**
 * The index-service process: configuration ({@link dev.distillmesh.index.IndexServerConfig}) and
 * wiring ({@link dev.distillmesh.index.IndexServer}). Domain code is in {@code store}, native code
 * in {@code faiss}, the gRPC adapter in {@code grpc}.
 */
package dev.distillmesh.index;
