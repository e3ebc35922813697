package dev.distillmesh.common.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * How one {@link ResilienceInterceptor} retries, trips and limits the calls to one peer service.
 * Immutable; the compact constructor rejects values that would make the policy meaningless.
 *
 * <p>Fixed by design rather than configured: backoff grows ×2 per retry with ±50% jitter (capped
 * at {@code maxBackoff} after jitter), the breaker counts the last {@code slidingWindowSize} calls
 * (count-based), and in HALF_OPEN it lets three trial calls
 * through.
 *
 * @param name names the peer in errors and metrics, e.g. {@code "index-service"}
 * @param maxAttempts attempts per unary call, the first included (1 = never retry)
 * @param initialBackoff wait before the first retry; at least 1 ms
 * @param maxBackoff cap on any single wait; at least {@code initialBackoff}
 * @param failureRateThreshold percentage (0, 100] of failed calls in the window that opens the
 *     breaker
 * @param slidingWindowSize number of most recent calls the failure rate is computed over
 * @param minimumNumberOfCalls calls the window must hold before the rate is evaluated (capped at
 *     {@code slidingWindowSize})
 * @param openStateWait how long the breaker stays OPEN before it lets trial calls through
 * @param maxConcurrentCalls calls in flight at once; beyond that calls are rejected, not queued
 */
public record ResilienceSettings(
    String name,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    float failureRateThreshold,
    int slidingWindowSize,
    int minimumNumberOfCalls,
    Duration openStateWait,
    int maxConcurrentCalls) {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(20);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMillis(200);
  public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
  public static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;
  public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 10;
  public static final Duration DEFAULT_OPEN_STATE_WAIT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_CONCURRENT_CALLS = 64;

  public ResilienceSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(openStateWait, "openStateWait");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank: it names the peer in errors");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1 (1 = no retry), got " + maxAttempts);
    }
    // Resilience4j's interval functions work in whole milliseconds and reject 0.
    if (initialBackoff.toMillis() < 1) {
      throw new IllegalArgumentException("initialBackoff must be >= 1 ms, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff (" + maxBackoff
          + ") must be >= initialBackoff (" + initialBackoff + ")");
    }
    if (!(failureRateThreshold > 0f && failureRateThreshold <= 100f)) {
      throw new IllegalArgumentException(
          "failureRateThreshold must be a percentage in (0, 100], got " + failureRateThreshold);
    }
    if (slidingWindowSize < 1) {
      throw new IllegalArgumentException("slidingWindowSize must be >= 1, got " + slidingWindowSize);
    }
    if (minimumNumberOfCalls < 1) {
      throw new IllegalArgumentException(
          "minimumNumberOfCalls must be >= 1, got " + minimumNumberOfCalls);
    }
    if (openStateWait.toMillis() < 1) {
      throw new IllegalArgumentException("openStateWait must be >= 1 ms, got " + openStateWait);
    }
    if (maxConcurrentCalls < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentCalls must be >= 1, got " + maxConcurrentCalls);
    }
  }

  /** These settings with another bulkhead size. */
  public ResilienceSettings withMaxConcurrentCalls(int calls) {
    return new ResilienceSettings(name, maxAttempts, initialBackoff, maxBackoff, failureRateThreshold,
        slidingWindowSize, minimumNumberOfCalls, openStateWait, calls);
  }

  /**
   * 3 attempts, backoff from 20 ms (×2, ±50% jitter) capped at 200 ms; the breaker opens when at
   * least 50% of the last 20 calls failed (once 10 calls were seen) and stays open 5 s; 64 calls
   * in flight.
   */
  public static ResilienceSettings defaults(String name) {
    return new ResilienceSettings(name, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF,
        DEFAULT_MAX_BACKOFF, DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_SLIDING_WINDOW_SIZE,
        DEFAULT_MINIMUM_NUMBER_OF_CALLS, DEFAULT_OPEN_STATE_WAIT, DEFAULT_MAX_CONCURRENT_CALLS);
  }
}
