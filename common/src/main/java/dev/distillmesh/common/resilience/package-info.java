/**
 * Resilience between distillmesh services. For calls from one service to another: a gRPC
 * {@link io.grpc.ClientInterceptor} that puts every call under a Resilience4j circuit breaker and
 * bulkhead and retries unary calls that end UNAVAILABLE ({@link
 * dev.distillmesh.common.resilience.ResilienceInterceptor}, configured by {@link
 * dev.distillmesh.common.resilience.ResilienceSettings}), and a default deadline for calls that
 * have none ({@link dev.distillmesh.common.resilience.Deadlines}). On the server side, the two
 * guards every request of a service passes before work is done for it: admission into a bounded
 * number of requests in flight ({@link dev.distillmesh.common.resilience.InFlightLimit}) and the
 * end of a request at its deadline ({@link dev.distillmesh.common.resilience.Deadlines#forCurrentCall},
 * bounded by {@link dev.distillmesh.common.Futures#within}).
 *
 * <p>Belongs here: policy that wraps a {@link io.grpc.Channel} the caller owns, and load shedding
 * and deadlines for the requests a server answers. Does not belong here: creating or closing
 * channels, servers or services themselves, per-service error mapping (that is
 * {@code GrpcErrors}), or metrics export (read {@code ResilienceInterceptor.snapshot()} instead).
 */
package dev.distillmesh.common.resilience;
