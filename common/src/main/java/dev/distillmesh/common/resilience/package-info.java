/**
 * Client-side resilience for calls from one distillmesh service to another: a gRPC
 * {@link io.grpc.ClientInterceptor} that puts every call under a Resilience4j circuit breaker and
 * bulkhead and retries unary calls that end UNAVAILABLE ({@link
 * dev.distillmesh.common.resilience.ResilienceInterceptor}, configured by {@link
 * dev.distillmesh.common.resilience.ResilienceSettings}), and a default deadline for calls that
 * have none ({@link dev.distillmesh.common.resilience.Deadlines}).
 *
 * <p>Belongs here: policy that wraps a {@link io.grpc.Channel} the caller owns. Does not belong
 * here: creating or closing channels, server-side code, per-service error mapping (that is
 * {@code GrpcErrors}), or metrics export (read {@code ResilienceInterceptor.snapshot()} instead).
 */
package dev.distillmesh.common.resilience;
