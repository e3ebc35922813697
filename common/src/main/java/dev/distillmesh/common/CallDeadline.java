package dev.distillmesh.common;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The moment by which a piece of work must be done, as domain classes see it: they know nothing of
 * gRPC, so they take this instead of {@code io.grpc.Deadline}. Adapters convert at the edge
 * ({@code dev.distillmesh.common.resilience.Deadlines#toGrpc} and {@code #fromGrpc}).
 *
 * <p>Immutable and thread-safe. Measured on {@link System#nanoTime()}, so it is immune to wall
 * clock changes and means nothing across processes.
 */
public final class CallDeadline implements Comparable<CallDeadline> {
  /** Far enough away to be "no deadline" (about 146 years), yet safe to add to nanoTime. */
  private static final long FAR_NANOS = Long.MAX_VALUE / 2;

  private final long expiresAtNanos;

  private CallDeadline(long expiresAtNanos) {
    this.expiresAtNanos = expiresAtNanos;
  }

  /** A deadline {@code timeout} from now; a zero or negative timeout gives one already expired. */
  public static CallDeadline after(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long nanos = Math.min(saturatedNanos(timeout), FAR_NANOS);
    return new CallDeadline(System.nanoTime() + nanos);
  }

  /** A deadline {@code amount} units from now. */
  public static CallDeadline after(long amount, TimeUnit unit) {
    return new CallDeadline(System.nanoTime() + Math.min(unit.toNanos(amount), FAR_NANOS));
  }

  /** Whether the moment has passed. */
  public boolean isExpired() {
    return System.nanoTime() - expiresAtNanos >= 0;
  }

  /** Time left; zero or negative once expired. */
  public Duration remaining() {
    return Duration.ofNanos(expiresAtNanos - System.nanoTime());
  }

  /** Time left in {@code unit}, rounded down; zero or negative once expired. */
  public long remaining(TimeUnit unit) {
    return unit.convert(expiresAtNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  /**
   * The {@link System#nanoTime()} value at which it expires, for queues that compare their
   * entries' deadlines with the clock (as {@code a - b < 0}, since the value may wrap).
   */
  public long nanoTime() {
    return expiresAtNanos;
  }

  /** The earlier of the two. */
  public CallDeadline minimum(CallDeadline other) {
    return compareTo(other) <= 0 ? this : other;
  }

  @Override
  public int compareTo(CallDeadline other) {
    return Long.signum(expiresAtNanos - other.expiresAtNanos);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CallDeadline d && d.expiresAtNanos == expiresAtNanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(expiresAtNanos);
  }

  @Override
  public String toString() {
    long ms = remaining(TimeUnit.MILLISECONDS);
    return ms <= 0 ? "CallDeadline(expired)" : "CallDeadline(" + ms + " ms left)";
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return d.isNegative() ? -FAR_NANOS : FAR_NANOS;
    }
  }
}
