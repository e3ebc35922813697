package dev.distillmesh.common.resilience;

import dev.distillmesh.common.CallDeadline;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Keeps "every RPC has a deadline" true: on the client side when a caller forgets to set one
 * ({@link #withDefault}), on the server side by capping what a client asks for ({@link
 * #forCurrentCall}).
 *
 * <p>Place the interceptor so it runs before {@link ResilienceInterceptor} (later in the
 * {@code ClientInterceptors.intercept(channel, ...)} list): retries are bounded by the deadline
 * they can see.
 */
public final class Deadlines {
  private Deadlines() {}

  /**
   * The deadline a server serves the current request under: the client's, capped by the server's
   * own limit {@code cap}. Call it on the thread that received the request (it reads the gRPC
   * {@link Context}).
   */
  public static Deadline forCurrentCall(Duration cap) {
    Deadline limit = Deadline.after(cap.toNanos(), TimeUnit.NANOSECONDS);
    Deadline client = Context.current().getDeadline();
    return client == null ? limit : client.minimum(limit);
  }

  /** The gRPC deadline for a domain deadline, to set on a call or stub. */
  public static Deadline toGrpc(CallDeadline deadline) {
    return Deadline.after(deadline.remaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
  }

  /** The domain deadline for a gRPC one, to hand to classes that know nothing of gRPC. */
  public static CallDeadline fromGrpc(Deadline deadline) {
    return CallDeadline.after(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
  }

  /**
   * An interceptor that gives calls without a deadline one {@code timeout} from when the call is
   * created. A deadline already set on the call, or inherited from the current {@link Context}
   * (e.g. a server handler's incoming deadline, which gRPC propagates), is left alone even if it
   * is longer. Stateless and thread-safe.
   *
   * @param timeout positive; measured from the call's creation, covering all its retries
   */
  public static ClientInterceptor withDefault(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("default deadline must be positive, got " + timeout);
    }
    return new DefaultDeadline(timeout.toNanos());
  }

  private static final class DefaultDeadline implements ClientInterceptor {
    private final long timeoutNanos;

    DefaultDeadline(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
      if (callOptions.getDeadline() == null && Context.current().getDeadline() == null) {
        callOptions = callOptions.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
      }
      return next.newCall(method, callOptions);
    }

    @Override
    public String toString() {
      return "Deadlines.withDefault(" + Duration.ofNanos(timeoutNanos) + ")";
    }
  }
}
