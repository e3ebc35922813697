package dev.distillmesh.common.telemetry;

import dev.distillmesh.common.metrics.MetricsRegistry;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every call on a server: takes its request id from {@code x-request-id} (or makes one) and keeps
 * it in the gRPC {@link Context} while the call is handled, returns it in the response headers,
 * counts the call and times it ({@link RpcMetrics}) and writes an {@link AccessLog} line.
 *
 * <p>Install it outermost (as a server-wide interceptor), so it also sees calls that other
 * interceptors refuse, such as an admin call without a token. Thread-safe.
 */
public final class ServerTelemetry implements ServerInterceptor {
  private final RpcMetrics metrics;

  /** @param registry where the per-RPC metrics go; null records none (ids and logs still work) */
  public ServerTelemetry(MetricsRegistry registry) {
    this.metrics = registry == null ? null : RpcMetrics.server(registry);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String id = RequestIds.acceptOrCreate(headers.get(RequestIds.HEADER));
    Context callContext = Context.current();
    ObservedCall<ReqT, RespT> observed = new ObservedCall<>(call, id, callContext.getDeadline());
    ServerCall.Listener<ReqT> listener =
        Contexts.interceptCall(callContext.withValue(RequestIds.KEY, id), observed, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        observed.cancelled();
        super.onCancel();
      }
    };
  }

  /** Adds the id to the response and records the call once, at its close or its cancellation. */
  private final class ObservedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final String id;
    private final Deadline deadline;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean recorded = new AtomicBoolean();
    private boolean headersSent; // the application calls sendHeaders and close from one thread at a time

    ObservedCall(ServerCall<ReqT, RespT> call, String id, Deadline deadline) {
      super(call);
      this.id = id;
      this.deadline = deadline;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      headers.put(RequestIds.HEADER, id);
      headersSent = true;
      super.sendHeaders(headers);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!headersSent) { // a trailers-only response: the id goes with the status
        trailers.put(RequestIds.HEADER, id);
      }
      // Recorded before the client can see the status, so a client that has its answer finds
      // the call in the metrics.
      record(status);
      super.close(status, trailers);
    }

    /** The client cancelled, or the deadline passed, before the call was closed. */
    void cancelled() {
      if (!recorded.get()) {
        boolean expired = deadline != null && deadline.isExpired();
        record(expired ? Status.DEADLINE_EXCEEDED : Status.CANCELLED.withDescription("cancelled by the client"));
      }
    }

    private void record(Status status) {
      if (!recorded.compareAndSet(false, true)) {
        return;
      }
      long nanos = System.nanoTime() - startNanos;
      if (metrics != null) {
        metrics.record(getMethodDescriptor(), status.getCode(), nanos);
      }
      AccessLog.served(getMethodDescriptor().getFullMethodName(), status, nanos, id);
    }
  }
}
