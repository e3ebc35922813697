package dev.distillmesh.common.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Retries one piece of domain work (not a single gRPC call) with a linear backoff: attempt {@code
 * n} failing is followed by a pause of {@code min(cap, step · n)}, and the work runs again, until
 * it succeeds, fails in a way the caller's predicate does not retry, or the attempts are spent.
 *
 * <p>Why not {@link ResilienceInterceptor}'s retry: that one replays a single unary call inside a
 * channel, before the peer answers. The work retried here is larger than one call: a score request
 * on a long-lived stream that must be sent again, or a list-then-rebuild of a collection that must
 * be listed again when it changed in between. Whether to retry is decided by the caller from the
 * {@link dev.distillmesh.common.DomainException} kind, after {@link
 * dev.distillmesh.common.RemoteErrors} mapped the remote status.
 *
 * <p>Immutable and thread-safe; the waiting happens on the caller's thread.
 *
 * @param step the pause after the first failure, growing by as much after each one (zero: retry at once)
 * @param cap the longest pause
 * @param maxAttempts how many times the work runs at most; 0 for no limit
 */
public record Backoff(Duration step, Duration cap, int maxAttempts) {
  /** One attempt of the work; {@code attempt} counts from 1. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run(int attempt) throws Exception;
  }

  /** Told of each failure that will be retried, before the pause. */
  @FunctionalInterface
  public interface RetryListener {
    void retrying(int failedAttempt, Exception failure, Duration pause);
  }

  public Backoff {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(cap, "cap");
    if (step.isNegative() || cap.isNegative() || maxAttempts < 0) {
      throw new IllegalArgumentException("a backoff needs a non-negative step, cap and attempt count");
    }
  }

  /** Retries at once, up to {@code maxAttempts} in all. */
  public static Backoff immediate(int maxAttempts) {
    return new Backoff(Duration.ZERO, Duration.ZERO, maxAttempts);
  }

  /** The pause after attempt {@code attempt} failed. */
  public Duration pauseAfter(int attempt) {
    Duration linear = step.multipliedBy(attempt);
    return linear.compareTo(cap) > 0 ? cap : linear;
  }

  /**
   * Runs {@code work} until it returns. A failure that {@code retryable} accepts is retried (after
   * {@code listener} is told and the pause has passed) unless it came from the last attempt; any
   * other failure, and the last attempt's, is thrown as it is.
   *
   * @throws InterruptedException when the thread is interrupted during a pause
   */
  public <T> T run(Attempt<T> work, Predicate<Exception> retryable, RetryListener listener) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return work.run(attempt);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if ((maxAttempts > 0 && attempt >= maxAttempts) || !retryable.test(e)) {
          throw e;
        }
        Duration pause = pauseAfter(attempt);
        listener.retrying(attempt, e, pause);
        if (!pause.isZero()) {
          Thread.sleep(pause.toMillis());
        }
      }
    }
  }
}
