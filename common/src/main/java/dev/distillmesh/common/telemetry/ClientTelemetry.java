package dev.distillmesh.common.telemetry;

import dev.distillmesh.common.metrics.MetricsRegistry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * For calls to another service: sends the current request id ({@link RequestIds#current()}) as
 * {@code x-request-id}, and counts and times each call ({@code grpc_client_*}).
 *
 * <p>Put it outermost on a channel, in front of the {@code ResilienceInterceptor}, so a call is
 * timed once with its retries and every retry carries the same id:
 * <pre>{@code
 * ClientInterceptors.intercept(channel, resilience, deadlines, new ClientTelemetry(registry)); // last runs first
 * }</pre>
 * Thread-safe; one instance can serve several channels.
 */
public final class ClientTelemetry implements ClientInterceptor {
  private final RpcMetrics metrics;

  /** @param registry where the per-RPC metrics go; null records none (ids are still sent) */
  public ClientTelemetry(MetricsRegistry registry) {
    this.metrics = registry == null ? null : RpcMetrics.client(registry);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    String id = RequestIds.current(); // read here: the call is created on the caller's thread
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        if (id != null && !headers.containsKey(RequestIds.HEADER)) {
          headers.put(RequestIds.HEADER, id);
        }
        if (metrics == null) {
          super.start(listener, headers);
          return;
        }
        long startNanos = System.nanoTime();
        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onClose(Status status, Metadata trailers) {
            metrics.record(method, status.getCode(), System.nanoTime() - startNanos);
            super.onClose(status, trailers);
          }
        }, headers);
      }
    };
  }
}
