package dev.distillmesh.common.telemetry;

import dev.distillmesh.common.metrics.Counter;
import dev.distillmesh.common.metrics.Histogram;
import dev.distillmesh.common.metrics.MetricsRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Calls finished and their latency, by service, method and (for the count) status code. The names
 * and labels are those of go-grpc-prometheus, so existing gRPC dashboards work unchanged.
 */
final class RpcMetrics {
  static final String SERVER_HANDLED = "grpc_server_handled_total";
  static final String SERVER_SECONDS = "grpc_server_handling_seconds";
  static final String CLIENT_HANDLED = "grpc_client_handled_total";
  static final String CLIENT_SECONDS = "grpc_client_handling_seconds";

  private final Counter handled;
  private final Histogram seconds;

  private RpcMetrics(Counter handled, Histogram seconds) {
    this.handled = handled;
    this.seconds = seconds;
  }

  static RpcMetrics server(MetricsRegistry registry) {
    return new RpcMetrics(
        registry.counter(SERVER_HANDLED, "RPCs completed on the server, by status code.",
            "grpc_service", "grpc_method", "grpc_code"),
        registry.histogram(SERVER_SECONDS, "Time from a call's arrival to its status, in seconds.",
            Histogram.LATENCY_SECONDS, "grpc_service", "grpc_method"));
  }

  static RpcMetrics client(MetricsRegistry registry) {
    return new RpcMetrics(
        registry.counter(CLIENT_HANDLED, "RPCs this service made to another that completed, by status code.",
            "grpc_service", "grpc_method", "grpc_code"),
        registry.histogram(CLIENT_SECONDS, "Time from starting a call to another service to its status, retries"
            + " included, in seconds.", Histogram.LATENCY_SECONDS, "grpc_service", "grpc_method"));
  }

  void record(MethodDescriptor<?, ?> method, Status.Code code, long nanos) {
    String service = method.getServiceName() == null ? "" : method.getServiceName();
    String name = method.getBareMethodName() == null ? method.getFullMethodName() : method.getBareMethodName();
    handled.labels(service, name, code.name()).inc();
    seconds.labels(service, name).observe(nanos / 1e9);
  }
}
