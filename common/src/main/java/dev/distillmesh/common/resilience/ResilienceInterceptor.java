package dev.distillmesh.common.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Retry, circuit breaker and bulkhead (Resilience4j) for every call one service makes to one
 * peer. Create one per peer channel and share it by all stubs on that channel:
 *
 * <pre>{@code
 * ResilienceInterceptor resilience = new ResilienceInterceptor(ResilienceSettings.defaults("index-service"));
 * Channel channel = ClientInterceptors.intercept(managedChannel,
 *     resilience, Deadlines.withDefault(Duration.ofSeconds(2)));  // the last one runs first
 * }</pre>
 *
 * <p>Behaviour, per call:
 * <ul>
 *   <li><b>Bulkhead</b>: at most {@code maxConcurrentCalls} calls in flight; one more fails at
 *       once with RESOURCE_EXHAUSTED naming the bulkhead and its limit. Nothing blocks.
 *   <li><b>Circuit breaker</b>: while OPEN, calls fail at once with UNAVAILABLE naming the
 *       breaker and roughly when it lets trial calls through; nothing is sent. A call's final
 *       status counts as a failure when it is UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN or
 *       DATA_LOSS; CANCELLED is not recorded; every other status (client errors such as
 *       INVALID_ARGUMENT or NOT_FOUND, and RESOURCE_EXHAUSTED, which distillmesh servers use for
 *       oversized input) counts as a success, since the peer answered. A retried call is one call
 *       to the breaker. OPEN turns HALF_OPEN lazily, on the first call after
 *       {@code openStateWait}; {@link #state()} reports OPEN until then.
 *   <li><b>Retry</b>, unary calls only: an attempt that ends UNAVAILABLE before the peer sent
 *       any response header or message is re-sent on a fresh {@link ClientCall} with the same
 *       headers (including those added by interceptors that run before this one) and message,
 *       after an exponential backoff with jitter, at most {@code maxAttempts} attempts in all.
 *       No retry is started if its backoff would end after the call's deadline (from its
 *       {@link CallOptions} or its {@link io.grpc.Context}) or while the breaker is open; the call
 *       then ends with the last attempt's status. Cancelling the call cancels the attempt in
 *       flight or the pending retry. Other statuses are never retried. Servers should only
 *       answer UNAVAILABLE when the request took no effect: the retry re-sends it.
 *   <li><b>Streaming calls</b> are never retried (sent messages cannot be replayed) but pass the
 *       breaker and the bulkhead, holding a bulkhead slot for as long as the stream is open.
 * </ul>
 *
 * <p>Do not also enable gRPC's own retry policy (service config) on the channel: attempts would
 * multiply. Thread-safe; calls through one instance share its breaker, bulkhead and counters.
 * Retries are scheduled on the given {@link ScheduledExecutorService}, which only starts the
 * next attempt, never blocks, and is owned by whoever created it.
 */
public final class ResilienceInterceptor implements ClientInterceptor {
  /**
   * Counters since creation, for metrics. {@code attempts} counts every attempt sent to the
   * channel (first tries, retries and streaming calls); {@code retries} the attempts after the
   * first; the {@code rejectedBy*} counters calls failed without being sent; {@code inFlight}
   * the calls holding a bulkhead slot now.
   */
  public record Snapshot(CircuitBreaker.State state, long attempts, long retries,
      long rejectedByCircuitBreaker, long rejectedByBulkhead, int inFlight) {}

  private final CallGuard guard;
  private final ScheduledExecutorService scheduler;

  /** Schedules retries on a shared daemon timer thread that lives as long as the JVM. */
  public ResilienceInterceptor(ResilienceSettings settings) {
    this(settings, SharedTimer.INSTANCE);
  }

  /**
   * @param scheduler runs the backoff timers; not shut down by this object. Once it rejects
   *     tasks, calls that would retry end with their last status instead.
   */
  public ResilienceInterceptor(ResilienceSettings settings, ScheduledExecutorService scheduler) {
    this.guard = new CallGuard(Objects.requireNonNull(settings, "settings"));
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (method.getType() == MethodDescriptor.MethodType.UNARY) {
      return new RetryingUnaryCall<>(method, callOptions, next, guard, scheduler);
    }
    return new GuardedStreamingCall<>(next.newCall(method, callOptions), guard);
  }

  public ResilienceSettings settings() {
    return guard.settings();
  }

  /** The breaker's state now: CLOSED, OPEN or HALF_OPEN. */
  public CircuitBreaker.State state() {
    return guard.state();
  }

  /** A consistent-enough read of the counters (each is exact; they are not read atomically). */
  public Snapshot snapshot() {
    return guard.snapshot();
  }

  @Override
  public String toString() {
    return "ResilienceInterceptor[" + guard.settings().name() + ", " + guard.state() + "]";
  }

  /** Created on first use; its one daemon thread only starts retry attempts. */
  private static final class SharedTimer {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "distillmesh-resilience-timer");
        thread.setDaemon(true);
        return thread;
      });
      timer.setRemoveOnCancelPolicy(true); // cancelled retries must not pile up in the queue
      return timer;
    }
  }
}
