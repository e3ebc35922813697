package dev.distillmesh.common;

import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.common.telemetry.ServerTelemetry;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server with health ({@code grpc.health.v1}) and reflection, built on a caller-supplied
 * {@link ServerBuilder} so tests can pass an in-process one. Health starts NOT_SERVING; the owner
 * flips it once its real dependencies are up. {@link #close()} shuts down in three steps:
 * shutdown, await termination (draining in-flight calls), shutdownNow.
 */
public final class ManagedServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagedServer.class);

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final List<String> serviceNames;
  private final long drainSeconds;

  /**
   * @param builder transport to serve on; this object builds and owns the server
   * @param services the domain services, each wrapped with {@code interceptors}
   * @param interceptors applied to every domain service (e.g. admin auth)
   * @param inlineMethods full method names that run on the transport thread instead of the
   *     server's executor. Only for short calls that never block on I/O (e.g. a search): it saves
   *     two thread hand-offs per call, but while such a call runs, its connection's other calls wait.
   * @param drainSeconds how long {@link #close()} waits for in-flight calls
   */
  public ManagedServer(ServerBuilder<?> builder, List<BindableService> services,
      List<io.grpc.ServerInterceptor> interceptors, Set<String> inlineMethods, long drainSeconds) {
    this(builder, services, interceptors, inlineMethods, drainSeconds, null);
  }

  /**
   * As above, with every call (health and reflection included) counted and timed in
   * {@code metrics} ({@code grpc_server_*}; null: not recorded). With either constructor each call
   * gets a request id, and a failed one an access-log line ({@link ServerTelemetry}).
   */
  public ManagedServer(ServerBuilder<?> builder, List<BindableService> services,
      List<io.grpc.ServerInterceptor> interceptors, Set<String> inlineMethods, long drainSeconds,
      MetricsRegistry metrics) {
    if (!inlineMethods.isEmpty()) {
      Set<String> inline = Set.copyOf(inlineMethods);
      builder.callExecutor(new ServerCallExecutorSupplier() {
        @Override
        public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
          return inline.contains(call.getMethodDescriptor().getFullMethodName()) ? Runnable::run : null;
        }
      });
    }
    for (BindableService service : services) {
      ServerServiceDefinition definition = RequestParseGuard.wrap(service.bindService());
      builder.addService(ServerInterceptors.intercept(definition, interceptors));
    }
    builder.addService(health.getHealthService());
    builder.addService(ProtoReflectionServiceV1.newInstance());
    // Server-wide, so it runs before the services' own interceptors and sees the calls they refuse.
    builder.intercept(new ServerTelemetry(metrics));
    this.server = builder.build();
    this.serviceNames = services.stream()
        .map(s -> s.bindService().getServiceDescriptor().getName()).toList();
    this.drainSeconds = drainSeconds;
    setServing(false);
  }

  public ManagedServer start() throws IOException {
    server.start();
    return this;
  }

  /** Port the server listens on (after {@link #start()}); -1 for in-process transports. */
  public int port() {
    return server.getPort();
  }

  /** Sets the overall ("") and per-service health status. */
  public void setServing(boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus("", status);
    for (String name : serviceNames) {
      health.setStatus(name, status);
    }
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(drainSeconds, TimeUnit.SECONDS)) {
        log.warn("in-flight calls did not finish within {} s; cancelling them", drainSeconds);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
