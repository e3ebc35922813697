package dev.distillmesh.common.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Resilience4j objects for one peer and the rules that connect them to gRPC statuses. One
 * instance is shared by every call through one {@link ResilienceInterceptor}; it is thread-safe
 * because the Resilience4j objects are, the counters are {@link LongAdder}s and
 * {@link #halfOpenAtNanos} is volatile.
 *
 * <p>Protocol for a call: {@link #admit()} once; if it returns null the call holds one breaker
 * permission and one bulkhead slot and must hand both back exactly once: through
 * {@link #release(Status, long)} with its final status, or {@link #abandon()} if it never ran.
 */
final class CallGuard {
  /** Trial calls let through in HALF_OPEN; all must come back before the breaker decides. */
  static final int HALF_OPEN_TRIAL_CALLS = 3;
  static final double BACKOFF_MULTIPLIER = 2.0;
  static final double BACKOFF_JITTER = 0.5;

  /** What a final status tells the breaker about the peer's health. */
  enum Outcome {
    /** The peer (or the path to it) is broken or overloaded: counts towards opening. */
    FAILURE,
    /** The peer answered deliberately, even if with an error: evidence it is healthy. */
    SUCCESS,
    /** Says nothing about the peer (the caller gave up): not recorded at all. */
    IGNORED
  }

  private final ResilienceSettings settings;
  private final CircuitBreaker breaker;
  private final Bulkhead bulkhead;
  private final Retry retry;
  private final LongAdder attempts = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder rejectedByBreaker = new LongAdder();
  private final LongAdder rejectedByBulkhead = new LongAdder();
  /** System.nanoTime() at which the current OPEN period ends; written on each transition. */
  private volatile long halfOpenAtNanos;

  CallGuard(ResilienceSettings settings) {
    this.settings = settings;
    this.breaker = CircuitBreaker.of(settings.name(), CircuitBreakerConfig.custom()
        .slidingWindow(settings.slidingWindowSize(), settings.minimumNumberOfCalls(),
            SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(settings.failureRateThreshold())
        .waitDurationInOpenState(settings.openStateWait())
        .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_TRIAL_CALLS)
        // Slowness is the deadline's job (DEADLINE_EXCEEDED counts as a failure). Resilience4j's
        // default would open the breaker when every call takes over 60 s, which is exactly what
        // healthy long-lived streams do.
        .slowCallDurationThreshold(Duration.ofDays(365))
        // No timer thread: OPEN turns HALF_OPEN on the first call after the wait.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .build());
    this.bulkhead = Bulkhead.of(settings.name(), BulkheadConfig.custom()
        .maxConcurrentCalls(settings.maxConcurrentCalls())
        .maxWaitDuration(Duration.ZERO) // never block the caller's (often a transport) thread
        .build());
    this.retry = Retry.of(settings.name(), RetryConfig.custom()
        .maxAttempts(settings.maxAttempts())
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(),
            BACKOFF_MULTIPLIER, BACKOFF_JITTER, settings.maxBackoff()))
        .retryOnException(CallGuard::isRetryable)
        .failAfterMaxAttempts(false)
        .build());
    breaker.getEventPublisher().onStateTransition(event -> {
      if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
        halfOpenAtNanos = System.nanoTime() + settings.openStateWait().toNanos();
      }
    });
  }

  /** Only UNAVAILABLE: the request did not take effect and another attempt may reach a server. */
  static boolean isRetryable(Throwable error) {
    return error instanceof StatusRuntimeException sre
        && sre.getStatus().getCode() == Status.Code.UNAVAILABLE;
  }

  /**
   * UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN and DATA_LOSS mean the peer is down, slow
   * or broken. RESOURCE_EXHAUSTED is not among them: in distillmesh servers return it for input
   * that is too large, and one misbehaving client must not open the breaker for everyone.
   * CANCELLED is normally the caller giving up. Everything else is the peer answering.
   */
  static Outcome classify(Status.Code code) {
    return switch (code) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, DATA_LOSS -> Outcome.FAILURE;
      case CANCELLED -> Outcome.IGNORED;
      default -> Outcome.SUCCESS;
    };
  }

  /**
   * Takes a breaker permission and a bulkhead slot without blocking.
   *
   * @return null when admitted, else the status to fail the call with (nothing was sent)
   */
  Status admit() {
    if (!breaker.tryAcquirePermission()) {
      rejectedByBreaker.increment();
      return breakerRejection();
    }
    if (!bulkhead.tryAcquirePermission()) {
      breaker.releasePermission(); // the call never ran; a HALF_OPEN trial slot must not leak
      rejectedByBulkhead.increment();
      return Status.RESOURCE_EXHAUSTED.withDescription("bulkhead '" + settings.name()
          + "' is full: " + settings.maxConcurrentCalls() + " calls already in flight (limit "
          + settings.maxConcurrentCalls() + "); rejected without waiting");
    }
    return null;
  }

  /** Gives back what {@link #admit()} took and tells the breaker how the call ended. */
  void release(Status finalStatus, long startNanos) {
    bulkhead.onComplete();
    long elapsed = System.nanoTime() - startNanos;
    switch (classify(finalStatus.getCode())) {
      case FAILURE -> breaker.onError(elapsed, TimeUnit.NANOSECONDS,
          finalStatus.asRuntimeException());
      case SUCCESS -> breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
      case IGNORED -> breaker.releasePermission();
    }
  }

  /** Gives back what {@link #admit()} took when the call never reached the peer. */
  void abandon() {
    bulkhead.onComplete();
    breaker.releasePermission();
  }

  /** A fresh retry budget for one unary call. */
  Retry.AsyncContext<Object> newRetryContext() {
    return retry.asyncContext();
  }

  /** True while no call may pass, so retrying now would only be rejected or add load. */
  boolean breakerOpen() {
    CircuitBreaker.State state = breaker.getState();
    return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
  }

  void recordAttempt(boolean isRetry) {
    attempts.increment();
    if (isRetry) {
      retries.increment();
    }
  }

  ResilienceSettings settings() {
    return settings;
  }

  CircuitBreaker.State state() {
    return breaker.getState();
  }

  ResilienceInterceptor.Snapshot snapshot() {
    int inFlight = settings.maxConcurrentCalls() - bulkhead.getMetrics().getAvailableConcurrentCalls();
    return new ResilienceInterceptor.Snapshot(breaker.getState(), attempts.sum(), retries.sum(),
        rejectedByBreaker.sum(), rejectedByBulkhead.sum(), inFlight);
  }

  private Status breakerRejection() {
    String name = settings.name();
    CircuitBreaker.State state = breaker.getState();
    if (state == CircuitBreaker.State.HALF_OPEN) {
      return Status.UNAVAILABLE.withDescription("circuit breaker '" + name + "' is HALF_OPEN and"
          + " its " + HALF_OPEN_TRIAL_CALLS + " trial calls are still in flight; failing fast"
          + " without calling the server");
    }
    long waitMillis = Math.max(0,
        TimeUnit.NANOSECONDS.toMillis(halfOpenAtNanos - System.nanoTime()));
    float failureRate = breaker.getMetrics().getFailureRate();
    String why = failureRate >= 0
        ? String.format(Locale.ROOT, " after %.0f%% of recent calls failed", failureRate) : "";
    return Status.UNAVAILABLE.withDescription("circuit breaker '" + name + "' is OPEN" + why
        + "; failing fast without calling the server; next trial call in ~" + waitMillis + " ms");
  }
}
