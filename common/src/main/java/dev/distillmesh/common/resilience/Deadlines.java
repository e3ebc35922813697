package dev.distillmesh.common.resilience;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
   * A future that completes as {@code work} does, or with DEADLINE_EXCEEDED ({@link
   * DomainException}, {@code message}) when {@code deadline} passes first; {@code work} is then
   * cancelled, so whatever it still has queued is dropped instead of run for nobody. Cancelling
   * the returned future cancels {@code work} too. This is what
   * makes a server's own cap on a request's time ({@link #forCurrentCall}) hold: gRPC ends a call
   * at the client's deadline, not at the server's.
   */
  public static <T> CompletableFuture<T> bound(Deadline deadline, CompletableFuture<T> work, String message) {
    CompletableFuture<T> result = new CompletableFuture<>();
    work.whenComplete((value, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        result.complete(value);
      }
    });
    long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
    if (left <= 0) {
      result.completeExceptionally(new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, message));
    } else if (!result.isDone()) {
      ScheduledFuture<?> timer = Timer.INSTANCE.schedule(() -> result.completeExceptionally(
          new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, message)), left, TimeUnit.NANOSECONDS);
      result.whenComplete((value, error) -> timer.cancel(false));
    }
    // Whatever ends the result first (the deadline, or its caller cancelling it) ends the work.
    result.whenComplete((value, error) -> {
      if (error != null) {
        work.cancel(false);
      }
    });
    return result;
  }

  /**
   * {@code deadline} as a {@link System#nanoTime()} value, for code that compares it with the
   * clock without depending on gRPC (e.g. a batcher dropping queued items past their deadline).
   */
  public static long toNanoTime(Deadline deadline) {
    // gRPC caps a deadline's offset at 100 years, so the sum compares correctly with other
    // nanoTime values (as a - b < 0, never a < b) even where it wraps.
    return System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
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

  /** Created on first use; its one daemon thread only ends requests whose deadline passed. */
  private static final class Timer {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "distillmesh-deadline-timer");
        thread.setDaemon(true);
        return thread;
      });
      timer.setRemoveOnCancelPolicy(true); // requests that finish in time must not pile up in the queue
      return timer;
    }
  }
}
