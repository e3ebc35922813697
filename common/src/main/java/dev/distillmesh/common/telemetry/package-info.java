/**
 * What every call leaves behind: a request id ({@code x-request-id}) carried from service to
 * service in the gRPC {@link io.grpc.Context}, per-RPC counts and latencies, and an access-log line
 * for each failed call. {@link dev.distillmesh.common.telemetry.ServerTelemetry} runs on every
 * server (installed by {@link dev.distillmesh.common.ManagedServer});
 * {@link dev.distillmesh.common.telemetry.ClientTelemetry} goes on each channel to a peer.
 */
package dev.distillmesh.common.telemetry;
