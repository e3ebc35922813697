package dev.distillmesh.common.resilience;

import io.github.resilience4j.retry.Retry;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;

/**
 * Decides, after each failed attempt of one unary call, whether and when to try again: Resilience4j
 * counts the attempts and draws the jittered backoff; this class adds the limits it does not know
 * (the call's deadline, the shared breaker). Thread-safe: the Resilience4j context is atomic and
 * everything else is final.
 */
final class RetryBudget {
  /** Retry after {@code delayMillis}, or (when {@code finalStatus} is set) stop with it. */
  record Decision(long delayMillis, Status finalStatus) {
    static Decision stop(Status status) {
      return new Decision(-1, status);
    }
  }

  private final CallGuard guard;
  private final Retry.AsyncContext<Object> attempts;
  /** The earlier of the call's and its context's deadline; null when neither has one. */
  private final Deadline deadline;

  RetryBudget(CallGuard guard, CallOptions callOptions, Context context) {
    this.guard = guard;
    this.attempts = guard.newRetryContext();
    Deadline own = callOptions.getDeadline();
    Deadline inherited = context.getDeadline();
    this.deadline = own == null ? inherited : inherited == null ? own : own.minimum(inherited);
  }

  /** Records a successful call (for Resilience4j's retry metrics). */
  void succeeded() {
    attempts.onComplete();
  }

  /**
   * @param status how attempt number {@code attemptCount} ended; not OK
   * @return when to retry, or the status to end the call with, annotated when retrying stopped
   *     early for a reason the status does not show
   */
  Decision afterFailure(Status status, Metadata trailers, int attemptCount) {
    // -1: not retryable (anything but UNAVAILABLE) or the attempt budget is spent.
    long delayMillis = attempts.onError(status.asRuntimeException(trailers));
    if (delayMillis < 0) {
      boolean exhausted = status.getCode() == Status.Code.UNAVAILABLE && attemptCount > 1;
      return Decision.stop(exhausted
          ? status.augmentDescription("gave up after " + attemptCount + " attempts") : status);
    }
    if (deadline != null && deadline.timeRemaining(TimeUnit.MILLISECONDS) <= delayMillis) {
      return Decision.stop(status.augmentDescription("not retried: a " + delayMillis
          + " ms backoff after attempt " + attemptCount + " would pass the call's deadline"));
    }
    if (guard.breakerOpen()) {
      // Other calls tripped it meanwhile; a retry now would only add load to a failing peer.
      return Decision.stop(status.augmentDescription("not retried: circuit breaker '"
          + guard.settings().name() + "' is open"));
    }
    return new Decision(delayMillis, null);
  }
}
